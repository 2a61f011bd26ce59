// Fault injection (src/util/fault.hpp; the dev preset builds with it): for
// each kind of call — read, write, accept, TLS step — the Nth one made on
// the server's loop thread fails, for N = 1, 2, ... until a whole exchange
// runs without reaching it. Every time, the client must see either the
// whole exchange or a clean end of the connection (EOF or reset): never a
// hang, never wrong or reordered bytes, never a crash; the server must then
// answer a fresh client; and ASan, at exit, must find nothing leaked.
//
// The clients are plain sockets on the test thread, or a second context on
// a thread of its own: fault counters are per thread, so only the server
// is hit.
#include <poll.h>
#include <sys/socket.h>

#include <future>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "../unit/tls/tls_test_support.hpp"
#include "lwspp/http_server.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"
#include "util/fault.hpp"
#include "ws_peer.hpp"

#ifdef LWSPP_FAULT_INJECTION

namespace {

using namespace std::chrono_literals;
using lwspp::fault::site;

enum class outcome { complete, closed, hung, wrong };

const char* name(outcome o) {
  switch (o) {
    case outcome::complete:
      return "complete";
    case outcome::closed:
      return "closed";
    case outcome::hung:
      return "hung";
    case outcome::wrong:
      return "wrong";
  }
  return "?";
}

// Runs fn on the context's loop thread and waits for it.
template <class F>
auto on_loop(lwspp::context& ctx, F fn) {
  std::promise<decltype(fn())> done;
  ctx.get_loop().post([&] { done.set_value(fn()); });
  return done.get_future().get();
}

// A blocking reader with a deadline per read: what ended it is the outcome.
class reader {
 public:
  explicit reader(int fd) : fd_(fd) {}
  // More bytes into buf; false at EOF, reset or timeout (see end()).
  bool more() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) {
      end_ = outcome::hung;
      return false;
    }
    char b[65536];
    const ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) {
      end_ = outcome::closed;
      return false;
    }
    buf.append(b, static_cast<std::size_t>(n));
    return true;
  }
  // One response with a Content-Length body: its body, or nullopt.
  std::optional<std::string> response() {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!more()) return std::nullopt;
    const std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    const std::size_t cl = head.find("content-length: ");
    if (head.rfind("HTTP/1.1 200 ", 0) != 0 || cl == std::string::npos) {
      end_ = outcome::wrong;
      return std::nullopt;
    }
    const std::size_t n = std::stoul(head.substr(cl + 16));
    while (buf.size() < n)
      if (!more()) return std::nullopt;
    std::string body = buf.substr(0, n);
    buf.erase(0, n);
    return body;
  }
  outcome end() const { return end_; }
  std::string buf;

 private:
  int fd_;
  outcome end_ = outcome::complete;
};

struct walked {
  int fired = 0;   // failures made
  int closed = 0;  // ...that ended the client's exchange early
};

// Walks N over one exchange for `s`.
template <class Exchange, class Fresh>
walked walk(lwspp::context& ctx, site s, Exchange exchange, Fresh fresh_client_served) {
  walked w;
  const char* from = std::getenv("FAULT_FROM");  // debugging: start the walk later
  for (std::uint64_t n = from ? std::strtoull(from, nullptr, 10) : 1; n < 400; ++n) {
    on_loop(ctx, [&] {
      lwspp::fault::arm(s, n);
      return true;
    });
    const outcome o = exchange();
    const bool fired = on_loop(ctx, [&] {
      lwspp::fault::disarm(s);
      return lwspp::fault::fired(s);
    });
    SCOPED_TRACE("site " + std::to_string(static_cast<int>(s)) + ", call " + std::to_string(n));
    EXPECT_NE(o, outcome::hung) << "the client waited 5 s for nothing";
    EXPECT_NE(o, outcome::wrong) << "the client got wrong bytes";
    if (!fired) {
      // Past the last call of the exchange: it must have run whole.
      EXPECT_EQ(o, outcome::complete) << name(o);
      break;
    }
    // A failed read or write ends the connection: the client sees it end
    // (closed), unless the failure came after the last byte it waited for
    // (the read of its FIN, say), when the exchange is complete. A lost byte
    // would show as a hang or as wrong bytes.
    ++w.fired;
    if (o == outcome::closed) ++w.closed;
    EXPECT_TRUE(fresh_client_served()) << "the server stopped answering";
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("site %d: %d calls failed in turn, %d of them ended the exchange early\n",
              static_cast<int>(s), w.fired, w.closed);
  return w;
}

// --- HTTP/1.1 ---------------------------------------------------------------

class fault_http : public ::testing::Test {
 protected:
  void SetUp() override {
    app.get("/hello",
            [](lwspp::http::request&, lwspp::http::response& res) { res.send("Hello, world!"); });
    app.post("/echo",
             [](lwspp::http::request& req, lwspp::http::response& res) { res.send(req.body()); });
    lwspp::ws::handlers h;
    h.message = [](lwspp::ws::socket& s, std::string_view msg, lwspp::ws::message_kind kind) {
      s.send(msg, kind);
    };
    app.ws("/ws", std::move(h), {.max_message_size = 1 << 20});
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run.emplace(ctx);
  }

  // Keep-alive GET, a 200 KiB POST echoed (several reads and writes), then
  // a GET that closes.
  outcome http_exchange() {
    const int fd = test::dial(port);
    if (fd < 0) return outcome::wrong;
    reader r(fd);
    const std::string body = test::pattern(9, 0, 200 * 1024);
    auto result = [&] {
      if (!test::write_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")) return outcome::closed;
      auto b = r.response();
      if (!b) return r.end();
      if (*b != "Hello, world!") return outcome::wrong;
      if (!test::write_all(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body))
        return outcome::closed;
      b = r.response();
      if (!b) return r.end();
      if (*b != body) return outcome::wrong;
      if (!test::write_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        return outcome::closed;
      b = r.response();
      if (!b) return r.end();
      if (*b != "Hello, world!") return outcome::wrong;
      if (r.more() || r.end() != outcome::closed) return outcome::wrong;  // EOF after close
      return outcome::complete;
    }();
    ::close(fd);
    return result;
  }

  // The handshake, three messages (one of 100 KiB) echoed, and a close.
  outcome ws_exchange() {
    test::ws_peer p(port);
    if (!p.ok()) return outcome::wrong;
    const int status = p.handshake("/ws");
    if (status == 0) return outcome::closed;
    if (status != 101) return outcome::wrong;
    const std::string big = test::pattern(4, 0, 100 * 1024);
    for (const std::string& m : {std::string("one"), big, std::string("three")}) {
      if (!p.send(test::op_binary, m)) return outcome::closed;  // pattern bytes are not UTF-8
      auto f = p.read_frame();
      if (!f) return outcome::closed;
      if (f->op == test::op_close) return outcome::closed;
      if (f->op != test::op_binary || f->payload != m) return outcome::wrong;
    }
    if (!p.send(test::op_close, test::close_payload(1000))) return outcome::closed;
    auto f = p.read_frame();
    if (!f) return outcome::closed;
    return f->op == test::op_close ? outcome::complete : outcome::wrong;
  }

  bool fresh_client_served() {
    const int fd = test::dial(port);
    reader r(fd);
    const bool ok = test::write_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") &&
                    r.response() == std::optional<std::string>("Hello, world!");
    ::close(fd);
    return ok;
  }

  lwspp::context ctx{{.level = lwspp::log_level::error}};
  lwspp::http::server app;
  std::uint16_t port = 0;
  std::optional<test::runner> run;
};

TEST_F(fault_http, every_read_write_and_accept_of_an_exchange) {
  for (const site s : {site::read, site::write}) {
    const walked w = walk(
        ctx, s, [this] { return http_exchange(); }, [this] { return fresh_client_served(); });
    EXPECT_GE(w.closed, 3) << "site " << static_cast<int>(s);
    if (HasFailure()) return;
  }
  // A failed accept (EMFILE) pauses the listener; the waiting client is
  // accepted when it resumes and gets its whole exchange.
  const walked w = walk(
      ctx, site::accept, [this] { return http_exchange(); },
      [this] { return fresh_client_served(); });
  EXPECT_GE(w.fired, 1);
  EXPECT_EQ(w.closed, 0);
}

TEST_F(fault_http, every_read_and_write_of_a_websocket_session) {
  for (const site s : {site::read, site::write}) {
    const walked w = walk(
        ctx, s, [this] { return ws_exchange(); }, [this] { return fresh_client_served(); });
    EXPECT_GE(w.closed, 3) << "site " << static_cast<int>(s);
    if (HasFailure()) return;
  }
}

// --- TLS ----------------------------------------------------------------------

// The client: a context of its own on its own thread, echoing lines through
// the server and recording how the connection ended.
struct tls_client {
  std::mutex m;
  std::string got;
  bool ended = false;
  std::promise<void> done;
};

TEST(fault_tls, every_tls_step_read_and_write_of_an_echo) {
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto vh =
      lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .tls = tls_test::localhost_server()},
                         {.on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); }});
  ASSERT_TRUE(vh) << vh.error().message();
  const std::string target = "localhost:" + std::to_string((*vh)->bound_address().port());
  test::runner run(ctx);
  lwspp::context cctx({.level = lwspp::log_level::error});
  test::runner crun(cctx);
  const std::string want = "first line\n" + test::pattern(5, 0, 50000) + "last line\n";

  auto exchange = [&] {
    auto c = std::make_shared<tls_client>();
    auto ended = c->done.get_future();
    lwspp::raw::connect(cctx, target,
                        {.on_open = [&want](lwspp::connection& conn) { conn.send(want); },
                         .on_data =
                             [c, &want](lwspp::connection& conn, std::string_view d) {
                               std::lock_guard lock(c->m);
                               c->got.append(d);
                               if (c->got.size() >= want.size()) conn.close();
                             },
                         .on_close =
                             [c](lwspp::connection&, const lwspp::close_reason&) {
                               std::lock_guard lock(c->m);
                               c->ended = true;
                               c->done.set_value();
                             }},
                        {.tls = tls_test::trusting_ca()});
    if (ended.wait_for(10s) != std::future_status::ready) return outcome::hung;
    std::lock_guard lock(c->m);
    if (c->got == want) return outcome::complete;
    return want.compare(0, c->got.size(), c->got) == 0 ? outcome::closed : outcome::wrong;
  };
  auto fresh = [&] { return exchange() == outcome::complete; };

  for (const site s : {site::tls, site::read, site::write}) {
    EXPECT_GE(walk(ctx, s, exchange, fresh).closed, 2) << "site " << static_cast<int>(s);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace

#else

TEST(fault, needs_the_fault_injection_build) {
  GTEST_SKIP() << "built without LWSPP_FAULT_INJECTION (the dev preset has it)";
}

#endif
