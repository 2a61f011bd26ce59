// connection::cork()/uncork(): small sends between them are held and leave
// together; a full batch, a large send, send_file and close() write what is
// held first, so the peer always gets every byte, in order. The peer is a
// plain socket; the server's handler stops at a gate while the test looks at
// what has reached that socket.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdlib>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

// The handler waits here until the test has checked the peer's socket.
struct gate {
  std::promise<void> reached;
  std::promise<void> checked;
  void wait_in_handler() {
    reached.set_value();
    checked.get_future().wait();
  }
};

// Bytes readable on fd within `limit` (0: none arrived).
std::size_t readable_within(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return 0;
  char buf[1 << 16];
  const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

class cork : public ::testing::Test {
 protected:
  // The scenario runs in the server's on_data, on the loop thread.
  void serve(std::function<void(lwspp::connection&)> scenario) {
    scenario_ = std::move(scenario);
    auto vh = lwspp::raw::listen(
        ctx_, {.listen = "127.0.0.1:0"},
        {.on_open = {},
         .on_data = [this](lwspp::connection& c, std::string_view) { scenario_(c); },
         .on_writable = {},
         .on_close = {}});
    ASSERT_TRUE(vh);
    run_.emplace(ctx_);
    fd_ = test::dial((*vh)->bound_address().port());
    ASSERT_GE(fd_, 0);
    ASSERT_TRUE(test::write_all(fd_, "go"));
  }
  ~cork() override {
    if (fd_ >= 0) ::close(fd_);
    run_.reset();
  }

  lwspp::context ctx_{{.level = lwspp::log_level::warn}};
  std::function<void(lwspp::connection&)> scenario_;
  std::optional<test::runner> run_;
  int fd_ = -1;
  gate gate_;
};

TEST_F(cork, small_sends_wait_for_uncork_then_leave_in_order) {
  serve([this](lwspp::connection& c) {
    c.cork();
    EXPECT_EQ(c.send("one,").status, lwspp::send_status::queued);
    c.send(std::string_view("two,"));
    c.send(std::string("three,"));  // adopted, not copied
    EXPECT_EQ(c.buffered(), 14u);
    gate_.wait_in_handler();
    c.uncork();
    EXPECT_EQ(c.buffered(), 0u);
  });
  gate_.reached.get_future().wait();
  EXPECT_EQ(readable_within(fd_, 50ms), 0u) << "corked bytes reached the peer";
  gate_.checked.set_value();
  EXPECT_EQ(test::read_exactly(fd_, 14), "one,two,three,");
}

TEST_F(cork, a_full_batch_goes_out_before_uncork) {
  constexpr std::size_t pieces = 2000, piece = 10;  // 20,000 bytes: over one batch
  serve([this](lwspp::connection& c) {
    c.cork();
    for (std::size_t i = 0; i < pieces; ++i)
      c.send(test::pattern(1, i * piece, piece));
    EXPECT_LT(c.buffered(), 16u * 1024);
    gate_.wait_in_handler();
    c.uncork();
  });
  gate_.reached.get_future().wait();
  EXPECT_GE(readable_within(fd_, 2000ms), 16u * 1024) << "a full batch was held";
  gate_.checked.set_value();
  EXPECT_TRUE(test::read_exactly(fd_, pieces * piece) == test::pattern(1, 0, pieces * piece));
}

TEST_F(cork, a_large_send_writes_what_is_held_first) {
  constexpr std::size_t large = 100 * 1024;
  serve([this](lwspp::connection& c) {
    c.cork();
    c.send("head,");
    c.send(test::pattern(2, 0, large));  // over the batch size: goes now
    gate_.wait_in_handler();
    c.uncork();
  });
  gate_.reached.get_future().wait();
  EXPECT_GT(readable_within(fd_, 2000ms), 0u) << "a large send was held";
  gate_.checked.set_value();
  EXPECT_EQ(test::read_exactly(fd_, 5), "head,");
  EXPECT_TRUE(test::read_exactly(fd_, large) == test::pattern(2, 0, large));
}

TEST_F(cork, close_while_corked_delivers_everything_then_eof) {
  serve([](lwspp::connection& c) {
    c.cork();
    c.send("last words");
    c.close();  // never uncorked
  });
  EXPECT_EQ(test::read_to_eof(fd_), "last words");
}

constexpr std::size_t file_size = 50'000;

TEST_F(cork, send_file_writes_what_is_held_first) {
  constexpr std::size_t size = file_size;
  char path[] = "/tmp/lwspp-cork-XXXXXX";
  const int file = ::mkstemp(path);
  ASSERT_GE(file, 0);
  ::unlink(path);
  const std::string content = test::pattern(3, 0, size);
  ASSERT_EQ(::write(file, content.data(), size), static_cast<ssize_t>(size));
  serve([file](lwspp::connection& c) {
    c.cork();
    c.send("file:");
    EXPECT_EQ(c.send_file(file, 0, file_size), file_size);
    c.uncork();
  });
  EXPECT_EQ(test::read_exactly(fd_, 5), "file:");
  EXPECT_TRUE(test::read_exactly(fd_, size) == test::pattern(3, 0, size));
  ::close(file);
}

}  // namespace
