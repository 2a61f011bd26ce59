// http::compressor / http::decompressor: round trips through gzip and br
// with inputs of many sizes fed in random chunk sizes, checked by our own
// decoder and by the system's `gzip -dc` / `brotli -dc` (real peers; those
// cases skip when the tool is missing: scripts/install-deps test installs
// both); streams made by the system tools decoded by ours; sync flush; the
// decompressed-size limit (bomb defence); corrupt, truncated and trailing
// input.
#include "http/compressor.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace http = lwspp::http;
using http::coding_error;
using http::content_coding;

namespace {

// Text-like input (compressible) or random bytes (not), deterministic.
std::string make_input(std::size_t n, bool text, unsigned seed) {
  static const char* words[] = {"lwspp ",     "gzip ",
                                "brotli ",    "<div class=\"x\">",
                                "\r\n",       "{\"key\": 123}, ",
                                "0123456789", "the quick brown fox "};
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n + 32);
  while (s.size() < n) {
    if (text) {
      s += words[rng() % std::size(words)];
    } else {
      s.push_back(static_cast<char>(rng() & 0xff));
    }
  }
  s.resize(n);
  return s;
}

// Feeds `in` in random chunk sizes (1 .. max_chunk), sometimes flushing.
std::string compress_chunked(content_coding c, std::string_view in, std::mt19937& rng,
                             std::size_t max_chunk, bool with_flushes, int level = -1) {
  auto z = http::compressor::make(c, level);
  EXPECT_NE(z, nullptr);
  if (z == nullptr) return {};
  std::string out;
  while (!in.empty()) {
    const std::size_t n = std::min<std::size_t>(in.size(), 1 + rng() % max_chunk);
    EXPECT_TRUE(z->write(in.substr(0, n), out, false));
    in.remove_prefix(n);
    if (with_flushes && rng() % 4 == 0) {
      EXPECT_TRUE(z->flush(out));
    }
  }
  EXPECT_TRUE(z->write({}, out, true));
  EXPECT_TRUE(z->finished());
  return out;
}

lwspp::result<std::string> decompress_chunked(
    content_coding c, std::string_view in, std::mt19937& rng, std::size_t max_chunk,
    std::uint64_t limit = http::default_max_decompressed) {
  auto d = http::decompressor::make(c, limit);
  EXPECT_NE(d, nullptr);
  std::string out;
  while (!in.empty()) {
    const std::size_t n = std::min<std::size_t>(in.size(), 1 + rng() % max_chunk);
    if (auto r = d->write(in.substr(0, n), out); !r) return r.error();
    in.remove_prefix(n);
  }
  if (auto r = d->finish(); !r) return r.error();
  EXPECT_EQ(d->total_out(), out.size());
  return out;
}

bool have_tool(const char* name) {
  const std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lwspp-coding.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

void write_file(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs `tool -dc` (or -c) on `in` through files; nullopt-like: empty + false on failure.
bool run_tool(const std::string& tool_args, std::string_view in, std::string& out) {
  temp_dir dir;
  write_file(dir.path / "in", in);
  const std::string cmd = tool_args + " <'" + (dir.path / "in").string() + "' >'" +
                          (dir.path / "out").string() + "' 2>'" + (dir.path / "err").string() + "'";
  const int rc = std::system(cmd.c_str());
  out = read_file(dir.path / "out");
  if (rc != 0) ADD_FAILURE() << tool_args << " failed: " << read_file(dir.path / "err");
  return rc == 0;
}

const char* tool_of(content_coding c) {
  return c == content_coding::gzip ? "gzip" : "brotli";
}

class coding_test : public ::testing::TestWithParam<content_coding> {
 protected:
  void SetUp() override {
    if (!http::coding_available(GetParam())) GTEST_SKIP() << "coding not built in";
  }
};

const std::size_t sizes[] = {0, 1, 2, 17, 1000, 4096, 65535, 65536, 65537, 300000, 1 << 20};

TEST_P(coding_test, round_trip_own_decoder_random_chunks) {
  std::mt19937 rng(42);
  for (std::size_t n : sizes) {
    for (bool text : {true, false}) {
      for (std::size_t max_chunk : {std::size_t{1}, std::size_t{7}, std::size_t{5000}, n + 1}) {
        if (max_chunk == 1 && n > 70000) continue;  // byte-by-byte: keep the test fast
        SCOPED_TRACE(testing::Message()
                     << "n=" << n << " text=" << text << " chunk<=" << max_chunk);
        const std::string in = make_input(n, text, static_cast<unsigned>(n));
        const bool flushes = n % 2 == 0;
        const std::string z = compress_chunked(GetParam(), in, rng, max_chunk, flushes);
        auto back = decompress_chunked(GetParam(), z, rng, max_chunk);
        ASSERT_TRUE(back) << back.error().message();
        ASSERT_EQ(back.value(), in);
        if (text && n >= 4096 && !flushes && max_chunk >= 5000) {
          EXPECT_LT(z.size(), n / 3);
        }
      }
    }
  }
}

TEST_P(coding_test, every_level_round_trips) {
  std::mt19937 rng(7);
  const std::string in = make_input(100000, true, 3);
  const int max_level = GetParam() == content_coding::gzip ? 9 : 11;
  const int min_level = GetParam() == content_coding::gzip ? 1 : 0;
  for (int level = min_level; level <= max_level; ++level) {
    SCOPED_TRACE(level);
    const std::string z = compress_chunked(GetParam(), in, rng, 9000, false, level);
    auto back = decompress_chunked(GetParam(), z, rng, 9000);
    ASSERT_TRUE(back);
    EXPECT_EQ(back.value(), in);
  }
  EXPECT_EQ(http::compressor::make(GetParam(), -2), nullptr);
  if (min_level > 0) {
    EXPECT_EQ(http::compressor::make(GetParam(), min_level - 1), nullptr);
  }
  EXPECT_EQ(http::compressor::make(GetParam(), max_level + 1), nullptr);
}

TEST_P(coding_test, system_tool_decodes_our_output) {
  if (!have_tool(tool_of(GetParam()))) GTEST_SKIP() << tool_of(GetParam()) << " not installed";
  std::mt19937 rng(1);
  for (std::size_t n : sizes) {
    for (bool text : {true, false}) {
      SCOPED_TRACE(testing::Message() << "n=" << n << " text=" << text);
      const std::string in = make_input(n, text, static_cast<unsigned>(n) + 5);
      const std::string z = compress_chunked(GetParam(), in, rng, 3000, n % 3 == 0);
      std::string out;
      ASSERT_TRUE(run_tool(std::string(tool_of(GetParam())) + " -dc", z, out));
      ASSERT_EQ(out, in);
    }
  }
}

TEST_P(coding_test, we_decode_system_tool_output) {
  if (!have_tool(tool_of(GetParam()))) GTEST_SKIP() << tool_of(GetParam()) << " not installed";
  std::mt19937 rng(2);
  for (const char* opt : {" -c -1", " -c -9"}) {
    for (std::size_t n :
         {std::size_t{0}, std::size_t{1}, std::size_t{50000}, std::size_t{1} << 20}) {
      SCOPED_TRACE(testing::Message() << opt << " n=" << n);
      const std::string in = make_input(n, n % 2 == 0, 9);
      std::string z;
      ASSERT_TRUE(run_tool(std::string(tool_of(GetParam())) + opt, in, z));
      auto back = decompress_chunked(GetParam(), z, rng, 4000);
      ASSERT_TRUE(back) << back.error().message();
      ASSERT_EQ(back.value(), in);
    }
  }
}

// After flush() every byte written so far decodes, before the stream ends.
TEST_P(coding_test, flush_makes_written_bytes_decodable) {
  auto z = http::compressor::make(GetParam());
  auto d = http::decompressor::make(GetParam());
  ASSERT_TRUE(z && d);
  std::string wire, decoded, sent;
  for (int i = 0; i < 20; ++i) {
    const std::string piece = "event " + std::to_string(i) + ": " + make_input(100 * i, true, i);
    sent += piece;
    const std::size_t before = wire.size();
    ASSERT_TRUE(z->write(piece, wire, false));
    ASSERT_TRUE(z->flush(wire));
    ASSERT_TRUE(d->write(std::string_view(wire).substr(before), decoded));
    ASSERT_EQ(decoded, sent) << "after flush " << i;
  }
  const std::size_t before = wire.size();
  ASSERT_TRUE(z->write({}, wire, true));
  ASSERT_TRUE(d->write(std::string_view(wire).substr(before), decoded));
  EXPECT_TRUE(d->done());
  EXPECT_TRUE(d->finish());
  EXPECT_EQ(decoded, sent);
}

TEST_P(coding_test, no_write_after_finish) {
  auto z = http::compressor::make(GetParam());
  std::string out;
  ASSERT_TRUE(z->write("abc", out, true));
  EXPECT_FALSE(z->write("more", out, false));
  EXPECT_FALSE(z->write({}, out, true));
  EXPECT_FALSE(z->flush(out));
}

// A bomb: 256 MiB of zeros compress to a few hundred KiB (gzip) or less
// (br). With a 1 MiB limit the decoder stops with too_large, having put out
// exactly 1 MiB, however the input is split.
TEST_P(coding_test, bomb_stops_at_the_limit) {
  auto z = http::compressor::make(GetParam(), GetParam() == content_coding::gzip ? 9 : 5);
  std::string bomb;
  const std::string zeros(1 << 20, '\0');
  for (int i = 0; i < 256; ++i)
    ASSERT_TRUE(z->write(zeros, bomb, false));
  ASSERT_TRUE(z->write({}, bomb, true));
  EXPECT_LT(bomb.size(), 400u * 1024);

  const std::uint64_t limit = 1 << 20;
  for (std::size_t chunk : {std::size_t{1} << 30, std::size_t{4096}, std::size_t{1}}) {
    if (chunk == 1 && bomb.size() > 300000) continue;
    SCOPED_TRACE(chunk);
    auto d = http::decompressor::make(GetParam(), limit);
    std::string out;
    lwspp::result<void> r;
    std::string_view in = bomb;
    while (!in.empty() && r) {
      const std::size_t n = std::min(chunk, in.size());
      r = d->write(in.substr(0, n), out);
      in.remove_prefix(n);
    }
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().code == coding_error::too_large) << r.error().message();
    EXPECT_EQ(out.size(), limit);
    EXPECT_EQ(d->total_out(), limit);
    // Sticky: the next write fails the same way and adds nothing.
    auto again = d->write("x", out);
    EXPECT_FALSE(again);
    EXPECT_EQ(out.size(), limit);
    EXPECT_FALSE(d->finish());
  }
}

TEST_P(coding_test, limit_is_exact) {
  std::mt19937 rng(3);
  const std::string in = make_input(10000, true, 4);
  const std::string z = compress_chunked(GetParam(), in, rng, 10000, false);
  auto at = decompress_chunked(GetParam(), z, rng, 100, in.size());
  ASSERT_TRUE(at);
  EXPECT_EQ(at.value(), in);
  auto under = decompress_chunked(GetParam(), z, rng, 100, in.size() - 1);
  ASSERT_FALSE(under);
  EXPECT_TRUE(under.error().code == coding_error::too_large);
}

// No limit at all (what the HTTP client's streamed responses use): the room
// computed from the limit must not wrap to zero (it did: gzip failed with
// "no progress", br spun forever).
TEST_P(coding_test, no_limit_decodes) {
  std::mt19937 rng(4);
  const std::string in = make_input(300000, true, 7);
  const std::string z = compress_chunked(GetParam(), in, rng, 30000, false);
  auto out = decompress_chunked(GetParam(), z, rng, 5000, UINT64_MAX);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out.value(), in);
}

TEST_P(coding_test, corrupt_truncated_and_trailing_input) {
  std::mt19937 rng(5);
  const std::string in = make_input(20000, true, 6);
  const std::string z = compress_chunked(GetParam(), in, rng, 20000, false);

  auto truncated =
      decompress_chunked(GetParam(), std::string_view(z).substr(0, z.size() - 3), rng, 50);
  ASSERT_FALSE(truncated);
  EXPECT_TRUE(truncated.error().code == coding_error::truncated) << truncated.error().message();

  auto trailing = decompress_chunked(GetParam(), z + "junk", rng, 50);
  ASSERT_FALSE(trailing);
  EXPECT_TRUE(trailing.error().code == coding_error::trailing_data) << trailing.error().message();

  auto garbage = decompress_chunked(GetParam(), make_input(5000, false, 11), rng, 50);
  ASSERT_FALSE(garbage);
  EXPECT_TRUE(garbage.error().code == coding_error::corrupt) << garbage.error().message();

  std::string flipped = z;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  flipped[flipped.size() / 3] = static_cast<char>(flipped[flipped.size() / 3] ^ 0x55);
  auto bad = decompress_chunked(GetParam(), flipped, rng, 50);
  EXPECT_FALSE(bad && bad.value() == in);
}

// Memory per stream, as documented in docs/compression.md.
TEST_P(coding_test, memory_per_stream) {
  auto z = http::compressor::make(GetParam());
  auto d = http::decompressor::make(GetParam());
  std::string out, back;
  const std::string in = make_input(1 << 20, true, 8);
  ASSERT_TRUE(z->write(in, out, false));
  const std::size_t z_mem = z->memory();
  ASSERT_TRUE(z->write({}, out, true));
  ASSERT_TRUE(d->write(out, back));
  const std::size_t d_mem = d->memory();
  std::printf("[ memory   ] %s: compressor %zu bytes, decompressor %zu bytes\n",
              std::string(to_string(GetParam())).c_str(), z_mem, d_mem);
  EXPECT_GT(z_mem, 0u);
  EXPECT_GT(d_mem, 0u);
  if (GetParam() == content_coding::gzip) {
    EXPECT_LT(z_mem, 300u * 1024);
    EXPECT_LT(d_mem, 64u * 1024);
  } else {
    EXPECT_LT(z_mem,
              4608u * 1024);  // quality 5, lgwin 18: 1.1 MiB at start, ~3.6 MiB on long streams
    EXPECT_LT(d_mem, 1u * 1024 * 1024);
  }
}

INSTANTIATE_TEST_SUITE_P(codings, coding_test,
                         ::testing::Values(content_coding::gzip, content_coding::br),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(compressor, identity_has_no_codec) {
  EXPECT_EQ(http::compressor::make(content_coding::identity), nullptr);
  EXPECT_EQ(http::decompressor::make(content_coding::identity), nullptr);
  EXPECT_FALSE(http::coding_available(content_coding::identity));
  EXPECT_TRUE(http::coding_available(content_coding::gzip));
}

TEST(compressor, error_category_names_each_error) {
  const std::error_code ec = coding_error::too_large;
  EXPECT_STREQ(ec.category().name(), "lwspp.coding");
  EXPECT_EQ(ec.message(), "decompressed size limit reached");
}

// gzip output has the RFC 1952 magic; br has no magic, but decodes.
TEST(compressor, gzip_header) {
  auto z = http::compressor::make(content_coding::gzip);
  std::string out;
  ASSERT_TRUE(z->write("hello", out, true));
  ASSERT_GE(out.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x8b);
  EXPECT_EQ(out[2], 8);  // deflate
}

}  // namespace
