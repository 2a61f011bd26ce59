// Allocation failures (src/util/fault.hpp, site::alloc; operator new is
// replaced by fault_new.cpp in this program only): the Nth allocation on the
// server's loop thread throws std::bad_alloc, for N = 1, 2, ... over a whole
// HTTP/1.1 exchange, a WebSocket session, an h2c exchange, an h2 exchange
// over TLS and a raw TLS echo. Every time (fault_walk.hpp): no crash, no
// std::terminate, the exchange completes or its connection ends (the server
// resets it: error::out_of_memory), a connection that was open meanwhile
// still gets answers, a fresh client is served, and ASan finds no leak.
#include "fault_walk.hpp"

#ifdef LWSPP_FAULT_INJECTION

namespace {

using namespace fault_walk;

// A keep-alive HTTP/1.1 connection opened before the walk: it must be
// answered after every failure, as other connections are untouched.
class bystander {
 public:
  explicit bystander(std::uint16_t port) : fd_(test::dial(port)), r_(fd_) {}
  ~bystander() { ::close(fd_); }
  bool answered() {
    return test::write_all(fd_, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") &&
           r_.response() == std::optional<std::string>("Hello, world!");
  }

 private:
  int fd_;
  reader r_;
};

class fault_alloc : public ::testing::Test {
 protected:
  template <class Exchange>
  walked walk_allocations(Exchange exchange) {
    bystander b(srv.port);
    EXPECT_TRUE(b.answered());
    return walk(
        ctx, site::alloc, exchange, [&] { return srv.fresh_client_served() && b.answered(); },
        20000);
  }

  lwspp::context ctx{{.level = lwspp::log_level::error}};
  server srv{ctx};
  test::runner run{ctx};
};

TEST_F(fault_alloc, every_allocation_of_an_http_exchange) {
  const walked w = walk_allocations([this] { return srv.http_exchange(); });
  EXPECT_GE(w.closed, 3);
}

TEST_F(fault_alloc, every_allocation_of_a_websocket_session) {
  const walked w = walk_allocations([this] { return srv.ws_exchange(); });
  EXPECT_GE(w.closed, 3);
}

TEST_F(fault_alloc, every_allocation_of_an_h2c_exchange) {
  const walked w = walk_allocations([this] { return srv.h2c_exchange(); });
  EXPECT_GE(w.closed, 3);
}

TEST_F(fault_alloc, every_allocation_of_an_h2_exchange_over_tls) {
  tls_client client;
  const walked w = walk_allocations([&] { return srv.h2_tls_exchange(client); });
  EXPECT_GE(w.closed, 3);
}

TEST(fault_alloc_tls, every_allocation_of_a_tls_echo) {
  lwspp::context ctx({.level = lwspp::log_level::error});
  const std::string target = listen_tls_echo(ctx);
  ASSERT_FALSE(target.empty());
  test::runner run(ctx);
  tls_client client;
  auto exchange = [&] { return tls_echo_exchange(client, target); };
  const walked w = walk(
      ctx, site::alloc, exchange, [&] { return exchange() == outcome::complete; }, 20000);
  EXPECT_GE(w.closed, 3);
}

// Deterministic: handlers that throw. The throwing connection is reset
// with a reason that says why; one open beside it goes on echoing, and a
// new one is accepted.
TEST(fault_handler, an_exception_closes_only_its_connection_with_a_reason) {
  struct seen {
    std::mutex m;
    std::vector<lwspp::close_reason> why;
  } s;
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"},
                               {.on_data =
                                    [](lwspp::connection& c, std::string_view d) {
                                      if (d == "oom") throw std::bad_alloc();
                                      if (d == "throw")
                                        throw std::runtime_error("the handler gave up");
                                      c.send(d);
                                    },
                                .on_close =
                                    [&s](lwspp::connection&, const lwspp::close_reason& why) {
                                      std::lock_guard lock(s.m);
                                      s.why.push_back(why);
                                    }});
  ASSERT_TRUE(vh);
  const std::uint16_t port = (*vh)->bound_address().port();
  test::runner run(ctx);
  const int other = test::dial(port);
  reader r(other);
  ASSERT_TRUE(test::write_all(other, "before"));
  ASSERT_TRUE(r.more());
  for (const std::string_view what : {"oom", "throw"}) {
    const int fd = test::dial(port);
    ASSERT_TRUE(test::write_all(fd, what));
    reader gone(fd);
    EXPECT_FALSE(gone.more());
    EXPECT_EQ(gone.end(), outcome::closed) << what;  // reset, not left hanging
    ::close(fd);
  }
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(s.m);
    return s.why.size() == 2;
  }));
  {
    std::lock_guard lock(s.m);
    EXPECT_TRUE(s.why[0].is(lwspp::error::out_of_memory)) << s.why[0].message();
    EXPECT_EQ(s.why[0].message(), "out of memory");
    EXPECT_TRUE(s.why[1].is(lwspp::error::handler_threw)) << s.why[1].message();
    EXPECT_NE(s.why[1].message().find("the handler gave up"), std::string::npos);
  }
  ASSERT_TRUE(test::write_all(other, "after"));
  while (r.buf.size() < 11 && r.more()) {
  }
  EXPECT_EQ(r.buf, "beforeafter");
  ::close(other);
}

}  // namespace

#else

TEST(fault_alloc, needs_the_fault_injection_build) {
  GTEST_SKIP() << "built without LWSPP_FAULT_INJECTION (the dev preset has it)";
}

#endif
