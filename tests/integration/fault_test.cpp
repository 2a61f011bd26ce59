// Fault injection (src/util/fault.hpp; the dev preset builds with it): for
// each kind of call — read, write, accept, TLS step — the Nth one made on
// the server's loop thread fails, for N = 1, 2, ... until a whole exchange
// runs without reaching it (the walk and its checks: fault_walk.hpp), over
// HTTP/1.1, WebSocket, h2c, h2 over TLS and a raw TLS echo. Allocations:
// fault_alloc_test.cpp.
#include "fault_walk.hpp"

#ifdef LWSPP_FAULT_INJECTION

namespace {

using namespace fault_walk;

class fault_http : public ::testing::Test {
 protected:
  lwspp::context ctx{{.level = lwspp::log_level::error}};
  server srv{ctx};
  test::runner run{ctx};

  template <class Exchange>
  walked walk_site(site s, Exchange exchange) {
    return walk(ctx, s, exchange, [this] { return srv.fresh_client_served(); });
  }
};

TEST_F(fault_http, every_read_write_and_accept_of_an_exchange) {
  for (const site s : {site::read, site::write}) {
    const walked w = walk_site(s, [this] { return srv.http_exchange(); });
    EXPECT_GE(w.closed, 3) << "site " << static_cast<int>(s);
    if (HasFailure()) return;
  }
  // A failed accept (EMFILE) pauses the listener; the waiting client is
  // accepted when it resumes and gets its whole exchange.
  const walked w = walk_site(site::accept, [this] { return srv.http_exchange(); });
  EXPECT_GE(w.fired, 1);
  EXPECT_EQ(w.closed, 0);
}

TEST_F(fault_http, every_read_and_write_of_a_websocket_session) {
  for (const site s : {site::read, site::write}) {
    const walked w = walk_site(s, [this] { return srv.ws_exchange(); });
    EXPECT_GE(w.closed, 3) << "site " << static_cast<int>(s);
    if (HasFailure()) return;
  }
}

TEST_F(fault_http, every_read_write_and_accept_of_an_h2c_exchange) {
  for (const site s : {site::read, site::write}) {
    const walked w = walk_site(s, [this] { return srv.h2c_exchange(); });
    EXPECT_GE(w.closed, 2) << "site " << static_cast<int>(s);
    if (HasFailure()) return;
  }
  const walked w = walk_site(site::accept, [this] { return srv.h2c_exchange(); });
  EXPECT_GE(w.fired, 1);
  EXPECT_EQ(w.closed, 0);
}

TEST_F(fault_http, every_tls_step_read_and_write_of_an_h2_exchange_over_tls) {
  tls_client client;
  for (const site s : {site::tls, site::read, site::write}) {
    const walked w = walk_site(s, [&] { return srv.h2_tls_exchange(client); });
    EXPECT_GE(w.closed, 2) << "site " << static_cast<int>(s);
    if (HasFailure()) return;
  }
}

// --- a failed write followed by the peer's FIN in the same read --------------

// Found by `make soak`: a send that fails inside on_data leaves the
// connection closing; when the same readiness event then read the peer's
// FIN (a full 64 KiB read goes on reading), the close looked for the reason
// close() keeps and found none (a null dereference). The server reads only
// once the client's 64 KiB and FIN are both waiting.
TEST(fault_raw, a_failed_send_then_the_peers_fin_in_one_event) {
  struct seen {
    std::mutex m;
    lwspp::connection_handle conn;
    bool opened = false;
    std::optional<lwspp::close_reason> why;
  } s;
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto vh =
      lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"},
                         {.on_open =
                              [&s](lwspp::connection& c) {
                                c.pause_reading();
                                std::lock_guard lock(s.m);
                                s.conn = c.handle();
                                s.opened = true;
                              },
                          .on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); },
                          .on_close =
                              [&s](lwspp::connection&, const lwspp::close_reason& why) {
                                std::lock_guard lock(s.m);
                                s.why = why;
                              }});
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(test::write_all(fd, test::pattern(6, 0, lwspp::loop::read_buffer_size)));
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(s.m);
    return s.opened;
  }));
  on_loop(ctx, [&] {
    lwspp::fault::arm(site::write, 1);
    std::lock_guard lock(s.m);
    if (lwspp::connection* c = s.conn.get()) c->resume_reading();
    return true;
  });
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(s.m);
    return s.why.has_value();
  }));
  EXPECT_TRUE(on_loop(ctx, [] { return lwspp::fault::fired(site::write); }));
  {
    std::lock_guard lock(s.m);
    EXPECT_NE(s.why->message().find("write"), std::string::npos) << s.why->message();
  }
  ::close(fd);
}

// --- TLS ----------------------------------------------------------------------

TEST(fault_tls, every_tls_step_read_and_write_of_an_echo) {
  lwspp::context ctx({.level = lwspp::log_level::error});
  const std::string target = listen_tls_echo(ctx);
  ASSERT_FALSE(target.empty());
  test::runner run(ctx);
  tls_client client;
  auto exchange = [&] { return tls_echo_exchange(client, target); };
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
