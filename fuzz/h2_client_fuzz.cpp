// libFuzzer target for the HTTP/2 client session (src/h2/client_session*,
// client_head.*): arbitrary bytes fed as what a server sent, to a real
// session on a real connection (one end of a socketpair; the other end is
// drained and dropped), in its real pool. Four requests are open when the
// bytes arrive: a GET, a HEAD, a POST whose 100 KB body waits for the
// server's windows, and a streamed PUT; the GET's delivery is paused and
// resumed between pieces, so held bytes and withheld credit run too.
//
// The first byte picks the piece size the rest is fed in (0: whole). Input
// that does not begin with a SETTINGS frame header gets an empty SETTINGS
// prepended (the server preface), so the fuzzer spends its time on the
// frames after it. The sanitizers are the checks: no crash, leak, overflow
// or use after free, whatever the server sends.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "h2/client_session.hpp"
#include "http/client_core.hpp"
#include "http/client_url.hpp"
#include "http/origin_pool.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/context.hpp"
#include "lwspp/loop.hpp"

namespace {

namespace detail = lwspp::http::detail;

struct dummy_role final : lwspp::role {
  void on_data(lwspp::connection&, std::string_view) override {}
};

// One request as the session sees it; what comes back is counted, not kept.
class exchange final : public detail::client_exchange {
 public:
  exchange(std::string_view method, std::string body, bool streamed) : body_(std::move(body)) {
    out_ = {.method = method,
            .target = "/x",
            .authority = "fuzz.example",
            .fields = "accept: */*\r\nx-test: 1\r\n",
            .body = streamed ? std::string_view() : std::string_view(body_),
            .streamed = streamed,
            .send_length = method == "POST",
            .has_length = streamed,
            .length = streamed ? 40000u : 0u,
            .head = method == "HEAD"};
  }
  const detail::outgoing_request& outgoing() const noexcept override { return out_; }
  lwspp::http::source_status pull(lwspp::http::body_sink& sink) override {
    while (pulled_ < 40000) {
      const lwspp::send_result r = sink.write(std::string(10000, 'p'));
      if (!r) return lwspp::http::source_status::done;
      pulled_ += 10000;
      if (r.backpressure) return lwspp::http::source_status::more;
    }
    return lwspp::http::source_status::done;
  }
  void on_head(lwspp::http::client_response& r) override { status = r.status; }
  void on_body(std::string_view piece) override { bytes += piece.size(); }
  void on_end() override { done = true; }
  void on_fail(const lwspp::error_info& why, bool) override {
    failed = !why.message().empty();
    done = true;
  }
  int status = 0;
  std::size_t bytes = 0;
  bool done = false, failed = false;

 private:
  std::string body_;
  detail::outgoing_request out_;
  std::size_t pulled_ = 0;
};

std::shared_ptr<detail::origin_pool> make_pool() {
  static lwspp::context ctx;
  static auto core = std::make_shared<detail::client_core>(ctx, lwspp::http::client_options{});
  auto u = detail::parse_client_url("http://fuzz.example/");
  return std::make_shared<detail::origin_pool>(core, "fuzz", *u, "fuzz.example:80",
                                               lwspp::connect_options{});
}

void drain(int fd) {
  char buf[65536];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static lwspp::loop l;
  static dummy_role idle;
  if (size == 0) return 0;
  const std::size_t piece = bytes[0];
  std::string input(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  if (input.size() < 9 || input[3] != '\x04')
    input.insert(0, std::string("\0\0\0\x04\0\0\0\0\0", 9));

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  {
    auto pool = make_pool();
    std::vector<std::shared_ptr<exchange>> xs = {
        std::make_shared<exchange>("GET", "", false), std::make_shared<exchange>("HEAD", "", false),
        std::make_shared<exchange>("POST", std::string(100000, 'b'), false),
        std::make_shared<exchange>("PUT", "", true)};
    lwspp::connection_ref c = lwspp::connection::create(l, fds[0], idle, {});
    c->start();
    auto owned = std::make_unique<lwspp::h2::client_session>(pool, 0);
    lwspp::h2::client_session& s = *owned;
    c->switch_role(s, std::move(owned));
    s.on_open(*c);
    for (auto& x : xs)
      if (s.can_take(*x)) s.start(x);
    std::string_view rest = input;
    bool paused = false;
    while (!rest.empty() && c->is_open()) {
      const std::string_view in = rest.substr(0, piece ? piece : rest.size());
      rest.remove_prefix(in.size());
      c->current_role().on_data(*c, in);
      if (!c->is_open()) break;
      paused = !paused;
      s.pause(*xs[0], paused);
      l.run_once(std::chrono::milliseconds(0));
      drain(fds[1]);
    }
    if (c->is_open()) {
      s.pause(*xs[0], false);
      s.abandon(*xs[1]);
      c->current_role().on_shutdown(*c);
    }
    l.run_once(std::chrono::milliseconds(0));
    drain(fds[1]);
    if (c->current_state() != lwspp::connection::state::closed) c->abort();
    l.run_once(std::chrono::milliseconds(0));
  }
  ::close(fds[1]);
  return 0;
}
