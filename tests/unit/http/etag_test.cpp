// Tests for entity-tags and conditional requests (src/http/etag.cpp).
#include "http/etag.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "http/http_date.hpp"

namespace {

using lwspp::http::conditional_request;
using lwspp::http::etag_compare;
using lwspp::http::etag_list_matches;
using lwspp::http::evaluate_preconditions;
using lwspp::http::make_etag;
using lwspp::http::precondition;
using lwspp::http::validators;

TEST(Etag, ShapeAndSensitivity) {
  const auto a = make_etag(0x1a2b, 0x17f1e2d3c4b5a697, 42);
  const std::string_view v = a.view();
  ASSERT_GE(v.size(), 2u);
  EXPECT_EQ(v.front(), '"');
  EXPECT_EQ(v.back(), '"');
  EXPECT_TRUE(v.starts_with("\"17f1e2d3c4b5a697-1a2b-")) << v;
  EXPECT_EQ(v.size(), 1 + 16 + 1 + 4 + 1 + 8 + 1u);
  EXPECT_EQ(v.find("2a\""), std::string_view::npos);  // the inode is not printed as such
  // Any of the three changes the tag; the same inputs give the same tag.
  EXPECT_EQ(make_etag(0x1a2b, 0x17f1e2d3c4b5a697, 42).view(), v);
  EXPECT_NE(make_etag(0x1a2c, 0x17f1e2d3c4b5a697, 42).view(), v);
  EXPECT_NE(make_etag(0x1a2b, 0x17f1e2d3c4b5a698, 42).view(), v);
  EXPECT_NE(make_etag(0x1a2b, 0x17f1e2d3c4b5a697, 43).view(), v);
  // Extremes fit the buffer.
  EXPECT_EQ(make_etag(~0ULL, -1, ~0ULL).view().size(), lwspp::http::etag::max_size);
  EXPECT_EQ(make_etag(0, 0, 0).view().substr(0, 5), "\"0-0-");
  // Every tag we make is a valid entity-tag that matches itself.
  EXPECT_TRUE(etag_list_matches(v, v, etag_compare::strong));
}

TEST(Etag, FromStat) {
  struct stat st = {};
  st.st_size = 10;
  st.st_mtim.tv_sec = 1;
  st.st_mtim.tv_nsec = 5;
  st.st_ino = 7;
  EXPECT_EQ(make_etag(st).view(), make_etag(10, 1000000005, 7).view());
}

TEST(EtagList, WeakAndStrongComparison) {
  // RFC 9110 §8.8.3.2's table.
  EXPECT_FALSE(etag_list_matches("W/\"1\"", "W/\"1\"", etag_compare::strong));
  EXPECT_TRUE(etag_list_matches("W/\"1\"", "W/\"1\"", etag_compare::weak));
  EXPECT_FALSE(etag_list_matches("W/\"1\"", "W/\"2\"", etag_compare::weak));
  EXPECT_FALSE(etag_list_matches("W/\"1\"", "\"1\"", etag_compare::strong));
  EXPECT_TRUE(etag_list_matches("W/\"1\"", "\"1\"", etag_compare::weak));
  EXPECT_TRUE(etag_list_matches("\"1\"", "\"1\"", etag_compare::strong));
  EXPECT_TRUE(etag_list_matches("\"1\"", "\"1\"", etag_compare::weak));
}

TEST(EtagList, ListSyntax) {
  const std::string_view t = "\"abc\"";
  EXPECT_TRUE(etag_list_matches("\"x\", \"abc\"", t, etag_compare::weak));
  EXPECT_TRUE(etag_list_matches("\"x\",\"abc\"", t, etag_compare::weak));
  EXPECT_TRUE(etag_list_matches(" \t\"x\" ,\t W/\"abc\" ", t, etag_compare::weak));
  EXPECT_TRUE(etag_list_matches(", ,\"abc\",,", t, etag_compare::weak));      // empty elements
  EXPECT_TRUE(etag_list_matches("\"a,b\", \"abc\"", t, etag_compare::weak));  // ',' inside quotes
  EXPECT_TRUE(etag_list_matches("*", t, etag_compare::weak));
  EXPECT_TRUE(etag_list_matches(" * ", t, etag_compare::strong));
  EXPECT_TRUE(etag_list_matches("\"\"", "\"\"", etag_compare::strong));  // empty opaque-tag
  EXPECT_FALSE(etag_list_matches("\"ABC\"", t, etag_compare::weak));     // case-sensitive
  EXPECT_FALSE(etag_list_matches("abc", t, etag_compare::weak));         // unquoted
  EXPECT_FALSE(etag_list_matches("\"abc", t, etag_compare::weak));       // unterminated
  EXPECT_FALSE(etag_list_matches("\"abc\"x", t, etag_compare::weak));    // junk after
  EXPECT_FALSE(etag_list_matches("w/\"abc\"", t, etag_compare::weak));   // W/ is case-sensitive
  EXPECT_FALSE(etag_list_matches("*, \"abc\"", t, etag_compare::weak));  // '*' only alone
  EXPECT_FALSE(etag_list_matches("\"abc\", *", t, etag_compare::weak));
  EXPECT_FALSE(etag_list_matches("\"abc\" \"abc\"", t, etag_compare::weak));   // no comma
  EXPECT_FALSE(etag_list_matches("\"a c\", \"abc\"", t, etag_compare::weak));  // space in tag
  EXPECT_FALSE(etag_list_matches("", t, etag_compare::weak));
  EXPECT_FALSE(etag_list_matches(" , ", t, etag_compare::weak));
  EXPECT_FALSE(etag_list_matches("\"abc\"", "abc", etag_compare::weak));  // bad current tag
}

// RFC 9110 §13.2.2 evaluation order.
class Preconditions : public ::testing::Test {
 protected:
  const std::string tag = "\"5f-10-aabbccdd\"";
  const std::time_t mtime = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  validators v() const { return {.etag = tag, .last_modified = mtime}; }
  static constexpr std::string_view at_mtime = "Sun, 06 Nov 1994 08:49:37 GMT";
  static constexpr std::string_view before = "Sun, 06 Nov 1994 08:49:36 GMT";
  static constexpr std::string_view after = "Sun, 06 Nov 1994 08:49:38 GMT";
};

TEST_F(Preconditions, NoConditionsProceed) {
  EXPECT_EQ(evaluate_preconditions({}, v()), precondition::proceed);
}

TEST_F(Preconditions, IfNoneMatch) {
  EXPECT_EQ(evaluate_preconditions({.if_none_match = tag}, v()), precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "W/" + tag}, v()), precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "\"other\", " + tag}, v()),
            precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "*"}, v()), precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "\"other\""}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "garbage"}, v()), precondition::proceed);
  // Unsafe methods: a match is a failed precondition.
  EXPECT_EQ(evaluate_preconditions({.if_none_match = tag, .get_or_head = false}, v()),
            precondition::failed);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "*", .get_or_head = false}, v()),
            precondition::failed);
}

TEST_F(Preconditions, IfModifiedSince) {
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = at_mtime}, v()),
            precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = after}, v()), precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = before}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = "Sunday, 06-Nov-94 08:49:37 GMT"}, v()),
            precondition::not_modified);
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = "Sun Nov  6 08:49:37 1994"}, v()),
            precondition::not_modified);
  // Invalid dates and lists are ignored.
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = "yesterday"}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions(
                {.if_modified_since = std::string(at_mtime) + ", " + std::string(at_mtime)}, v()),
            precondition::proceed);
  // Only for GET and HEAD.
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = at_mtime, .get_or_head = false}, v()),
            precondition::proceed);
  // Ignored when If-None-Match is present, matching or not, valid or not.
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "\"other\"", .if_modified_since = after}, v()),
            precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = "junk", .if_modified_since = after}, v()),
            precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_none_match = tag, .if_modified_since = before}, v()),
            precondition::not_modified);
}

TEST_F(Preconditions, IfMatch) {
  EXPECT_EQ(evaluate_preconditions({.if_match = tag}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_match = "\"x\", " + tag}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_match = "*"}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_match = "W/" + tag}, v()), precondition::failed);
  EXPECT_EQ(evaluate_preconditions({.if_match = "\"x\""}, v()), precondition::failed);
  EXPECT_EQ(evaluate_preconditions({.if_match = "junk"}, v()), precondition::failed);
  EXPECT_EQ(evaluate_preconditions({.if_match = ""}, v()), precondition::failed);
  // "*" matches even a representation without an ETag; a list does not.
  EXPECT_EQ(evaluate_preconditions({.if_match = "*"}, {.last_modified = mtime}),
            precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_match = tag}, {.last_modified = mtime}),
            precondition::failed);
}

TEST_F(Preconditions, IfUnmodifiedSince) {
  EXPECT_EQ(evaluate_preconditions({.if_unmodified_since = at_mtime}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_unmodified_since = after}, v()), precondition::proceed);
  EXPECT_EQ(evaluate_preconditions({.if_unmodified_since = before}, v()), precondition::failed);
  EXPECT_EQ(evaluate_preconditions({.if_unmodified_since = "not a date"}, v()),
            precondition::proceed);
  // Ignored when If-Match is present.
  EXPECT_EQ(evaluate_preconditions({.if_match = tag, .if_unmodified_since = before}, v()),
            precondition::proceed);
}

TEST_F(Preconditions, OrderBetweenGroups) {
  // A failed If-Match wins over a matching If-None-Match.
  EXPECT_EQ(evaluate_preconditions({.if_match = "\"x\"", .if_none_match = tag}, v()),
            precondition::failed);
  // If-Match passes, then If-None-Match matches: 304.
  EXPECT_EQ(evaluate_preconditions({.if_match = tag, .if_none_match = tag}, v()),
            precondition::not_modified);
  // If-Unmodified-Since fails before If-Modified-Since is looked at.
  EXPECT_EQ(
      evaluate_preconditions({.if_modified_since = after, .if_unmodified_since = before}, v()),
      precondition::failed);
}

}  // namespace
