#include "core/role_factory.hpp"

#include <unistd.h>

namespace lwspp::detail {
namespace {

// Stands in until the factory's per-connection role is installed.
class placeholder_role final : public role {
 public:
  void on_data(connection&, std::string_view) override {}
};

}  // namespace

namespace {

// The connection owns fd once made; if it cannot be made (out of memory),
// fd is closed here so that no caller has to know which step failed.
connection_ref create(loop& l, int fd, role& r, const connection_options& opts, bool shared_opts) {
  try {
    return connection::create(l, fd, r, opts, shared_opts);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace

connection_ref make_connection(loop& l, int fd, const role_factory& roles,
                               const connection_options& opts, bool shared_opts) {
  if (roles.shared) {
    auto c = create(l, fd, *roles.shared, opts, shared_opts);
    if (!shared_opts) c->share_role(roles.shared);
    return c;
  }
  static placeholder_role placeholder;
  auto c = create(l, fd, placeholder, opts, shared_opts);
  if (roles.make) {
    // A factory that returns nothing leaves the placeholder: bytes are ignored.
    if (auto r = roles.make(*c)) c->own_role(std::move(r));
  }
  return c;
}

}  // namespace lwspp::detail
