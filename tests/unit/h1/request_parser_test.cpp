// Tests for lwspp::h1::request_parser (src/h1/request_parser*.cpp,
// src/h1/chunked_decoder.cpp) and the interned names (src/http/known_headers.cpp,
// src/http/method.cpp).
//
// Most cases are data: tests/unit/h1/cases/*.txt (format in docs/h1.md, "The
// test-case files"). Each case is fed whole, split in two at every byte
// position, and byte by byte; all runs must give the same event log, and that
// log must match the expected one. Every span is copied into its own heap
// block of exactly its size, freed before the next feed, so that ASan catches
// a read past the span or of a span the parser should have copied.
#include "h1/request_parser.hpp"
#include "h1/field_lines.hpp"
#include "util/ascii.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "case_text.hpp"
#include "http/known_headers.hpp"
#include "lwspp/http_method.hpp"

namespace {

namespace fs = std::filesystem;
using lwspp::h1::event;
using lwspp::h1::parser_leniency;
using lwspp::h1::parser_limits;
using lwspp::h1::request_head;
using lwspp::h1::request_parser;
using lwspp::h1::step;
using lwspp::h1::target_form;
namespace http = lwspp::http;
namespace h1 = lwspp::h1;

using h1_case::escape;
using h1_case::unescape;

std::string field_line(std::string_view kind, std::string_view name, std::string_view value) {
  std::string s = std::string(kind) + " " + escape(name) + ":";
  if (!value.empty()) s += " " + escape(value);
  return s;
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

struct test_case {
  std::string file;  // stem, e.g. "chunked"
  int line = 0;      // of the "## name:" line
  std::string name;
  parser_limits limits;
  parser_leniency lenient;
  std::string input;
  std::vector<std::string> expected;
  std::string problem;  // a malformed case file: reported by the test
};

// Next to this source file (__FILE__ is absolute in CMake builds); for a
// build with a relative __FILE__ run elsewhere, under LWSPP_SOURCE_DIR.
fs::path cases_dir() {
  const fs::path here = fs::path(__FILE__).parent_path() / "cases";
  const char* src = std::getenv("LWSPP_SOURCE_DIR");
  if (fs::is_directory(here) || src == nullptr) return here;
  return fs::path(src) / "tests/unit/h1/cases";
}

bool set_limit(parser_limits& l, std::string_view key, std::uint64_t v) {
  if (key == "max_request_line") {
    l.max_request_line = v;
  } else if (key == "max_header_bytes") {
    l.max_header_bytes = v;
  } else if (key == "max_headers") {
    l.max_headers = v;
  } else if (key == "max_trailer_bytes") {
    l.max_trailer_bytes = v;
  } else if (key == "max_chunk_ext") {
    l.max_chunk_ext = v;
  } else if (key == "max_body") {
    l.max_body = v;
  } else {
    return false;
  }
  return true;
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

void parse_directive(test_case& c, std::string_view key, std::string_view value) {
  std::istringstream words{std::string(value)};
  std::string w;
  if (key == "limits") {
    while (words >> w) {
      const std::size_t eq = w.find('=');
      if (eq == std::string::npos ||
          !set_limit(c.limits, std::string_view(w).substr(0, eq), std::stoull(w.substr(eq + 1)))) {
        c.problem = "bad limit " + w;
      }
    }
  } else if (key == "lenient") {
    while (words >> w) {
      if (w == "allow_bare_lf") {
        c.lenient.allow_bare_lf = true;
      } else {
        c.problem = "unknown leniency " + w;
      }
    }
  } else {
    c.problem = "unknown directive " + std::string(key);
  }
}

void load_file(const fs::path& path, std::vector<test_case>& out) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  test_case* c = nullptr;
  const std::string stem = path.stem().string();
  while (std::getline(in, line)) {
    ++n;
    line = rtrim(line);
    if (line.rfind("## name:", 0) == 0) {
      out.push_back({});
      c = &out.back();
      c->file = stem;
      c->line = n;
      c->name = rtrim(line.substr(8));
      while (!c->name.empty() && c->name.front() == ' ')
        c->name.erase(0, 1);
      continue;
    }
    if (line.empty() || (line[0] == '#' && line.rfind("## ", 0) != 0)) continue;  // comment
    if (c == nullptr) {
      out.push_back({stem, n, "(before the first case)", {}, {}, {}, {}, "text before a case"});
      return;
    }
    if (line.rfind("## ", 0) == 0) {
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) {
        c->problem = "directive without ':' at line " + std::to_string(n);
      } else {
        parse_directive(*c, std::string_view(line).substr(3, colon - 3),
                        std::string_view(line).substr(colon + 1));
      }
    } else if (line[0] == '>') {
      const std::string_view text = std::string_view(line).substr(line.size() > 1 ? 2 : 1);
      if (!unescape(text, c->input)) c->problem = "bad escape at line " + std::to_string(n);
    } else if (line[0] == '<') {
      c->expected.push_back(line.size() > 1 ? line.substr(2) : std::string());
    } else {
      c->problem = "unrecognised line " + std::to_string(n);
    }
  }
}

std::vector<test_case> load_cases() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cases_dir(), ec)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<test_case> out;
  for (const fs::path& f : files)
    load_file(f, out);
  return out;
}

const std::vector<test_case>& all_cases() {
  static const std::vector<test_case> cases = load_cases();
  return cases;
}

// ---------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------

// The canonical one-line summary of a head (see docs/h1.md).
std::string describe(const request_head& h) {
  std::string s =
      "head " + escape(h.method) + " " + escape(h.target) + " 1." + std::to_string(h.version_minor);
  switch (h.form) {
    case target_form::origin:
      break;
    case target_form::absolute:
      s += " form=absolute";
      break;
    case target_form::authority:
      s += " form=authority";
      break;
    case target_form::asterisk:
      s += " form=asterisk";
      break;
  }
  s += h.keep_alive ? " keep-alive" : " close";
  if (h.chunked) s += " chunked";
  if (h.has_content_length) s += " length=" + std::to_string(h.content_length);
  if (h.expect_continue) s += " expect-continue";
  if (h.upgrade) s += " upgrade=" + escape(h.upgrade_protocol);
  return s;
}

bool within(std::string_view v, const char* p, std::size_t n) {
  return v.empty() || (v.data() >= p && v.data() + v.size() <= p + n);
}

struct run_result {
  std::vector<std::string> log;
  std::vector<std::string> violations;  // contract breaches seen while feeding
};

// Feeds `input` cut at `cuts` (increasing positions) and logs the events.
// `zero_copy` asks to check that head views point into the span fed.
run_result run(const test_case& c, const std::vector<std::size_t>& cuts, bool zero_copy) {
  run_result r;
  request_parser p(c.limits, c.lenient);
  std::string body;  // consecutive body pieces, merged
  auto flush_body = [&] {
    if (!body.empty()) r.log.push_back("body " + escape(body));
    body.clear();
  };
  auto bad = [&](std::string what) { r.violations.push_back(std::move(what)); };
  std::size_t from = 0;
  bool failed = false;
  for (std::size_t k = 0; k <= cuts.size() && !failed; ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : c.input.size();
    const std::size_t n = to - from;
    // An exact-size block per span: ASan flags any read outside it, and any
    // view into it used after it is freed.
    std::unique_ptr<char[]> span(new char[n == 0 ? 1 : n]);
    std::copy(c.input.data() + from, c.input.data() + to, span.get());
    std::string_view rest(span.get(), n);
    for (int guard = 0;; ++guard) {
      if (guard > 4 * static_cast<int>(c.input.size()) + 16) {
        bad("no progress");
        failed = true;
        break;
      }
      const step s = p.feed(rest);
      if (s.consumed > rest.size()) bad("consumed more than given");
      if (s.ev == event::need_more) {
        if (s.consumed != rest.size()) bad("need_more without consuming everything");
        break;
      }
      if (s.ev == event::body) {
        if (s.data.empty()) bad("empty body event");
        if (!within(s.data, rest.data(), rest.size())) bad("body data outside the span");
        body.append(s.data);
      } else {
        flush_body();
      }
      if (s.ev == event::head) {
        const request_head& h = p.head();
        r.log.push_back(describe(h));
        if (h.method_id != http::lookup_method(h.method)) bad("method_id");
        if (zero_copy && (!within(h.method, rest.data(), rest.size()) ||
                          !within(h.target, rest.data(), rest.size()))) {
          bad("head not zero-copy");
        }
        for (const auto& f : h.headers) {
          r.log.push_back(field_line("header", f.name, f.value));
          if (f.id != http::lookup_header(f.name)) bad("header id of " + std::string(f.name));
          if (zero_copy && !within(f.value, rest.data(), rest.size())) bad("header not zero-copy");
        }
        if (h.host != h.get(http::header_id::host)) bad("host != get(host)");
      } else if (s.ev == event::message_end) {
        for (const auto& f : p.trailers()) {
          r.log.push_back(field_line("trailer", f.name, f.value));
        }
        r.log.push_back("end");
        if (!p.idle()) bad("not idle after message_end");
      } else if (s.ev == event::error) {
        r.log.push_back("error " + std::to_string(p.error_status()) + " @" +
                        std::to_string(p.error_offset()));
        if (p.error_reason().empty()) bad("error without a reason");
        const step again = p.feed("more");
        if (again.ev != event::error || again.consumed != 0) bad("error state not sticky");
        failed = true;
        break;
      }
      rest.remove_prefix(s.consumed);
    }
    from = to;
  }
  flush_body();
  return r;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines)
    s += "  " + l + "\n";
  return s;
}

// What the expected log is compared with: header lines only if the case
// lists some, error offsets only if the case gives one.
std::vector<std::string> comparable(std::vector<std::string> log,
                                    const std::vector<std::string>& expected) {
  bool headers = false;
  bool offsets = false;
  for (const auto& e : expected) {
    headers |= e.rfind("header ", 0) == 0;
    offsets |= e.rfind("error ", 0) == 0 && e.find('@') != std::string::npos;
  }
  std::vector<std::string> out;
  for (auto& l : log) {
    if (!headers && l.rfind("header ", 0) == 0) continue;
    if (!offsets && l.rfind("error ", 0) == 0) l = l.substr(0, l.find(" @"));
    out.push_back(std::move(l));
  }
  return out;
}

class conformance : public ::testing::TestWithParam<std::size_t> {};

TEST_P(conformance, same_log_however_split) {
  const test_case& c = all_cases()[GetParam()];
  SCOPED_TRACE(c.file + ".txt:" + std::to_string(c.line) + ": " + c.name);
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  ASSERT_FALSE(c.expected.empty()) << "no expected events";

  const run_result whole = run(c, {}, true);
  EXPECT_TRUE(whole.violations.empty()) << join(whole.violations);
  EXPECT_EQ(join(comparable(whole.log, c.expected)), join(c.expected))
      << "input: " << escape(c.input);

  // Split in two at every position (a sample of them for long inputs).
  const std::size_t n = c.input.size();
  const std::size_t stride = n > 3000 ? n / 1000 : 1;
  for (std::size_t at = 1; at < n; at += stride) {
    const run_result split = run(c, {at}, false);
    ASSERT_TRUE(split.violations.empty()) << "split at " << at << ":\n" << join(split.violations);
    ASSERT_EQ(join(split.log), join(whole.log)) << "split at " << at;
  }
  std::vector<std::size_t> bytes;
  for (std::size_t at = 1; at < n; ++at)
    bytes.push_back(at);
  const run_result bytewise = run(c, bytes, false);
  EXPECT_TRUE(bytewise.violations.empty()) << "byte by byte:\n" << join(bytewise.violations);
  EXPECT_EQ(join(bytewise.log), join(whole.log)) << "byte by byte";
}

std::string case_name(const ::testing::TestParamInfo<std::size_t>& info) {
  const test_case& c = all_cases()[info.param];
  char num[8];
  std::snprintf(num, sizeof num, "%03zu", info.param);
  std::string s = c.file + "_" + num + "_";
  for (char ch : c.name) {
    const bool alnum =
        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (alnum) {
      s += ch;
    } else if (s.back() != '_') {
      s += '_';
    }
    if (s.size() > 72) break;
  }
  while (s.back() == '_')
    s.pop_back();
  return s;
}

INSTANTIATE_TEST_SUITE_P(cases, conformance, ::testing::Range<std::size_t>(0, all_cases().size()),
                         case_name);

TEST(request_parser_cases, are_found_and_many) {
  EXPECT_TRUE(fs::is_directory(cases_dir())) << cases_dir();
  EXPECT_GE(all_cases().size(), 120u);
  std::size_t errors = 0;
  for (const auto& c : all_cases()) {
    for (const auto& e : c.expected)
      errors += e.rfind("error ", 0) == 0;
  }
  EXPECT_GE(errors, 50u);
}

// ---------------------------------------------------------------------------
// Direct tests
// ---------------------------------------------------------------------------

step feed_all(request_parser& p, std::string_view& in) {
  const step s = p.feed(in);
  in.remove_prefix(s.consumed);
  return s;
}

// Field values are scanned 8 bytes at a time before the byte loop; every
// byte value at every position of values of every length up to 24 (so at
// every offset in and after a word) is accepted or refused as the grammar
// says, and refused at its own offset.
TEST(field_lines, every_byte_at_every_offset_of_a_value) {
  const auto is_value_byte = [](unsigned char c) { return (c >= 0x20 && c != 0x7f) || c == '\t'; };
  std::vector<h1::header_field> out;
  std::size_t checked = 0;
  for (std::size_t len = 1; len <= 24; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string value(len, 'v');
        value[at] = static_cast<char>(b);
        const std::string section = "X-Name: " + value + "\r\n\r\n";
        out.clear();
        const h1::field_problem p = h1::parse_field_lines(section, 0, 10, false, out);
        if (is_value_byte(static_cast<unsigned char>(b))) {
          ASSERT_EQ(p.reason, nullptr) << len << " " << at << " " << b;
          ASSERT_EQ(out.size(), 1u);
          std::string_view want(value);
          while (!want.empty() && (want.front() == ' ' || want.front() == '\t'))
            want.remove_prefix(1);
          while (!want.empty() && (want.back() == ' ' || want.back() == '\t'))
            want.remove_suffix(1);
          ASSERT_EQ(out[0].value, want);
        } else {
          ASSERT_NE(p.reason, nullptr) << len << " " << at << " " << b;
          ASSERT_EQ(p.pos, 8 + at) << p.reason << " " << len << " " << at << " " << b;
          ASSERT_EQ(p.status, 400);
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 300u * 256u);
}

TEST(known_headers, lookup_is_case_insensitive_and_exact) {
  EXPECT_EQ(http::lookup_header("Content-Length"), http::header_id::content_length);
  EXPECT_EQ(http::lookup_header("content-length"), http::header_id::content_length);
  EXPECT_EQ(http::lookup_header("CONTENT-LENGTH"), http::header_id::content_length);
  EXPECT_EQ(http::lookup_header("TE"), http::header_id::te);
  EXPECT_EQ(http::lookup_header("Sec-WebSocket-Extensions"),
            http::header_id::sec_websocket_extensions);
  EXPECT_EQ(http::lookup_header("content-lengt"), http::header_id::other);
  EXPECT_EQ(http::lookup_header("content-lengths"), http::header_id::other);
  EXPECT_EQ(http::lookup_header("content_length"), http::header_id::other);
  EXPECT_EQ(http::lookup_header("content\rlength"), http::header_id::other);
  EXPECT_EQ(http::lookup_header(""), http::header_id::other);
  EXPECT_EQ(http::lookup_header(std::string(300, 'a')), http::header_id::other);
  // Every interned name finds itself, in any case.
  for (int i = 1; i < static_cast<int>(http::header_id::count_); ++i) {
    const auto id = static_cast<http::header_id>(i);
    const std::string_view name = http::header_name(id);
    ASSERT_FALSE(name.empty()) << i;
    std::string upper(name);
    for (char& ch : upper)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_EQ(http::lookup_header(name), id) << name;
    EXPECT_EQ(http::lookup_header(upper), id) << upper;
  }
  EXPECT_EQ(http::header_name(http::header_id::other), "");
  EXPECT_EQ(http::header_name(http::header_id::count_), "");
}

// lookup_header compares a word at a time with a case mask; this checks it
// against the plain definition (ASCII case-insensitive equality with one of
// the interned names) for every interned name with every byte at every
// position replaced by each of the 256 values, and for every prefix and
// one-byte extension of each name.
TEST(known_headers, lookup_agrees_with_case_insensitive_equality) {
  const auto reference = [](std::string_view name) {
    for (int i = 1; i < static_cast<int>(http::header_id::count_); ++i) {
      const auto id = static_cast<http::header_id>(i);
      if (lwspp::util::iequals(name, http::header_name(id))) return id;
    }
    return http::header_id::other;
  };
  std::size_t checked = 0;
  for (int i = 1; i < static_cast<int>(http::header_id::count_); ++i) {
    const std::string name(http::header_name(static_cast<http::header_id>(i)));
    for (std::size_t at = 0; at < name.size(); ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string m = name;
        m[at] = static_cast<char>(b);
        ASSERT_EQ(http::lookup_header(m), reference(m)) << name << " byte " << at << " = " << b;
        ++checked;
      }
    }
    for (std::size_t len = 0; len <= name.size(); ++len)
      ASSERT_EQ(http::lookup_header(name.substr(0, len)), reference(name.substr(0, len))) << len;
    ASSERT_EQ(http::lookup_header(name + "s"), reference(name + "s"));
  }
  EXPECT_GT(checked, 100000u);
}

TEST(known_headers, methods_are_case_sensitive) {
  using m = http::method;
  const std::pair<std::string_view, m> known[] = {
      {"GET", m::get},         {"HEAD", m::head},      {"POST", m::post},
      {"PUT", m::put},         {"DELETE", m::delete_}, {"CONNECT", m::connect},
      {"OPTIONS", m::options}, {"TRACE", m::trace},    {"PATCH", m::patch},
  };
  for (const auto& [name, id] : known) {
    EXPECT_EQ(http::lookup_method(name), id) << name;
    EXPECT_EQ(http::to_string(id), name);
  }
  EXPECT_EQ(http::lookup_method("get"), m::other);
  EXPECT_EQ(http::lookup_method("GETS"), m::other);
  EXPECT_EQ(http::lookup_method("PROPFIND"), m::other);
  EXPECT_EQ(http::lookup_method(""), m::other);
  EXPECT_EQ(http::to_string(m::other), "");
}

TEST(request_parser, default_limits) {
  const parser_limits l;
  EXPECT_EQ(l.max_request_line, 8u * 1024);
  EXPECT_EQ(l.max_header_bytes, 16u * 1024);
  EXPECT_EQ(l.max_headers, 100u);
  EXPECT_EQ(l.max_trailer_bytes, 4u * 1024);
  EXPECT_EQ(l.max_chunk_ext, 1024u);
  EXPECT_EQ(l.max_body, 1024u * 1024);
  EXPECT_FALSE(parser_leniency{}.allow_bare_lf);
}

TEST(request_parser, whole_head_is_zero_copy_split_head_is_held) {
  const std::string req = "GET /a HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n";
  request_parser p;
  EXPECT_TRUE(p.idle());
  step s = p.feed(req);
  ASSERT_EQ(s.ev, event::head);
  EXPECT_EQ(s.consumed, req.size());
  EXPECT_EQ(p.head().target.data(), req.data() + 4);
  EXPECT_EQ(p.head().headers[1].value.data(), req.data() + 29);
  EXPECT_EQ(p.feed("").ev, event::message_end);

  // The same head in two spans: the views must outlive the first span.
  std::string a = req.substr(0, 10);
  std::string b = req.substr(10);
  s = p.feed(a);
  ASSERT_EQ(s.ev, event::need_more);
  EXPECT_FALSE(p.idle());
  a.assign(a.size(), '#');  // the caller reuses its buffer
  s = p.feed(b);
  ASSERT_EQ(s.ev, event::head);
  EXPECT_EQ(s.consumed, b.size());
  EXPECT_EQ(p.head().method, "GET");
  EXPECT_EQ(p.head().target, "/a");
  EXPECT_EQ(p.head().host, "h");
  EXPECT_EQ(p.head().get(http::header_id::host), "h");
  EXPECT_EQ(p.head().get(http::header_id::cookie), "");
}

TEST(request_parser, pipelined_requests_in_one_buffer) {
  const std::string buf =
      "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
      "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n";
  request_parser p;
  std::string_view in = buf;
  std::vector<std::string> seen;
  while (true) {
    const step s = feed_all(p, in);
    if (s.ev == event::need_more) break;
    ASSERT_NE(s.ev, event::error) << p.error_reason();
    if (s.ev == event::head) seen.push_back(std::string(p.head().target));
    if (s.ev == event::body) seen.push_back(std::string(s.data));
    if (s.ev == event::message_end) seen.push_back("end");
  }
  EXPECT_TRUE(in.empty());
  const std::vector<std::string> want = {"/1", "abc", "end", "/2", "end", "/3", "z", "end"};
  EXPECT_EQ(seen, want);
  EXPECT_TRUE(p.idle());
}

TEST(request_parser, error_is_sticky_until_reset) {
  request_parser p;
  std::string_view in = "GET / HTTP/1.1\r\nHost : a\r\n\r\n";
  step s = p.feed(in);
  ASSERT_EQ(s.ev, event::error);
  EXPECT_EQ(p.error_status(), 400);
  EXPECT_EQ(p.error_offset(), 20u);  // the space before the colon
  EXPECT_EQ(p.error_reason(), "whitespace before the colon");
  s = p.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(s.ev, event::error);
  EXPECT_EQ(s.consumed, 0u);
  p.reset();
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(p.error_status(), 0);
  s = p.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(s.ev, event::head);
}

TEST(request_parser, body_limit_set_after_the_head_applies_to_chunks) {
  request_parser p;
  std::string_view in =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n";
  ASSERT_EQ(feed_all(p, in).ev, event::head);
  p.set_body_limit(6);
  step s = feed_all(p, in);
  ASSERT_EQ(s.ev, event::body);
  EXPECT_EQ(s.data, "abcd");
  s = feed_all(p, in);
  ASSERT_EQ(s.ev, event::error);
  EXPECT_EQ(p.error_status(), 413);
  // A new message gets the configured limit back.
  p.reset();
  in = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\nabcdefgh";
  ASSERT_EQ(feed_all(p, in).ev, event::head);
  s = feed_all(p, in);
  EXPECT_EQ(s.ev, event::body);
}

TEST(request_parser, body_limit_lowered_after_the_head_applies_to_content_length) {
  request_parser p;
  std::string_view in = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789";
  const step h = feed_all(p, in);
  ASSERT_EQ(h.ev, event::head);
  p.set_body_limit(4);
  const step s = feed_all(p, in);
  ASSERT_EQ(s.ev, event::error);
  EXPECT_EQ(p.error_status(), 413);
  EXPECT_EQ(p.error_offset(), h.consumed + 4);  // the first byte over the limit
}

TEST(request_parser, body_limit_of_the_next_message_is_the_configured_one) {
  request_parser p({.max_body = 5});
  std::string_view in =
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n";
  ASSERT_EQ(feed_all(p, in).ev, event::head);
  p.set_body_limit(100);
  ASSERT_EQ(feed_all(p, in).ev, event::body);
  ASSERT_EQ(feed_all(p, in).ev, event::message_end);
  const step s = feed_all(p, in);
  ASSERT_EQ(s.ev, event::error);
  EXPECT_EQ(p.error_status(), 413);
}

TEST(request_parser, body_limit_set_between_messages_applies_to_the_next) {
  request_parser p;
  p.set_body_limit(2);
  std::string_view in = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
  ASSERT_EQ(feed_all(p, in).ev, event::error);
  EXPECT_EQ(p.error_status(), 413);
}

TEST(request_parser, default_request_line_limit_is_exact) {
  const std::size_t max = parser_limits{}.max_request_line;
  auto request_with_line = [](std::size_t len) {
    std::string line = "GET /" + std::string(len - 14, 'a') + " HTTP/1.1";
    EXPECT_EQ(line.size(), len);
    return line + "\r\nHost: a\r\n\r\n";
  };
  request_parser p;
  EXPECT_EQ(p.feed(request_with_line(max)).ev, event::head);
  p.reset();
  const std::string too_long = request_with_line(max + 1);
  EXPECT_EQ(p.feed(too_long).ev, event::error);
  EXPECT_EQ(p.error_status(), 414);
  EXPECT_EQ(p.error_offset(), max);
  // Decided before the line ends: no need to wait for the LF.
  p.reset();
  EXPECT_EQ(p.feed(std::string_view(too_long).substr(0, max + 1)).ev, event::error);
  EXPECT_EQ(p.error_status(), 414);
}

TEST(request_parser, default_header_limits) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 99; ++i)
    head += "X-" + std::to_string(i) + ": v\r\n";
  request_parser p;
  EXPECT_EQ(p.feed(head + "\r\n").ev, event::head);
  EXPECT_EQ(p.head().headers.size(), 100u);
  p.reset();
  EXPECT_EQ(p.feed(head + "X-100: v\r\n\r\n").ev, event::error);
  EXPECT_EQ(p.error_status(), 431);

  p.reset();
  const std::string big =
      "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(16 * 1024, 'v') + "\r\n\r\n";
  EXPECT_EQ(p.feed(big).ev, event::error);
  EXPECT_EQ(p.error_status(), 431);
  EXPECT_EQ(p.error_offset(), 16u + 16 * 1024);
}

// A head that arrives byte by byte is scanned once, not once per byte: 16 KiB
// of headers fed one byte at a time must cost about as much as fed whole.
TEST(request_parser, byte_by_byte_head_is_linear) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
  while (head.size() < 15 * 1024)
    head += "X-Filler: " + std::string(60, 'f') + "\r\n";
  head += "\r\n";
  parser_limits limits;
  limits.max_headers = 1000;
  request_parser p(limits);
  const auto t0 = std::chrono::steady_clock::now();
  for (int round = 0; round < 20; ++round) {
    p.reset();
    for (std::size_t i = 0; i < head.size(); ++i) {
      const step s = p.feed(std::string_view(head).substr(i, 1));
      ASSERT_EQ(s.ev, i + 1 == head.size() ? event::head : event::need_more) << i;
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  // Quadratic rescanning would be ~15k * 15k / 2 bytes per round (over 2 GB
  // for 20 rounds); linear is ~300k feeds. Generous even under sanitizers.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 5000);
}

TEST(request_parser, large_body_streams_without_copies) {
  const std::string body(100000, 'b');
  const std::string req = "PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + body;
  request_parser p;
  std::string_view in = req;
  ASSERT_EQ(feed_all(p, in).ev, event::head);
  const step s = feed_all(p, in);
  ASSERT_EQ(s.ev, event::body);
  EXPECT_EQ(s.data.size(), body.size());
  EXPECT_EQ(s.data.data(), req.data() + req.size() - body.size());
  EXPECT_EQ(feed_all(p, in).ev, event::message_end);
}

TEST(request_parser, trailers_views_valid_at_message_end) {
  request_parser p;
  std::string_view in =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\nX-Sum: 1\r\nX-Other: two\r\n\r\n";
  ASSERT_EQ(feed_all(p, in).ev, event::head);
  ASSERT_EQ(feed_all(p, in).ev, event::message_end);
  ASSERT_EQ(p.trailers().size(), 2u);
  EXPECT_EQ(p.trailers()[1].name, "X-Other");
  EXPECT_EQ(p.trailers()[1].value, "two");
  // The next message starts clean.
  in = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(feed_all(p, in).ev, event::head);
  EXPECT_TRUE(p.trailers().empty());
  EXPECT_FALSE(p.head().chunked);
}

TEST(request_parser, idle_between_messages) {
  request_parser p;
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(p.feed("\r\n").ev, event::need_more);
  EXPECT_TRUE(p.idle());  // empty lines are not a request yet
  EXPECT_EQ(p.feed("G").ev, event::need_more);
  EXPECT_FALSE(p.idle());
  EXPECT_EQ(p.feed("ET / HTTP/1.1\r\nHost: a\r\n\r\n").ev, event::head);
  EXPECT_FALSE(p.idle());
  EXPECT_EQ(p.feed("").ev, event::message_end);
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(p.feed("").ev, event::need_more);
  EXPECT_TRUE(p.idle());
}

TEST(request_parser, every_status_has_a_reason) {
  const std::pair<std::string_view, int> cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417},
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n", 413},
  };
  for (const auto& [req, status] : cases) {
    request_parser p;
    EXPECT_EQ(p.feed(req).ev, event::error) << req;
    EXPECT_EQ(p.error_status(), status) << req;
    EXPECT_FALSE(p.error_reason().empty());
  }
}

}  // namespace
