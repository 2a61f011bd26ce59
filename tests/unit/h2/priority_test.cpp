// The RFC 9218 priority field value: u and i out of a Structured Fields
// dictionary, everything else ignored, an invalid dictionary ignored whole.
#include "h2/priority.hpp"

#include <gtest/gtest.h>

namespace {

using lwspp::h2::parse_priority;
using lwspp::h2::priority;

priority p(std::uint8_t u, bool i) {
  return {u, i};
}

TEST(h2_priority, defaults_when_absent_or_empty) {
  EXPECT_EQ(parse_priority(""), p(3, false));
  EXPECT_EQ(parse_priority("   "), p(3, false));
  EXPECT_EQ(parse_priority("", p(1, true)), p(1, true));
}

TEST(h2_priority, urgency_and_incremental) {
  EXPECT_EQ(parse_priority("u=0"), p(0, false));
  EXPECT_EQ(parse_priority("u=7, i"), p(7, true));
  EXPECT_EQ(parse_priority("i"), p(3, true));
  EXPECT_EQ(parse_priority("i=?0"), p(3, false));
  EXPECT_EQ(parse_priority("i=?1,u=5"), p(5, true));
  EXPECT_EQ(parse_priority("u=1,\ti"), p(1, true));  // OWS after the comma
}

TEST(h2_priority, a_later_member_replaces_an_earlier_one) {
  EXPECT_EQ(parse_priority("u=1, u=6"), p(6, false));
  EXPECT_EQ(parse_priority("u=1, u=9"), p(3, false));  // the last is out of range
  EXPECT_EQ(parse_priority("i, i=?0"), p(3, false));
}

TEST(h2_priority, other_members_values_and_parameters_are_ignored) {
  EXPECT_EQ(parse_priority("u=2;x=1, a=\"s\", b=:AAE=:, c=(1 2 foo);p, d=1.5, e=tok/x, i"),
            p(2, true));
  EXPECT_EQ(parse_priority("u=8"), p(3, false));  // out of range
  EXPECT_EQ(parse_priority("u=-1"), p(3, false));
  EXPECT_EQ(parse_priority("u=1.0"), p(3, false));  // a decimal, not an integer
  EXPECT_EQ(parse_priority("u=\"1\""), p(3, false));
  EXPECT_EQ(parse_priority("i=1"), p(3, false));  // not a boolean
  EXPECT_EQ(parse_priority("u=4", p(0, true)), p(4, true));
}

TEST(h2_priority, an_invalid_dictionary_is_ignored_whole) {
  for (const char* bad :
       {"u=1,", "u=1 i", "U=1", "u=", "u=1;", "u=1, =2", "u=?2", "u=\"open", "u=(1 2",
        "u=1234567890123456", "u=1.2345", "u=:bad base64", ",u=1", "u=1,,i", "9=1"})
    EXPECT_EQ(parse_priority(bad, p(5, true)), p(5, true)) << bad;
}

}  // namespace
