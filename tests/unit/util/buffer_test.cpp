// Tests for lwspp::buffer_chain (src/util/buffer.cpp).
#include "lwspp/buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using lwspp::buffer_chain;
using lwspp::io_slice;

// What gather() exposes, concatenated: the bytes writev would send.
std::string gathered(const buffer_chain& chain) {
  std::vector<io_slice> slices(chain.block_count() + 1);
  const std::size_t n = chain.gather(slices);
  EXPECT_EQ(n, chain.block_count());
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_NE(slices[i].len, 0u) << "gather exposed an empty block";
    out.append(static_cast<const char*>(slices[i].base), slices[i].len);
  }
  return out;
}

std::string peeked(const buffer_chain& chain) {
  std::string out(chain.size(), '\0');
  EXPECT_EQ(chain.peek(out), chain.size());
  return out;
}

TEST(buffer_chain, empty_chain_has_no_blocks) {
  buffer_chain chain;
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(chain.size(), 0u);
  EXPECT_EQ(chain.block_count(), 0u);
  std::array<io_slice, 4> slices{};
  EXPECT_EQ(chain.gather(slices), 0u);
  std::array<char, 4> bytes{};
  EXPECT_EQ(chain.peek(bytes), 0u);
}

TEST(buffer_chain, empty_appends_are_ignored) {
  buffer_chain chain;
  chain.append(std::string_view());
  chain.append(std::string());
  EXPECT_EQ(chain.block_count(), 0u);
  EXPECT_TRUE(chain.empty());
}

TEST(buffer_chain, small_appends_coalesce_into_one_block) {
  buffer_chain chain;
  std::string model;
  for (int i = 0; i < 1000; ++i) {
    const std::string piece = "msg" + std::to_string(i) + ";";
    if (i % 2 == 0) {
      chain.append(std::string_view(piece));
    } else {
      chain.append(std::string(piece));  // small moved strings are copied too
    }
    model += piece;
  }
  ASSERT_LT(model.size(), buffer_chain::default_block_size);
  EXPECT_EQ(chain.block_count(), 1u);
  EXPECT_EQ(chain.size(), model.size());
  EXPECT_EQ(gathered(chain), model);
}

TEST(buffer_chain, appends_spill_into_a_new_block_when_the_tail_is_full) {
  buffer_chain chain(64);
  const std::string a(50, 'a');
  const std::string b(50, 'b');
  chain.append(std::string_view(a));
  chain.append(std::string_view(b));
  EXPECT_EQ(chain.block_count(), 2u);
  EXPECT_EQ(gathered(chain), a + b);
}

TEST(buffer_chain, append_larger_than_a_block_is_one_block) {
  buffer_chain chain(64);
  const std::string big(1000, 'x');
  chain.append(std::string_view(big));
  EXPECT_EQ(chain.block_count(), 1u);
  EXPECT_EQ(gathered(chain), big);
}

TEST(buffer_chain, large_moved_string_is_adopted_without_copy) {
  buffer_chain chain;
  std::string big(buffer_chain::default_block_size, 'z');
  const char* original = big.data();
  chain.append(std::move(big));
  ASSERT_EQ(chain.block_count(), 1u);
  std::array<io_slice, 1> slice{};
  ASSERT_EQ(chain.gather(slice), 1u);
  EXPECT_EQ(slice[0].base, static_cast<const void*>(original));
  EXPECT_EQ(slice[0].len, buffer_chain::default_block_size);
}

TEST(buffer_chain, moved_string_at_a_quarter_block_is_adopted) {
  buffer_chain chain(64);
  std::string quarter(16, 'q');  // may live in the small-string buffer: no pointer check
  chain.append(std::string("head"));
  chain.append(std::move(quarter));
  EXPECT_EQ(chain.block_count(), 2u);
  EXPECT_EQ(gathered(chain), "head" + std::string(16, 'q'));
}

TEST(buffer_chain, adopted_block_is_never_appended_into) {
  buffer_chain chain;
  std::string big(buffer_chain::default_block_size, 'z');
  big.reserve(4 * buffer_chain::default_block_size);  // spare capacity to tempt a coalesce
  const char* original = big.data();
  chain.append(std::move(big));
  chain.append(std::string_view("tail"));
  EXPECT_EQ(chain.block_count(), 2u);
  std::array<io_slice, 2> slices{};
  ASSERT_EQ(chain.gather(slices), 2u);
  EXPECT_EQ(slices[0].base, static_cast<const void*>(original));
  EXPECT_EQ(slices[0].len, buffer_chain::default_block_size);
  EXPECT_EQ(slices[1].len, 4u);
  // The copy block after it does take later small appends.
  chain.append(std::string_view("more"));
  EXPECT_EQ(chain.block_count(), 2u);
}

TEST(buffer_chain, gather_across_blocks_and_limited_output) {
  buffer_chain chain(8);
  chain.append(std::string_view("01234567"));  // fills block 1
  chain.append(std::string(100, 'a'));         // adopted
  chain.append(std::string_view("xyz"));
  ASSERT_EQ(chain.block_count(), 3u);

  std::array<io_slice, 2> two{};
  ASSERT_EQ(chain.gather(two), 2u);
  EXPECT_EQ(std::string(static_cast<const char*>(two[0].base), two[0].len), "01234567");
  EXPECT_EQ(two[1].len, 100u);

  EXPECT_EQ(gathered(chain), "01234567" + std::string(100, 'a') + "xyz");
  EXPECT_EQ(chain.gather(std::span<io_slice>()), 0u);
}

TEST(buffer_chain, consume_partial_full_and_across_blocks) {
  buffer_chain chain(8);
  chain.append(std::string_view("abcdefgh"));
  chain.append(std::string_view("ijklmnop"));
  chain.append(std::string_view("qrst"));
  ASSERT_EQ(chain.block_count(), 3u);

  chain.consume(3);  // partial
  EXPECT_EQ(chain.block_count(), 3u);
  EXPECT_EQ(gathered(chain), "defghijklmnopqrst");

  chain.consume(5);  // exactly the rest of the first block
  EXPECT_EQ(chain.block_count(), 2u);
  EXPECT_EQ(gathered(chain), "ijklmnopqrst");

  chain.consume(10);  // across a block boundary
  EXPECT_EQ(chain.block_count(), 1u);
  EXPECT_EQ(gathered(chain), "st");
  EXPECT_EQ(chain.size(), 2u);

  chain.consume(0);
  EXPECT_EQ(chain.size(), 2u);

  chain.consume(2);  // everything
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(chain.block_count(), 0u);
}

TEST(buffer_chain, consume_everything_releases_the_blocks) {
  buffer_chain chain(8);
  for (int i = 0; i < 100; ++i)
    chain.append(std::string_view("0123456789"));
  chain.consume(chain.size());
  EXPECT_EQ(chain.block_count(), 0u);
  // Appending again starts from scratch.
  chain.append(std::string_view("x"));
  EXPECT_EQ(chain.block_count(), 1u);
  EXPECT_EQ(gathered(chain), "x");
}

TEST(buffer_chain, many_dead_blocks_are_compacted) {
  buffer_chain chain(4);
  std::string model;
  for (int i = 0; i < 1000; ++i) {
    chain.append(std::string_view("abcd"));
    model += "abcd";
  }
  ASSERT_EQ(chain.block_count(), 1000u);
  for (int i = 0; i < 999; ++i) {
    chain.consume(4);
    model.erase(0, 4);
    ASSERT_EQ(chain.block_count(), model.size() / 4);
  }
  EXPECT_EQ(gathered(chain), model);
}

TEST(buffer_chain, peek_copies_without_consuming) {
  buffer_chain chain(4);
  chain.append(std::string_view("abcdefghij"));
  chain.consume(1);
  std::array<char, 5> out{};
  ASSERT_EQ(chain.peek(out), 5u);
  EXPECT_EQ(std::string(out.data(), out.size()), "bcdef");
  EXPECT_EQ(chain.size(), 9u);
  std::array<char, 64> all{};
  EXPECT_EQ(chain.peek(all), 9u);
  EXPECT_EQ(std::string(all.data(), 9), "bcdefghij");
}

TEST(buffer_chain, clear_empties) {
  buffer_chain chain;
  chain.append(std::string_view("abc"));
  chain.append(std::string(buffer_chain::default_block_size, 'x'));
  chain.clear();
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(chain.block_count(), 0u);
  chain.append(std::string_view("d"));
  EXPECT_EQ(gathered(chain), "d");
}

TEST(buffer_chain, moved_from_chain_is_empty_and_usable) {
  buffer_chain a(8);
  a.append(std::string_view("0123456789abcdef"));
  a.consume(9);  // leaves a dead block in front
  buffer_chain b(std::move(a));
  EXPECT_EQ(gathered(b), "9abcdef");
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.block_count(), 0u);
  a.append(std::string_view("again"));
  EXPECT_EQ(gathered(a), "again");

  buffer_chain c;
  c.append(std::string_view("old"));
  c = std::move(b);
  EXPECT_EQ(gathered(c), "9abcdef");
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.block_count(), 0u);
}

TEST(buffer_chain, copy_is_independent) {
  buffer_chain a(8);
  a.append(std::string_view("0123456789"));
  a.consume(2);
  buffer_chain b(a);
  a.consume(3);
  EXPECT_EQ(gathered(b), "23456789");
  EXPECT_EQ(gathered(a), "56789");
}

// Random appends (copied and moved, small and large) and consumes, checked
// against a std::string after every step.
TEST(buffer_chain, random_operations_match_a_string_model) {
  std::mt19937 rng(12345);  // fixed seed: failures reproduce
  buffer_chain chain(64);
  std::string model;
  char next = 'a';
  auto make = [&](std::size_t len) {
    std::string s;
    for (std::size_t i = 0; i < len; ++i) {
      s.push_back(next);
      next = next == 'z' ? 'a' : static_cast<char>(next + 1);
    }
    return s;
  };
  for (int op = 0; op < 10000; ++op) {
    const unsigned kind = rng() % 4;
    if (kind == 0) {
      const std::string s = make(rng() % 40);
      chain.append(std::string_view(s));
      model += s;
    } else if (kind == 1) {
      std::string s = make(rng() % 200);
      model += s;
      chain.append(std::move(s));
    } else {
      const std::size_t n = model.empty() ? 0 : rng() % (model.size() + 1);
      chain.consume(n);
      model.erase(0, n);
    }
    ASSERT_EQ(chain.size(), model.size()) << "op " << op;
    ASSERT_EQ(chain.empty(), model.empty());
    if (model.empty()) {
      ASSERT_EQ(chain.block_count(), 0u);
    }
    ASSERT_EQ(gathered(chain), model) << "op " << op;
    ASSERT_EQ(peeked(chain), model) << "op " << op;
  }
}

}  // namespace

// --- shared slices ---------------------------------------------------------------

namespace shared {

std::shared_ptr<const std::string> bytes(std::size_t n, char c) {
  return std::make_shared<const std::string>(n, c);
}

TEST(buffer_chain_shared, a_large_slice_is_queued_by_reference) {
  auto buf = bytes(8000, 's');
  buffer_chain chain;
  chain.append(lwspp::shared_slice{buf, *buf});
  EXPECT_EQ(chain.block_count(), 1u);
  EXPECT_EQ(buf.use_count(), 2) << "the chain holds a reference";
  std::array<io_slice, 2> out{};
  ASSERT_EQ(chain.gather(out), 1u);
  EXPECT_EQ(out[0].base, buf->data()) << "gathered from the shared buffer itself, no copy";
  EXPECT_EQ(out[0].len, buf->size());
  chain.consume(100);
  ASSERT_EQ(chain.gather(out), 1u);
  EXPECT_EQ(out[0].base, buf->data() + 100);
  chain.consume(7900);
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(buf.use_count(), 1) << "released once consumed";
}

TEST(buffer_chain_shared, a_slice_that_fits_the_tail_block_is_copied_there) {
  auto buf = bytes(100, 'x');
  buffer_chain chain;
  chain.append(std::string_view("head"));
  chain.append(lwspp::shared_slice{buf, *buf});
  EXPECT_EQ(chain.block_count(), 1u);
  EXPECT_EQ(buf.use_count(), 1) << "copied into room that was there: no reference kept";
  EXPECT_EQ(gathered(chain), "head" + *buf);
}

TEST(buffer_chain_shared, mixed_appends_keep_their_order) {
  auto a = bytes(20000, 'a');
  auto b = bytes(5000, 'b');
  buffer_chain chain;
  std::string model;
  chain.append(lwspp::shared_slice{a, *a});  // empty chain: by reference
  model += *a;
  chain.append(std::string_view("copied"));  // a new copy block after a shared one
  model += "copied";
  chain.append(lwspp::shared_slice{b, std::string_view(*b).substr(10)});  // fits: copied
  model += b->substr(10);
  chain.append(lwspp::shared_slice{a, std::string_view(*a).substr(1, 15000)});  // does not fit
  model += a->substr(1, 15000);
  chain.append(std::string(6000, 'm'));  // adopted
  model += std::string(6000, 'm');
  EXPECT_EQ(chain.size(), model.size());
  EXPECT_EQ(gathered(chain), model);
  EXPECT_EQ(peeked(chain), model);
  EXPECT_EQ(a.use_count(), 3);
  // Consumed at every kind of boundary, the rest is still right.
  std::size_t at = 0;
  for (std::size_t step : {19999u, 2u, 5000u, 20000u, 1u}) {
    step = std::min(step, chain.size());
    chain.consume(step);
    at += step;
    EXPECT_EQ(peeked(chain), model.substr(at));
  }
  chain.clear();
  EXPECT_EQ(a.use_count(), 1);
  EXPECT_EQ(b.use_count(), 1);
}

TEST(buffer_chain_shared, empty_slices_are_ignored) {
  buffer_chain chain;
  chain.append(lwspp::shared_slice{});
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(chain.block_count(), 0u);
}

}  // namespace shared
