// The walk of the fault tests (fault_test.cpp: reads, writes, accepts, TLS
// steps; fault_alloc_test.cpp: allocations): for N = 1, 2, ... the Nth call
// of one kind on the server's loop thread fails, until a whole exchange
// runs without reaching it. Every time, the client must see either the
// whole exchange or a clean end of the connection (EOF or reset): never a
// hang, never wrong or reordered bytes, never a crash; the server must then
// answer a fresh client; and ASan, at exit, must find nothing leaked.
//
// Also the server every walk runs against and the exchanges: HTTP/1.1,
// WebSocket, h2c (prior knowledge) and h2 over TLS, all of one
// http::server. Clients are plain sockets on the test thread, or a second
// context on a thread of its own: fault counters are per thread, so only
// the server is hit.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <future>
#include <mutex>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "../unit/tls/tls_test_support.hpp"
#include "h2_peer.hpp"
#include "lwspp/http_server.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"
#include "util/fault.hpp"
#include "ws_peer.hpp"

namespace fault_walk {

using namespace std::chrono_literals;
using lwspp::fault::site;

enum class outcome { complete, closed, hung, wrong };

inline const char* name(outcome o) {
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

// Walks N over one exchange for `s`, up to `limit` calls.
template <class Exchange, class Fresh>
walked walk(lwspp::context& ctx, site s, Exchange exchange, Fresh fresh_client_served,
            std::uint64_t limit = 400) {
  walked w;
  const char* from = std::getenv("FAULT_FROM");  // debugging: start the walk later
  std::uint64_t n = from ? std::strtoull(from, nullptr, 10) : 1;
  for (; n < limit; ++n) {
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
    // A failure ends the connection: the client sees it end (closed),
    // unless the failure came after the last byte it waited for (the read
    // of its FIN, say), when the exchange is complete. A lost byte would
    // show as a hang or as wrong bytes.
    ++w.fired;
    if (o == outcome::closed) ++w.closed;
    EXPECT_TRUE(fresh_client_served()) << "the server stopped answering";
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_LT(n, limit) << "the exchange makes more calls than the walk's limit";
  std::printf("site %d: %d calls failed in turn, %d of them ended the exchange early\n",
              static_cast<int>(s), w.fired, w.closed);
  return w;
}

// The client of a TLS exchange: a context of its own on its own thread
// (the walk arms only the server's), recording how the connection ended.
class tls_client {
 public:
  tls_client() : run_(ctx_) {}
  // Connects to target (localhost:port) with `alpn`; on_open and on_data
  // say what to send and return true when the exchange is complete (the
  // client then closes). Waits for the close.
  template <class Open, class Data>
  bool exchange(const std::string& target, std::vector<std::string> alpn, Open open, Data data) {
    auto done = std::make_shared<std::promise<void>>();
    auto ended = done->get_future();
    lwspp::tls_client_options tls = tls_test::trusting_ca();
    tls.alpn = std::move(alpn);
    lwspp::raw::connect(
        ctx_, target,
        {.on_open = [open](lwspp::connection& c) { c.send(open()); },
         .on_data =
             [data](lwspp::connection& c, std::string_view d) {
               std::string reply;
               if (data(d, reply)) c.close();
               if (!reply.empty()) c.send(reply);
             },
         .on_close = [done](lwspp::connection&, const lwspp::close_reason&) { done->set_value(); }},
        {.tls = std::move(tls)});
    return ended.wait_for(10s) == std::future_status::ready;
  }

 private:
  lwspp::context ctx_{{.level = lwspp::log_level::error}};
  test::runner run_;
};

// A line, 50 KB and a line through a TLS echo server at target: the
// client closes once it has them all back.
inline outcome tls_echo_exchange(tls_client& client, const std::string& target) {
  static const std::string want = "first line\n" + test::pattern(5, 0, 50000) + "last line\n";
  auto got = std::make_shared<std::string>();
  auto m = std::make_shared<std::mutex>();
  const bool ended = client.exchange(
      target, {}, [] { return want; },
      [got, m](std::string_view d, std::string&) {
        std::lock_guard lock(*m);
        got->append(d);
        return got->size() >= want.size();
      });
  if (!ended) return outcome::hung;
  std::lock_guard lock(*m);
  if (*got == want) return outcome::complete;
  return want.compare(0, got->size(), *got) == 0 ? outcome::closed : outcome::wrong;
}

// A TLS echo server (raw role) on ctx: its target, "localhost:PORT".
inline std::string listen_tls_echo(lwspp::context& ctx) {
  auto vh =
      lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .tls = tls_test::localhost_server()},
                         {.on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); }});
  EXPECT_TRUE(vh) << vh.error().message();
  return vh ? "localhost:" + std::to_string((*vh)->bound_address().port()) : std::string();
}

// An http::server on ctx, plain and TLS, and the exchanges the walks run.
class server {
 public:
  explicit server(lwspp::context& ctx) {
    using lwspp::http::request;
    using lwspp::http::response;
    app_.get("/hello", [](request&, response& res) { res.send("Hello, world!"); });
    app_.post("/echo", [](request& req, response& res) { res.send(req.body()); });
    app_.get("/big", [](request&, response& res) { res.send(test::h2_peer::big_body()); });
    lwspp::ws::handlers h;
    h.message = [](lwspp::ws::socket& s, std::string_view msg, lwspp::ws::message_kind kind) {
      s.send(msg, kind);
    };
    app_.ws("/ws", std::move(h), {.max_message_size = 1 << 20});
    auto vh = app_.listen(ctx, {.listen = "127.0.0.1:0"});
    EXPECT_TRUE(vh) << vh.error().message();
    if (vh) port = (*vh)->bound_address().port();
    auto tvh = app_.listen(ctx, {.listen = "127.0.0.1:0", .tls = tls_test::localhost_server()});
    EXPECT_TRUE(tvh) << tvh.error().message();
    if (tvh) tls_target = "localhost:" + std::to_string((*tvh)->bound_address().port());
  }

  // Keep-alive GET, a 200 KiB POST echoed (several reads and writes), then
  // a GET that closes.
  outcome http_exchange() const {
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
  outcome ws_exchange() const {
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

  // HTTP/2 with prior knowledge: the three streams of test::h2_peer.
  outcome h2c_exchange() const {
    const int fd = test::dial(port);
    if (fd < 0) return outcome::wrong;
    test::h2_peer p;
    reader r(fd);
    outcome o = outcome::complete;
    while (!p.complete()) {
      const std::string out = p.take_output();
      if (!out.empty() && !test::write_all(fd, out)) {
        o = outcome::closed;
        break;
      }
      if (p.wrong() || p.ended_early()) break;
      if (!r.more()) {
        o = r.end();
        break;
      }
      p.feed(r.buf);
      r.buf.clear();
    }
    ::close(fd);
    return judge(p, o);
  }

  // The same streams over TLS (ALPN h2), from a client context's thread.
  outcome h2_tls_exchange(tls_client& client) const {
    auto p = std::make_shared<test::h2_peer>();
    auto m = std::make_shared<std::mutex>();
    const bool ended = client.exchange(
        tls_target, {"h2"},
        [p, m] {
          std::lock_guard lock(*m);
          return p->take_output();
        },
        [p, m](std::string_view d, std::string& reply) {
          std::lock_guard lock(*m);
          p->feed(d);
          reply = p->take_output();
          return p->complete() || p->wrong() || p->ended_early();
        });
    std::lock_guard lock(*m);
    return judge(*p, ended ? outcome::closed : outcome::hung);
  }

  bool fresh_client_served() const {
    const int fd = test::dial(port);
    reader r(fd);
    const bool ok = test::write_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") &&
                    r.response() == std::optional<std::string>("Hello, world!");
    ::close(fd);
    return ok;
  }

  std::uint16_t port = 0;
  std::string tls_target;

 private:
  static outcome judge(const test::h2_peer& p, outcome transport) {
    if (p.wrong()) return outcome::wrong;
    if (p.complete()) return outcome::complete;
    if (p.ended_early()) return outcome::closed;
    return transport == outcome::complete ? outcome::wrong : transport;
  }

  lwspp::http::server app_;
};

}  // namespace fault_walk
