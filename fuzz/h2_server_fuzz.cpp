// libFuzzer target for the HTTP/2 server session (src/h2/server_session.*,
// stream.*, request_head.*): arbitrary bytes fed as what a client sent, to a
// real session on a real connection (one end of a socketpair; the other end
// is drained and dropped). Routes: a whole-body echo, a streamed upload
// whose handler pauses and resumes the body, a streamed response written in
// pieces, a 404 and a 405, so that every body plan and output path runs.
//
// The first byte picks the piece size the rest is fed in (0: whole). Input
// that does not begin with the client preface gets it prepended, so the
// fuzzer spends its time on frames. The sanitizers are the checks: no
// crash, leak, overflow or use after free, whatever the frames.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "h2/frame_types.hpp"
#include "h2/server_session.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/loop.hpp"

namespace {

using lwspp::http::request;
using lwspp::http::response;

struct dummy_role final : lwspp::role {
  void on_data(lwspp::connection&, std::string_view) override {}
};

lwspp::http::server::impl& make_server() {
  static lwspp::http::server::impl srv;
  auto add = [](lwspp::http::method m, std::string path, lwspp::http::handler h) {
    auto r = std::make_unique<lwspp::http::route_rule>();
    r->path = std::move(path);
    r->verb = m;
    r->h = std::move(h);
    srv.routes.push_back(std::move(r));
  };
  add(lwspp::http::method::post, "/echo",
      {.on_request = [](request& req, response& res) { res.send(req.body()); }, .max_body = 4096});
  add(lwspp::http::method::put, "/upload",
      {.on_request = [](request&, response&) {},
       .on_body =
           [](request& req, response&, std::string_view piece) {
             // Pause on every other piece and resume at once: held bytes.
             if (piece.size() % 2) {
               req.pause_body();
               req.resume_body();
             }
           },
       .on_body_end = [](request&, response& res) { res.send("done"); },
       .max_body = 1 << 20});
  add(lwspp::http::method::get, "/stream", {.on_request = [](request&, response& res) {
        for (int i = 0; i < 4; ++i)
          res.write(std::string(20000, 'x'));
        res.end();
      }});
  srv.fixed_fields = "server: fuzz\r\n";
  return srv;
}

void drain(int fd) {
  char buf[65536];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static lwspp::http::server::impl& srv = make_server();
  static lwspp::loop l;
  static dummy_role idle;
  if (size == 0) return 0;
  const std::size_t piece = bytes[0];
  std::string input(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  if (!input.starts_with(lwspp::h2::client_preface.substr(0, 4)))
    input.insert(0, lwspp::h2::client_preface);

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  {
    lwspp::connection_ref c = lwspp::connection::create(l, fds[0], idle, {});
    c->start();
    lwspp::h2::server_session::start(srv, *c, {});
    std::string_view rest = input;
    while (!rest.empty() && c->is_open()) {
      const std::string_view in = rest.substr(0, piece ? piece : rest.size());
      rest.remove_prefix(in.size());
      c->current_role().on_data(*c, in);
      l.run_once(std::chrono::milliseconds(0));
      drain(fds[1]);
    }
    if (c->is_open()) c->current_role().on_shutdown(*c);
    l.run_once(std::chrono::milliseconds(0));
    drain(fds[1]);
    if (c->current_state() != lwspp::connection::state::closed) c->abort();
    l.run_once(std::chrono::milliseconds(0));
  }
  ::close(fds[1]);
  return 0;
}
