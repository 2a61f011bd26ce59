// lwspp-test-labels: threads
// Lifetimes and close reasons: graceful stop drains queued bytes, refused and
// unresolvable targets, idle timeout, peer close, abort (RST), connection
// caps, adopted pipes and files, UDP.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>

#include "lwspp/raw.hpp"
#include "lwspp/udp.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

// Records the close reason of one client connection.
struct outcome {
  std::mutex mu;
  std::atomic<bool> done{false};
  std::atomic<bool> opened{false};
  lwspp::close_reason reason;
  std::string received;

  lwspp::raw::handlers handlers() {
    return {
        .on_open = [this](lwspp::connection&) { opened = true; },
        .on_data =
            [this](lwspp::connection&, std::string_view b) {
              std::lock_guard lock(mu);
              received.append(b);
            },
        .on_writable = {},
        .on_close =
            [this](lwspp::connection&, const lwspp::close_reason& why) {
              std::lock_guard lock(mu);
              reason = why;
              done = true;
            },
    };
  }
};

TEST(lifecycle, graceful_stop_loses_no_queued_bytes) {
  constexpr std::size_t total = 8 * 1024 * 1024;
  lwspp::context ctx({.level = lwspp::log_level::warn, .drain_timeout = 10s});
  std::atomic<bool> queued{false};
  lwspp::raw::handlers h{
      .on_open =
          [&](lwspp::connection& c) {
            // Everything at once: most of it waits in the write queue.
            auto r = c.send(test::pattern(1, 0, total));
            EXPECT_EQ(r.status, lwspp::send_status::queued);
            queued = true;
          },
      .on_data = {},
      .on_writable = {},
      .on_close = {},
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  std::thread server([&] { ctx.run(); });
  const int fd = test::dial((*vh)->bound_address().port(), 4096);
  ASSERT_TRUE(test::wait_until([&] { return queued.load(); }));
  ctx.stop();  // from another thread, with megabytes still queued
  const std::string got = test::read_to_eof(fd);
  server.join();  // run() returns once the drain is done
  ::close(fd);
  ASSERT_EQ(got.size(), total);
  EXPECT_TRUE(got == test::pattern(1, 0, total));
  // No new connections after the stop.
  EXPECT_LT(test::dial((*vh)->bound_address().port()), 0);
}

TEST(lifecycle, drain_deadline_aborts_a_peer_that_never_reads) {
  lwspp::context ctx({.level = lwspp::log_level::warn, .drain_timeout = 200ms});
  outcome server_side;
  auto h = server_side.handlers();
  h.on_open = [](lwspp::connection& c) { c.send(std::string(8 * 1024 * 1024, 'z')); };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  std::thread server([&] { ctx.run(); });
  const int fd = test::dial((*vh)->bound_address().port(), 4096);
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  ctx.stop();
  server.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE(server_side.done.load());
  EXPECT_TRUE(server_side.reason.is(lwspp::error::server_stopping)) << server_side.reason.message();
  ::close(fd);
}

TEST(lifecycle, connect_to_closed_port_is_refused) {
  // Port 1 (tcpmux) has no listener on a test machine.
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome o;
  lwspp::raw::connect(ctx, "127.0.0.1:1", o.handlers());
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return o.done.load(); }));
  EXPECT_FALSE(o.opened.load());
  EXPECT_TRUE(o.reason.is(lwspp::error::connection_refused)) << o.reason.message();
  EXPECT_EQ(o.reason.message(), "connection refused: 127.0.0.1:1");
}

TEST(lifecycle, unknown_host_is_a_dns_failure) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome o;
  lwspp::raw::connect(ctx, "no-such-host.invalid:80", o.handlers());
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return o.done.load(); }));
  EXPECT_TRUE(o.reason.is(lwspp::error::dns_failed)) << o.reason.message();
  EXPECT_NE(o.reason.detail.find("no-such-host.invalid"), std::string::npos);
}

TEST(lifecycle, bad_targets_fail_with_invalid_address) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome a, b;
  lwspp::raw::connect(ctx, "127.0.0.1:99999", a.handlers());
  lwspp::raw::connect(ctx, "unix:/nonexistent/dir/x.sock", b.handlers());
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return a.done && b.done; }));
  EXPECT_TRUE(a.reason.is(lwspp::error::invalid_address)) << a.reason.message();
  EXPECT_FALSE(b.reason.clean()) << b.reason.message();
  EXPECT_NE(b.reason.message().find("/nonexistent/dir/x.sock"), std::string::npos)
      << b.reason.message();
}

TEST(lifecycle, idle_timeout_closes_with_reason) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome server_side;
  auto vh =
      lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .connection = {.idle_timeout = 150ms}},
                         server_side.handlers());
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  const auto start = std::chrono::steady_clock::now();
  // Traffic keeps it alive...
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(test::write_all(fd, "x"));
  }
  EXPECT_FALSE(server_side.done.load());
  // ...silence ends it.
  ASSERT_TRUE(test::wait_until([&] { return server_side.done.load(); }, 5s));
  EXPECT_GT(std::chrono::steady_clock::now() - start, 400ms);
  EXPECT_TRUE(server_side.reason.is(lwspp::error::idle_timeout)) << server_side.reason.message();
  EXPECT_EQ(test::read_to_eof(fd), "");  // the server's FIN
  ::close(fd);
}

TEST(lifecycle, peer_close_and_abort) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome server_side;
  auto h = server_side.handlers();
  h.on_data = [](lwspp::connection& c, std::string_view b) {
    if (b == "abort") c.abort();
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  // Peer closes: the server sees peer_closed.
  int fd = test::dial((*vh)->bound_address().port());
  ::shutdown(fd, SHUT_WR);
  ASSERT_TRUE(test::wait_until([&] { return server_side.done.load(); }));
  EXPECT_TRUE(server_side.reason.is(lwspp::error::peer_closed)) << server_side.reason.message();
  EXPECT_TRUE(server_side.reason.clean());
  ::close(fd);
  // Server aborts: the peer sees a reset, the server sees aborted.
  server_side.done = false;
  fd = test::dial((*vh)->bound_address().port());
  ASSERT_TRUE(test::write_all(fd, "abort"));
  ASSERT_TRUE(test::wait_until([&] { return server_side.done.load(); }));
  EXPECT_TRUE(server_side.reason.is(lwspp::error::aborted));
  char c;
  EXPECT_EQ(::read(fd, &c, 1), -1);
  EXPECT_EQ(errno, ECONNRESET);
  ::close(fd);
}

// A peer that resets while we wait for its FIN (our close already flushed
// and shut down) changes nothing about why we closed: on_close gets the
// reason given to close(), not peer_reset. (A TLS alert followed by a reset
// from the peer lost the TLS reason this way.)
TEST(lifecycle, a_reset_during_the_linger_keeps_the_close_reason) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome server_side;
  auto h = server_side.handlers();
  h.on_data = [](lwspp::connection& c, std::string_view) {
    c.close(lwspp::close_reason(lwspp::error::protocol_error, "the reason given", 42));
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_TRUE(test::write_all(fd, "x"));
  char c;
  EXPECT_EQ(::read(fd, &c, 1), 0);  // the server's FIN: it now lingers for ours
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);  // RST instead
  ASSERT_TRUE(test::wait_until([&] { return server_side.done.load(); }));
  std::lock_guard lock(server_side.mu);
  EXPECT_TRUE(server_side.reason.is(lwspp::error::protocol_error)) << server_side.reason.message();
  EXPECT_EQ(server_side.reason.detail, "the reason given");
  EXPECT_EQ(server_side.reason.protocol_code, 42);
}

TEST(lifecycle, connection_cap_refuses_extra_connections) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  std::atomic<int> opened{0};
  lwspp::raw::handlers h{.on_open = [&](lwspp::connection&) { ++opened; },
                         .on_data = {},
                         .on_writable = {},
                         .on_close = {}};
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .max_connections = 3}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i)
    fds.push_back(test::dial((*vh)->bound_address().port()));
  ASSERT_TRUE(test::wait_until([&] { return (*vh)->refused_total() == 2; }));
  EXPECT_EQ(opened.load(), 3);
  EXPECT_EQ((*vh)->connection_count(), 3u);
  // The existing ones still work; a freed slot admits a new connection.
  ::close(fds[0]);
  ASSERT_TRUE(test::wait_until([&] { return (*vh)->connection_count() == 2; }));
  fds.push_back(test::dial((*vh)->bound_address().port()));
  EXPECT_TRUE(test::wait_until([&] { return opened.load() == 4; }));
  for (int fd : fds)
    ::close(fd);
}

TEST(lifecycle, adopt_a_pipe_and_a_file) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  outcome from_pipe;
  auto h = lwspp::raw::adopt(ctx, p[0], from_pipe.handlers());
  ASSERT_TRUE(h) << h.error().message();

  const std::string path = "/tmp/lwspp-adopt-" + std::to_string(::getpid());
  const std::string content = test::pattern(3, 0, 300000);
  std::ofstream(path, std::ios::binary) << content;
  outcome from_file;
  auto fh =
      lwspp::raw::adopt(ctx, ::open(path.c_str(), O_RDONLY | O_CLOEXEC), from_file.handlers());
  ASSERT_TRUE(fh) << fh.error().message();

  test::runner run(ctx);
  ASSERT_EQ(::write(p[1], "through the pipe", 16), 16);
  ::close(p[1]);
  ASSERT_TRUE(test::wait_until([&] { return from_pipe.done && from_file.done; }));
  EXPECT_EQ(from_pipe.received, "through the pipe");
  EXPECT_TRUE(from_pipe.reason.is(lwspp::error::peer_closed)) << from_pipe.reason.message();
  EXPECT_TRUE(from_file.received == content);
  ::unlink(path.c_str());
}

TEST(lifecycle, udp_datagrams_round_trip) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  lwspp::loop& l = ctx.get_loop();
  auto server = lwspp::udp_socket::bind(
      l, "127.0.0.1:0",
      {.on_datagram =
           [](lwspp::udp_socket& s, std::string_view d, const lwspp::address& from) {
             EXPECT_TRUE(s.send_to(from, std::string(d) + "!"));
           },
       .on_error = {}});
  ASSERT_TRUE(server) << server.error().message();
  std::atomic<int> replies{0};
  std::mutex mu;
  std::vector<std::string> got;
  auto client = lwspp::udp_socket::bind(
      l, "127.0.0.1:0",
      {.on_datagram =
           [&](lwspp::udp_socket&, std::string_view d, const lwspp::address&) {
             std::lock_guard lock(mu);
             got.emplace_back(d);
             ++replies;
           },
       .on_error = {}});
  ASSERT_TRUE(client);
  const lwspp::address to = (*server)->local();
  for (int i = 0; i < 10; ++i)
    l.post([&, i] { EXPECT_TRUE((*client)->send_to(to, "d" + std::to_string(i))); });
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return replies.load() == 10; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(got.front(), "d0!");
  ctx.stop_now();
}

}  // namespace

namespace {

TEST(lifecycle, peer_and_local_addresses) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  std::mutex mu;
  std::string server_peer, server_local, client_peer, client_local;
  std::atomic<int> seen{0};
  auto vh =
      lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, {.on_open = [&](lwspp::connection& c) {
                           std::lock_guard lock(mu);
                           server_peer = c.peer().to_string();
                           server_local = c.local().to_string();
                           ++seen;
                         }});
  ASSERT_TRUE(vh);
  const std::string bound = (*vh)->bound_address().to_string();
  lwspp::raw::connect(ctx, bound, {.on_open = [&](lwspp::connection& c) {
                        std::lock_guard lock(mu);
                        client_peer = c.peer().to_string();
                        client_local = c.local().to_string();
                        ++seen;
                      }});
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return seen.load() == 2; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(server_local, bound);
  EXPECT_EQ(client_peer, bound);
  EXPECT_EQ(server_peer, client_local);
  EXPECT_EQ(server_peer.rfind("127.0.0.1:", 0), 0u) << server_peer;
}

}  // namespace

namespace {

// A listener whose accept queue is full and never drained: the kernel drops
// further SYNs, so a connect can only end by its timeout.
TEST(lifecycle, connect_timeout_when_nothing_answers) {
  const int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(l, 0), 0);
  socklen_t len = sizeof a;
  ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  const std::uint16_t port = ntohs(a.sin_port);
  // Fill the accept queue (backlog 0 holds one; a few more to be sure).
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(f);
  }
  std::this_thread::sleep_for(50ms);
  lwspp::context ctx({.level = lwspp::log_level::warn});
  outcome o;
  const auto start = std::chrono::steady_clock::now();
  lwspp::raw::connect(ctx, "127.0.0.1:" + std::to_string(port), o.handlers(),
                      {.connect_timeout = 300ms});
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return o.done.load(); }, 10s));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(o.reason.is(lwspp::error::connect_timeout)) << o.reason.message();
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
  EXPECT_NE(o.reason.detail.find("after 300 ms"), std::string::npos) << o.reason.detail;
  for (int f : fillers)
    ::close(f);
  ::close(l);
}

}  // namespace
