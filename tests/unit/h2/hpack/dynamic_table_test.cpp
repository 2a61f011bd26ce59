// The dynamic table: order, size accounting, eviction, size changes, and
// the byte buffer under many insertions.
#include "h2/hpack/dynamic_table.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

#include "hpack_test_support.hpp"

namespace lwspp::h2::hpack {
namespace {

using test::pairs;
using test::table_pairs;

TEST(DynamicTable, NewestFirstWithSizeAccounting) {
  dynamic_table t(4096);
  t.insert("a", "1");
  t.insert("bb", "22");
  EXPECT_EQ(table_pairs(t), (pairs{{"bb", "22"}, {"a", "1"}}));
  EXPECT_EQ(t.size(), 34u + 36u);
  EXPECT_EQ(t.count(), 2u);
}

TEST(DynamicTable, EvictsOldestToFit) {
  dynamic_table t(100);  // room for two 34..36-byte entries, not three
  t.insert("a", "1");
  t.insert("b", "2");
  t.insert("c", "3");
  EXPECT_EQ(table_pairs(t), (pairs{{"c", "3"}, {"b", "2"}}));
  EXPECT_EQ(t.size(), 68u);
}

TEST(DynamicTable, EntryLargerThanTableEmptiesIt) {
  dynamic_table t(64);
  t.insert("a", "1");
  t.insert(std::string(20, 'n'), std::string(20, 'v'));  // 72 > 64
  EXPECT_EQ(t.count(), 0u);
  EXPECT_EQ(t.size(), 0u);
  t.insert("a", "1");
  EXPECT_EQ(t.count(), 1u);
}

TEST(DynamicTable, EntryOfExactlyMaxSizeFits) {
  dynamic_table t(64);
  t.insert(std::string(16, 'n'), std::string(16, 'v'));
  EXPECT_EQ(t.size(), 64u);
  EXPECT_EQ(t.count(), 1u);
}

TEST(DynamicTable, LoweringTheMaximumEvicts) {
  dynamic_table t(4096);
  for (int i = 0; i < 10; ++i)
    t.insert("k", std::to_string(i));
  t.set_max_size(68);
  EXPECT_EQ(table_pairs(t), (pairs{{"k", "9"}, {"k", "8"}}));
  t.set_max_size(0);
  EXPECT_EQ(t.count(), 0u);
  t.set_max_size(4096);
  t.insert("x", "y");
  EXPECT_EQ(table_pairs(t), (pairs{{"x", "y"}}));
}

TEST(DynamicTable, FindReturnsNewestMatches) {
  dynamic_table t(4096, true);
  t.insert("k", "1");
  t.insert("k", "2");
  t.insert("j", "1");
  auto m = t.find("k", "1");
  EXPECT_EQ(m.full, 3u);
  EXPECT_EQ(m.name, 2u);
  m = t.find("k", "3");
  EXPECT_EQ(m.full, 0u);
  EXPECT_EQ(m.name, 2u);
  m = t.find("z", "1");
  EXPECT_EQ(m.full, 0u);
  EXPECT_EQ(m.name, 0u);
}

// A model (a deque of copies) against the table over many random inserts
// and size changes: the buffer moves and grows underneath.
TEST(DynamicTable, MatchesAModelUnderChurn) {
  std::mt19937 rng(32);
  dynamic_table t(512, true);
  std::deque<std::pair<std::string, std::string>> model;
  std::uint32_t max = 512;
  std::uint32_t size = 0;
  for (int i = 0; i < 20000; ++i) {
    if (rng() % 97 == 0) {
      max = rng() % 1024;
      t.set_max_size(max);
      while (size > max) {
        size -=
            static_cast<std::uint32_t>(model.back().first.size() + model.back().second.size() + 32);
        model.pop_back();
      }
    } else {
      std::string n(1 + rng() % 20, static_cast<char>('a' + rng() % 26));
      std::string v(rng() % 200, static_cast<char>('0' + rng() % 10));
      const auto es = static_cast<std::uint32_t>(n.size() + v.size() + 32);
      t.insert(n, v);
      if (es > max) {
        model.clear();
        size = 0;
      } else {
        while (size + es > max) {
          size -= static_cast<std::uint32_t>(model.back().first.size() +
                                             model.back().second.size() + 32);
          model.pop_back();
        }
        model.emplace_front(n, v);
        size += es;
      }
    }
    ASSERT_EQ(t.size(), size);
    ASSERT_EQ(t.count(), model.size());
    for (std::uint32_t k = 0; k < model.size(); ++k) {
      ASSERT_EQ(t.at(k).name, model[k].first);
      ASSERT_EQ(t.at(k).value, model[k].second);
    }
  }
}

}  // namespace
}  // namespace lwspp::h2::hpack
