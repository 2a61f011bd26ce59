// connection::send(shared_slice): one buffer sent to several slow readers.
// What a socket cannot take at once waits in the write queue by reference
// (the buffer's count goes up, no copy per connection), arrives intact and
// in order, and is released when written; under TLS it is encrypted at once.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

TEST(shared_send, slow_readers_share_one_buffer_until_it_is_written) {
  constexpr std::size_t size = 4 * 1024 * 1024;
  constexpr int readers = 3;
  auto buf = std::make_shared<const std::string>(test::pattern(7, 0, size));
  std::atomic<int> queued{0};
  std::atomic<long> refs_while_queued{0};
  std::atomic<int> opened{0};
  lwspp::raw::handlers h;
  h.on_open = [&](lwspp::connection& c) {
    // The same slice twice: bytes after bytes, both by reference.
    const auto r1 = c.send(lwspp::shared_slice{buf, *buf});
    const auto r2 = c.send(lwspp::shared_slice{buf, std::string_view(*buf).substr(size / 2)});
    if (r1.status == lwspp::send_status::queued && r2.status == lwspp::send_status::queued)
      ++queued;
    if (++opened == readers) refs_while_queued = buf.use_count();
    c.close();  // after the queue has gone out
  };
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, std::move(h));
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  std::vector<int> fds;
  for (int i = 0; i < readers; ++i)
    fds.push_back(test::dial((*vh)->bound_address().port(), 4096));
  ASSERT_TRUE(test::wait_until([&] { return opened == readers; }));
  EXPECT_EQ(queued.load(), readers) << "4 MiB cannot go to a 4 KiB receive buffer at once";
  // Two references per connection (minus what the kernel took whole), plus ours.
  EXPECT_GE(refs_while_queued.load(), 1 + readers);
  const std::string want = *buf + buf->substr(size / 2);
  for (int fd : fds) {
    const std::string got = test::read_to_eof(fd);
    ::close(fd);
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want) << "bytes differ";
  }
  ASSERT_TRUE(test::wait_until([&] { return buf.use_count() == 1; }))
      << "the queues let go of the buffer: " << buf.use_count();
}

}  // namespace
