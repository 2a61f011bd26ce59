// connection::shutdown_write(): a half-close. The peer reads every byte that
// was queued, then EOF (under TLS: close_notify, then EOF), and can still
// send to us afterwards; sends after it are refused. Peers: a plain blocking
// socket, and a TLS client session driven over a blocking socket.
#include <poll.h>
#include <sys/socket.h>

#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "../unit/tls/tls_test_support.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"
#include "tls_peer.hpp"

namespace {

using namespace std::chrono_literals;

// What the server saw, written on the loop thread, read by the test.
struct server_log {
  std::mutex mu;
  std::string after;  // bytes read after shutdown_write()
  bool shut = false;
  bool shut_again = false;
  bool send_refused = false;
  bool closed = false;
  lwspp::close_reason why;

  std::string get_after() {
    std::lock_guard l(mu);
    return after;
  }
  bool is_closed() {
    std::lock_guard l(mu);
    return closed;
  }
};

// On the first read: send `size` bytes, then shut the write side down.
// Later reads are recorded.
lwspp::raw::handlers half_closer(server_log& log, std::size_t size) {
  return {.on_data =
              [&log, size](lwspp::connection& c, std::string_view d) {
                std::lock_guard l(log.mu);
                if (log.shut) {
                  log.after.append(d);
                  return;
                }
                c.send(test::pattern(7, 0, size));
                log.shut = c.shutdown_write() && c.write_shut_down();
                log.shut_again = c.shutdown_write();
                log.send_refused = c.send("too late").status == lwspp::send_status::refused;
              },
          .on_close =
              [&log](lwspp::connection&, const lwspp::close_reason& why) {
                std::lock_guard l(log.mu);
                log.closed = true;
                log.why = why;
              }};
}

void expect_half_closed(server_log& log) {
  std::lock_guard l(log.mu);
  EXPECT_TRUE(log.shut);
  EXPECT_TRUE(log.shut_again) << "a second call is not an error";
  EXPECT_TRUE(log.send_refused);
}

class shutdown_write_plain : public ::testing::TestWithParam<std::size_t> {};

// 0 bytes: the FIN goes at once; 4 MiB: far more than the socket takes, so
// the FIN waits for the queue to drain while the peer reads.
TEST_P(shutdown_write_plain, peer_reads_everything_then_eof_and_can_still_send) {
  const std::size_t size = GetParam();
  server_log log;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, half_closer(log, size));
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(test::write_all(fd, "go"));
  const std::string got = test::read_to_eof(fd);
  EXPECT_EQ(got.size(), size);
  EXPECT_TRUE(got == test::pattern(7, 0, size)) << "bytes differ";
  expect_half_closed(log);
  EXPECT_FALSE(log.is_closed()) << "a half-close is not a close";

  ASSERT_TRUE(test::write_all(fd, "still talking"));
  EXPECT_TRUE(test::wait_until([&] { return log.get_after() == "still talking"; }))
      << log.get_after();
  ::shutdown(fd, SHUT_WR);  // our FIN: the server closes (raw's default)
  EXPECT_TRUE(test::wait_until([&] { return log.is_closed(); }));
  {
    std::lock_guard l(log.mu);
    EXPECT_TRUE(log.why.clean()) << log.why.message();
  }
  ::close(fd);
}

INSTANTIATE_TEST_SUITE_P(sizes, shutdown_write_plain, ::testing::Values(0u, 4u << 20));

TEST(shutdown_write_tls, close_notify_then_eof_and_the_peer_can_still_send) {
  constexpr std::size_t size = 300 * 1024;  // several records, more than one write
  server_log log;
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(
      ctx,
      {.listen = "127.0.0.1:0",
       .tls = lwspp::tls_server_options{.certificates = {tls_test::in_memory(
                                            tls_test::test_pki().localhost_ec)}}},
      half_closer(log, size));
  ASSERT_TRUE(vh) << vh.error().message();
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_GE(fd, 0);
  auto cc = tls_test::client({.ca_pem = tls_test::test_pki().ca.cert_pem});
  ASSERT_TRUE(cc);
  auto s = tls_test::client_session(*cc);
  ASSERT_TRUE(s);

  tls_peer::outcome hs =
      tls_peer::run(*s, fd, [](const tls_peer::outcome& o) { return o.handshake_done; });
  ASSERT_TRUE(hs.handshake_done);
  ASSERT_EQ(s->write("go"), 2u);
  // Until close_notify: every byte, then the alert (not a bare EOF).
  tls_peer::outcome o = tls_peer::run(*s, fd, [](const tls_peer::outcome&) { return false; });
  EXPECT_TRUE(o.closed) << "no close_notify";
  EXPECT_FALSE(o.failed);
  EXPECT_EQ(o.data.size(), size);
  EXPECT_TRUE(o.data == test::pattern(7, 0, size)) << "bytes differ";
  // ...and then the FIN.
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0) << "no EOF after close_notify";
  expect_half_closed(log);

  // TLS 1.3 lets us write after the server's close_notify (RFC 8446 §6.1).
  ASSERT_EQ(s->write("still talking"), 13u);
  ASSERT_TRUE(tls_peer::flush(*s, fd));
  EXPECT_TRUE(test::wait_until([&] { return log.get_after() == "still talking"; }))
      << log.get_after();
  s->close();  // our close_notify and FIN: the server closes
  ASSERT_TRUE(tls_peer::flush(*s, fd));
  ::shutdown(fd, SHUT_WR);
  EXPECT_TRUE(test::wait_until([&] { return log.is_closed(); }));
  {
    std::lock_guard l(log.mu);
    EXPECT_TRUE(log.why.clean()) << log.why.message();
  }
  ::close(fd);
}

}  // namespace
