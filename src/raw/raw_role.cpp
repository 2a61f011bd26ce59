// The raw role: bytes in, bytes out, the user's handlers called directly.
#include "lwspp/raw.hpp"

namespace lwspp::raw {
namespace {

class raw_role final : public role {
 public:
  explicit raw_role(handlers h) : h_(std::move(h)) {}
  void on_open(connection& c) override {
    if (h_.on_open) h_.on_open(c);
  }
  void on_data(connection& c, std::string_view bytes) override {
    if (h_.on_data) h_.on_data(c, bytes);
  }
  void on_writable(connection& c) override {
    if (h_.on_writable) h_.on_writable(c);
  }
  void on_close(connection& c, const close_reason& why) override {
    if (h_.on_close) h_.on_close(c, why);
  }

 private:
  handlers h_;
};

}  // namespace

role_factory make_role(handlers h) {
  // Handlers hold no per-connection state, so one role serves every connection.
  return role_factory{.shared = std::make_shared<raw_role>(std::move(h)), .make = {}};
}

result<vhost*> listen(context& ctx, vhost_options opts, handlers h) {
  return ctx.add_vhost(std::move(opts), make_role(std::move(h)));
}

connection_handle connect(context& ctx, std::string_view target, handlers h, connect_options opts) {
  return ctx.connect(target, make_role(std::move(h)), std::move(opts));
}

result<connection_handle> adopt(context& ctx, int fd, handlers h, connection_options opts,
                                unsigned loop_index) {
  return ctx.adopt(fd, make_role(std::move(h)), std::move(opts), loop_index);
}

}  // namespace lwspp::raw
