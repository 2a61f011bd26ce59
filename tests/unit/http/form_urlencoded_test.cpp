// application/x-www-form-urlencoded: urlencoded_parser, parse_urlencoded and
// append_urlencoded. Every body is fed whole, split in two at every byte
// position (also inside %XX) and byte by byte, and must give the same pairs
// and the same outcome.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "form_test_support.hpp"

namespace http = lwspp::http;
using http::form_error;
using pairs = std::vector<std::pair<std::string, std::string>>;

namespace {

// The pairs and the outcome as one printable string.
std::string run(std::string_view body, form_test::split how, std::size_t at = 0,
                http::urlencoded_limits limits = {}, http::urlencoded_leniency lenient = {}) {
  std::string log;
  http::urlencoded_parser p(
      [&](std::string_view n, std::string_view v) {
        log += form_test::escape(n) + "=" + form_test::escape(v) + "\n";
      },
      limits, lenient);
  lwspp::result<void> r;
  auto feed = [&](std::string_view piece) {
    if (r) r = p.feed(piece);
  };
  if (how == form_test::split::whole) feed(body);
  if (how == form_test::split::at) {
    feed(body.substr(0, at));
    feed(body.substr(at));
  }
  if (how == form_test::split::bytes) {
    for (std::size_t i = 0; i < body.size(); ++i)
      feed(body.substr(i, 1));
  }
  if (r) r = p.finish();
  return log + (r ? std::string("ok") : "error: " + r.error().message());
}

void expect_run(std::string_view body, const std::string& expected,
                http::urlencoded_limits limits = {}, http::urlencoded_leniency lenient = {}) {
  const std::string whole = run(body, form_test::split::whole, 0, limits, lenient);
  EXPECT_EQ(whole, expected) << body;
  for (std::size_t at = 0; at <= body.size(); ++at) {
    ASSERT_EQ(run(body, form_test::split::at, at, limits, lenient), whole) << body << " @" << at;
  }
  EXPECT_EQ(run(body, form_test::split::bytes, 0, limits, lenient), whole) << body;
}

TEST(form_urlencoded, decodes_pairs) {
  expect_run("a=1&b=2", "a=1\nb=2\nok");
  expect_run("name=J%C3%BCrgen+M%c3%BCller&x=%2B%26%3D%25",
             "name=J\\xc3\\xbcrgen M\\xc3\\xbcller\nx=+&=%\nok");
  expect_run("", "ok");
  expect_run("flag", "flag=\nok");
  expect_run("a=", "a=\nok");
  expect_run("=v", "=v\nok");
  expect_run("=", "=\nok");
  expect_run("&&a=1&&&b=2&", "a=1\nb=2\nok");
  expect_run("a=b=c", "a=b=c\nok");
  expect_run("a+b=c+d++", "a b=c d  \nok");
  expect_run("%00=%ff", "\\x00=\\xff\nok");
  expect_run("k=%41%42%43", "k=ABC\nok");
  expect_run("a=1&a=2", "a=1\na=2\nok");       // duplicates kept, in order
  expect_run("semi=1;b=2", "semi=1;b=2\nok");  // ';' is not a separator
}

TEST(form_urlencoded, bad_percent_is_an_error_at_its_offset) {
  expect_run("%", "error: bad percent-encoding: '%' without two hex digits at byte 0");
  expect_run("a=%4", "error: bad percent-encoding: '%' without two hex digits at byte 2");
  expect_run("a=1&b=%4g", "a=1\nerror: bad percent-encoding: '%' without two hex digits at byte 6");
  expect_run("a=1&b=%g4", "a=1\nerror: bad percent-encoding: '%' without two hex digits at byte 6");
  expect_run("100%&x=1", "error: bad percent-encoding: '%' without two hex digits at byte 3");
  EXPECT_EQ(http::http_status(form_error::bad_percent_encoding), 400);
}

TEST(form_urlencoded, keep_bad_percent_leniency) {
  const http::urlencoded_leniency lenient{.keep_bad_percent = true};
  expect_run("%", "%=\nok", {}, lenient);
  expect_run("a=%4", "a=%4\nok", {}, lenient);
  expect_run("a=%4g&b=%zz", "a=%4g\nb=%zz\nok", {}, lenient);
  expect_run("a=100%&b=%%41", "a=100%\nb=%A\nok", {}, lenient);
  expect_run("a=%4%41", "a=%4A\nok", {}, lenient);
  expect_run("a%=1", "a%=1\nok", {}, lenient);
}

TEST(form_urlencoded, limits) {
  const std::string name(10, 'n'), value(20, 'v');
  expect_run(name + "=" + value, name + "=" + value + "\nok", {.max_name = 10, .max_value = 20});
  expect_run(name + "=" + value,
             "error: form field name too long: name longer than max_name at byte 9",
             {.max_name = 9, .max_value = 20});
  expect_run(name + "=" + value,
             "error: form field value too long: value longer than max_value at byte 30",
             {.max_name = 10, .max_value = 19});
  // Decoded size counts: "%41" is one byte.
  expect_run("%41%41=%41", "AA=A\nok", {.max_name = 2, .max_value = 1});
  expect_run("a&b&c", "a=\nb=\nc=\nok", {.max_fields = 3});
  expect_run("a&b&c&d",
             "a=\nb=\nc=\nerror: too many form fields: more than max_fields pairs at byte 7",
             {.max_fields = 3});
  expect_run("a&b&c&&&", "a=\nb=\nc=\nok", {.max_fields = 3});  // empty pairs do not count
  EXPECT_EQ(http::http_status(form_error::name_too_long), 413);
  EXPECT_EQ(http::http_status(form_error::value_too_long), 413);
  EXPECT_EQ(http::http_status(form_error::too_many_fields), 413);
}

TEST(form_urlencoded, errors_are_sticky_and_finish_is_once) {
  std::vector<std::string> seen;
  http::urlencoded_parser p([&](std::string_view n, std::string_view) { seen.emplace_back(n); });
  ASSERT_TRUE(p.feed("a=1&b"));
  EXPECT_EQ(p.fields(), 1u);
  ASSERT_TRUE(p.finish());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.offset(), 5u);
  EXPECT_TRUE(p.finish());  // again: nothing more
  EXPECT_FALSE(p.feed("c=1"));

  http::urlencoded_parser q(nullptr);
  ASSERT_FALSE(q.feed("a=%zz"));
  EXPECT_FALSE(q.feed("ok=1"));
  EXPECT_FALSE(q.finish());
}

TEST(form_urlencoded, parse_whole_and_query_strings) {
  auto r = http::parse_urlencoded("q=lwspp+http&page=2&empty=&flag");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value(), (pairs{{"q", "lwspp http"}, {"page", "2"}, {"empty", ""}, {"flag", ""}}));
  auto bad = http::parse_urlencoded("a=%");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, form_error::bad_percent_encoding);
  auto limited = http::parse_urlencoded("a=1&b=2", {.max_fields = 1});
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, form_error::too_many_fields);
}

TEST(form_urlencoded, append_encodes) {
  std::string out;
  http::append_urlencoded(out, "a b", "x&y=z%+/\xc3\xbc");
  EXPECT_EQ(out, "a+b=x%26y%3Dz%25%2B%2F%C3%BC");
  http::append_urlencoded(out, "k", "*-._~");
  EXPECT_EQ(out, "a+b=x%26y%3Dz%25%2B%2F%C3%BC&k=*-._%7E");
}

// Random names and values of all bytes survive encode -> parse, however split.
TEST(form_urlencoded, round_trip_random_bytes) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 50; ++round) {
    pairs in;
    std::string body;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      std::string name, value;
      const std::size_t nl = 1 + rng() % 8,
                        vl = rng() % 12;  // empty names would be skipped only if '=' missing
      for (std::size_t k = 0; k < nl; ++k)
        name.push_back(static_cast<char>(rng()));
      for (std::size_t k = 0; k < vl; ++k)
        value.push_back(static_cast<char>(rng()));
      http::append_urlencoded(body, name, value);
      in.emplace_back(std::move(name), std::move(value));
    }
    auto whole = http::parse_urlencoded(body);
    ASSERT_TRUE(whole) << body;
    ASSERT_EQ(whole.value(), in) << body;
    std::string expected;
    for (const auto& [k, v] : in)
      expected += form_test::escape(k) + "=" + form_test::escape(v) + "\n";
    expect_run(body, expected + "ok");
  }
}

}  // namespace
