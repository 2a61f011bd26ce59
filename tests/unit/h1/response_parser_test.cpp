// Tests for the sans-I/O response parser (src/h1/response_parser*.cpp, and
// through it src/h1/chunked_decoder.cpp): every case is fed whole and split
// at every byte position (each piece in its own heap block), and must give
// the same outcome. The head tests come first, then the conformance cases
// of tests/unit/h1/response_cases/*.txt (every framing, 1xx, 101, HEAD,
// trailers, errors with their offsets, finish()), then direct tests of what
// data files cannot say.
#include "h1/response_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "case_text.hpp"

namespace {

using lwspp::h1::response_event;
using lwspp::h1::response_limits;
using lwspp::h1::response_parser;

struct outcome {
  bool ok = false;
  int status = 0;
  std::string reason;          // the reason phrase, or the error reason
  std::size_t head_bytes = 0;  // bytes the head took
  std::uint64_t error_offset = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  bool operator==(const outcome&) const = default;
};

// Feeds `in` cut at `cut` (0: whole); returns what the parser said.
outcome feed(std::string_view in, std::size_t cut, const response_limits& limits = {}) {
  response_parser p(limits);
  outcome o;
  std::size_t taken = 0;
  for (auto piece : {in.substr(0, cut), in.substr(cut)}) {
    std::unique_ptr<char[]> own(new char[piece.size() + 1]);
    std::copy(piece.begin(), piece.end(), own.get());
    const auto s = p.feed(std::string_view(own.get(), piece.size()));
    taken += s.consumed;
    if (s.ev == response_event::error) {
      o.reason = p.error_reason();
      o.error_offset = p.error_offset();
      return o;
    }
    if (s.ev == response_event::head) {
      const auto& h = p.head();
      o.ok = true;
      o.status = h.status;
      o.reason = h.reason;
      o.head_bytes = taken;
      for (const auto& f : h.headers)
        o.fields.emplace_back(f.name, f.value);
      return o;
    }
  }
  o.reason = "need more";
  return o;
}

// The outcome fed whole, checked to be the same at every split.
outcome parse(std::string_view in, const response_limits& limits = {}) {
  const outcome whole = feed(in, 0, limits);
  for (std::size_t i = 1; i < in.size(); ++i)
    EXPECT_EQ(feed(in, i, limits), whole) << "split at " << i << " of: " << in;
  return whole;
}

TEST(h1_response_parser, a_101_and_the_bytes_after_it) {
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection:  Upgrade \r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  const outcome o = parse(head + "\x81\x02hi");
  ASSERT_TRUE(o.ok) << o.reason;
  EXPECT_EQ(o.status, 101);
  EXPECT_EQ(o.reason, "Switching Protocols");
  EXPECT_EQ(o.head_bytes, head.size());
  ASSERT_EQ(o.fields.size(), 3u);
  EXPECT_EQ(o.fields[1].second, "Upgrade");  // whitespace around a value is not part of it
}

TEST(h1_response_parser, versions_statuses_and_reasons) {
  EXPECT_EQ(parse("HTTP/1.0 404 Not Found\r\n\r\n").status, 404);
  const outcome empty = parse("HTTP/1.1 204 \r\n\r\n");
  EXPECT_TRUE(empty.ok);
  EXPECT_EQ(empty.reason, "");
  EXPECT_TRUE(parse("HTTP/1.1 200 D\xe9j\xe0 vu\r\n\r\n").ok);  // obs-text
  EXPECT_EQ(parse("HTTP/1.1 599 x\r\n\r\n").status, 599);
  EXPECT_EQ(parse("HTTP/1.1 100 Continue\r\n\r\n").status, 100);
}

TEST(h1_response_parser, get_joins_and_counts_fields) {
  response_parser p;
  const std::string in =
      "HTTP/1.1 101 x\r\nConnection: keep-alive\r\nA: 1\r\nconnection: Upgrade\r\n\r\n";
  ASSERT_EQ(p.feed(in).ev, response_event::head);
  std::string store;
  EXPECT_EQ(p.head().get_all("CONNECTION", store), "keep-alive, Upgrade");
  EXPECT_EQ(p.head().get("connection"), "keep-alive");
  EXPECT_EQ(p.head().count("Connection"), 2u);
  EXPECT_EQ(p.head().get_all("a", store), "1");
  EXPECT_EQ(p.head().get("missing"), "");
}

struct bad_case {
  const char* in;
  const char* reason;
};

TEST(h1_response_parser, strictness) {
  const bad_case cases[] = {
      {"HTTP/1.1 200\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 200 OK\n\n", "bare LF"},
      {"HTTP/1.1 200 OK\r\nA: 1\n\r\n", "bare LF"},
      {"HTTP/1.1 200 OK\r\nA: 1\r\n  folded\r\n\r\n",
       "obsolete line folding or whitespace before a field"},
      {"HTTP/1.1 200 OK\r\nA: 1\r2\r\n\r\n", "bare CR"},
      {"HTTP/1.1 200 O\rK\r\n\r\n", "bare CR"},
      {"HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", "whitespace before the colon"},
      {"HTTP/1.1 200 OK\r\n: 1\r\n\r\n", "empty field name"},
      {"HTTP/1.1 200 OK\r\nA(b): 1\r\n\r\n", "invalid character in a field name"},
      {"HTTP/1.1 200 OK\r\nA: a\x01z\r\n\r\n", "invalid character in a field value"},
      {"HTTP/2.0 200 OK\r\n\r\n", "HTTP version not supported"},
      {"HTTP/0.9 200 OK\r\n\r\n", "HTTP version not supported"},
      {"HTTP/1.1 099 x\r\n\r\n", "malformed status code"},
      {"HTTP/1.1 600 x\r\n\r\n", "malformed status code"},
      {"HTTP/1.1 20x x\r\n\r\n", "malformed status code"},
      {"http/1.1 200 OK\r\n\r\n", "malformed status line"},
      {"\x16\x03\x01\x02\x01\x01\x01\x01\xfc\x03\x03", "malformed status line"},  // TLS
      {"HTTP/1.1 200 OK", "need more"},
      {"HTTP/1.1 200 OK\r\n\x7f: x\r\n\r\n", "invalid character in a field name"},
  };
  for (const bad_case& c : cases) {
    const outcome o = parse(c.in);
    EXPECT_FALSE(o.ok) << c.in;
    EXPECT_EQ(o.reason, c.reason) << c.in;
  }
}

TEST(h1_response_parser, a_nul_in_a_value_is_refused) {
  const std::string in("HTTP/1.1 200 OK\r\nA: a\0z\r\n\r\n", 28);
  const outcome o = parse(in);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "invalid character in a field value");
  EXPECT_EQ(o.error_offset, 21u);
}

TEST(h1_response_parser, limits_hold_at_any_split) {
  const response_limits small{.max_status_line = 20, .max_header_bytes = 30, .max_headers = 2};
  EXPECT_TRUE(parse("HTTP/1.1 200 1234567\r\n\r\n", small).ok);  // exactly 20
  EXPECT_EQ(parse("HTTP/1.1 200 12345678\r\n\r\n", small).reason, "status line too long");
  EXPECT_EQ(parse("HTTP/1.1 200 1234567\r", small).reason, "need more");
  EXPECT_EQ(parse("HTTP/1.1 200 12345678\r", small).reason, "status line too long");
  // Field lines and the empty line: exactly 30 bytes, then 31.
  EXPECT_TRUE(parse("HTTP/1.1 200 x\r\nA: " + std::string(23, '1') + "\r\n\r\n", small).ok);
  EXPECT_EQ(parse("HTTP/1.1 200 x\r\nA: " + std::string(24, '1') + "\r\n\r\n", small).reason,
            "header section too large");
  EXPECT_EQ(parse("HTTP/1.1 200 x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", small).reason,
            "too many header fields");
  // An endless field line stops at the limit, not at the end of memory.
  EXPECT_EQ(parse("HTTP/1.1 200 x\r\nA: " + std::string(100, 'a'), small).reason,
            "header section too large");
}

TEST(h1_response_parser, an_error_stays_until_reset) {
  response_parser p;
  EXPECT_EQ(p.feed("HTTP/9.9 200 x\r\n").ev, response_event::error);
  EXPECT_EQ(p.feed("HTTP/1.1 200 x\r\n\r\n").ev, response_event::error);
  p.reset();
  EXPECT_EQ(p.feed("HTTP/1.1 200 x\r\n\r\n").ev, response_event::head);
}

// ---------------------------------------------------------------------------
// Conformance cases: tests/unit/h1/response_cases/*.txt (format in
// docs/h1.md, "The response test-case files"). Each case is fed whole,
// split in two at every byte position and byte by byte; the three event
// logs must be the same, and the first must match the expected one.
// ---------------------------------------------------------------------------

namespace fs = std::filesystem;
using lwspp::h1::body_framing;
using lwspp::h1::response_step;

using h1_case::escape;
using h1_case::unescape;

struct response_case {
  std::string where;  // file:line name
  response_limits limits;
  std::vector<bool> head_requests;  // per response, in order (default: GET)
  bool eof = false;                 // finish() after the input
  std::string input;
  std::vector<std::string> expected;
  std::string problem;
};

fs::path response_cases_dir() {
  const fs::path here = fs::path(__FILE__).parent_path() / "response_cases";
  const char* src = std::getenv("LWSPP_SOURCE_DIR");
  if (fs::is_directory(here) || src == nullptr) return here;
  return fs::path(src) / "tests/unit/h1/response_cases";
}

bool set_limit(response_limits& l, std::string_view key, std::size_t v) {
  std::size_t* const fields[] = {&l.max_status_line, &l.max_header_bytes, &l.max_headers,
                                 &l.max_chunk_ext, &l.max_trailer_bytes};
  const std::string_view names[] = {"max_status_line", "max_header_bytes", "max_headers",
                                    "max_chunk_ext", "max_trailer_bytes"};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if (names[i] != key) continue;
    *fields[i] = v;
    return true;
  }
  return false;
}

void directive(response_case& c, std::string_view key, std::string_view value) {
  std::istringstream words{std::string(value)};
  std::string w;
  if (key == "limits") {
    while (words >> w) {
      const std::size_t eq = w.find('=');
      if (eq == std::string::npos ||
          !set_limit(c.limits, std::string_view(w).substr(0, eq), std::stoull(w.substr(eq + 1))))
        c.problem = "bad limit " + w;
    }
  } else if (key == "requests") {
    while (words >> w) {
      if (w != "GET" && w != "HEAD") c.problem = "request is GET or HEAD, not " + w;
      c.head_requests.push_back(w == "HEAD");
    }
  } else if (key == "eof") {
    c.eof = true;
  } else {
    c.problem = "unknown directive " + std::string(key);
  }
}

std::vector<response_case> load_response_cases() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(response_cases_dir(), ec))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<response_case> out;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
        line.pop_back();
      if (line.rfind("## name: ", 0) == 0) {
        out.push_back({});
        out.back().where = f.filename().string() + ":" + std::to_string(n) + " " + line.substr(9);
        continue;
      }
      if (line.empty() || (line[0] == '#' && line.rfind("## ", 0) != 0)) continue;
      if (out.empty()) {
        out.push_back({f.filename().string(), {}, {}, false, {}, {}, "text before a case"});
        continue;
      }
      response_case& c = out.back();
      if (line.rfind("## ", 0) == 0) {
        const std::size_t colon = line.find(':');
        const std::string_view l = line;
        directive(c, l.substr(3, colon == std::string::npos ? colon : colon - 3),
                  colon == std::string::npos ? std::string_view() : l.substr(colon + 1));
      } else if (line[0] == '>') {
        if (!unescape(std::string_view(line).substr(line.size() > 1 ? 2 : 1), c.input))
          c.problem = "bad escape at line " + std::to_string(n);
      } else if (line[0] == '<') {
        c.expected.push_back(line.size() > 1 ? line.substr(2) : std::string());
      } else {
        c.problem = "unrecognised line " + std::to_string(n);
      }
    }
  }
  return out;
}

const std::vector<response_case>& response_cases() {
  static const std::vector<response_case> cases = load_response_cases();
  return cases;
}

std::string describe(const response_parser& p) {
  const auto& h = p.head();
  std::string s = "head " + std::to_string(h.status) + " 1." + std::to_string(h.version_minor);
  switch (p.framing()) {
    case body_framing::none:
      s += " no-body";
      break;
    case body_framing::content_length:
      s += " length";
      break;
    case body_framing::chunked:
      s += " chunked";
      break;
    case body_framing::until_close:
      s += " until-close";
      break;
  }
  if (p.chunked() != (p.framing() == body_framing::chunked)) s += " (chunked() disagrees)";
  if (p.content_length()) s += " cl=" + std::to_string(*p.content_length());
  return s + (p.keep_alive() ? " keep-alive" : " close");
}

struct case_run {
  std::vector<std::string> log;
  std::vector<std::string> violations;
};

// Feeds the case cut at `cuts`; after each end, the next response (reset()
// with the next request's kind) if bytes remain, except after a 101, whose
// remaining bytes are logged as "rest N".
case_run run_case(const response_case& c, const std::vector<std::size_t>& cuts) {
  case_run r;
  response_parser p(c.limits);
  std::size_t response = 0;
  auto kind = [&] { return response < c.head_requests.size() && c.head_requests[response]; };
  p.reset(kind());
  std::string body;
  auto flush = [&] {
    if (!body.empty()) r.log.push_back("body " + escape(body));
    body.clear();
  };
  auto bad = [&](std::string what) { r.violations.push_back(std::move(what)); };
  bool stopped = false;  // error, or the end of a 101
  bool ended = false;    // the last event was end
  std::size_t rest = 0;  // bytes after a 101
  auto log_event = [&](const response_step& s, std::string_view span) {
    if (s.ev == response_event::body) {
      if (s.data.empty()) bad("empty body event");
      if (!s.data.empty() && (s.data.data() < span.data() ||
                              s.data.data() + s.data.size() > span.data() + span.size()))
        bad("body data outside the span");
      body.append(s.data);
      return;
    }
    flush();
    if (s.ev == response_event::head) {
      r.log.push_back(describe(p));
      for (const auto& f : p.head().headers)
        r.log.push_back("header " + escape(f.name) + ": " + escape(f.value));
    } else if (s.ev == response_event::end) {
      for (const auto& f : p.trailers())
        r.log.push_back("trailer " + escape(f.name) + ": " + escape(f.value));
      r.log.push_back("end");
    } else if (s.ev == response_event::error) {
      r.log.push_back("error " + std::string(p.error_reason()) + " @" +
                      std::to_string(p.error_offset()));
      if (p.feed("x").ev != response_event::error || p.finish().ev != response_event::error)
        bad("error not sticky");
    }
  };
  std::size_t from = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : c.input.size();
    std::unique_ptr<char[]> own(new char[to - from + 1]);
    std::copy(c.input.data() + from, c.input.data() + to, own.get());
    std::string_view span(own.get(), to - from);
    from = to;
    for (int guard = 0; !stopped; ++guard) {
      if (guard > 64 + 4 * static_cast<int>(c.input.size())) {
        bad("no progress");
        stopped = true;
        break;
      }
      if (ended) {
        if (span.empty()) break;
        ended = false;
        ++response;
        p.reset(kind());
      }
      const response_step s = p.feed(span);
      if (s.consumed > span.size()) {
        bad("consumed more than given");
        stopped = true;
        break;
      }
      const std::string_view in = span;
      span.remove_prefix(s.consumed);
      if (s.ev == response_event::need_more) {
        if (!span.empty()) bad("need_more without consuming everything");
        break;
      }
      log_event(s, in);
      ended = s.ev == response_event::end;
      stopped = s.ev == response_event::error || (ended && p.head().status == 101);
    }
    if (stopped && ended) rest += span.size();
  }
  if (c.eof && !stopped) {
    const response_step s = p.finish();
    if (s.consumed != 0) bad("finish consumed bytes");
    flush();
    r.log.push_back("eof");
    log_event(s, {});
  }
  flush();
  if (rest > 0) r.log.push_back("rest " + std::to_string(rest));
  return r;
}

std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v)
    s += "  " + l + "\n";
  return s;
}

// Header lines are compared only when the case lists some.
std::vector<std::string> comparable(std::vector<std::string> log,
                                    const std::vector<std::string>& expected) {
  const bool headers = std::any_of(expected.begin(), expected.end(),
                                   [](const std::string& e) { return e.rfind("header ", 0) == 0; });
  if (!headers) std::erase_if(log, [](const std::string& l) { return l.rfind("header ", 0) == 0; });
  return log;
}

class response_conformance : public ::testing::TestWithParam<std::size_t> {};

TEST_P(response_conformance, same_log_however_split) {
  const response_case& c = response_cases()[GetParam()];
  SCOPED_TRACE(c.where);
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  ASSERT_FALSE(c.expected.empty()) << "no expected events";
  const case_run whole = run_case(c, {});
  EXPECT_TRUE(whole.violations.empty()) << lines(whole.violations);
  EXPECT_EQ(lines(comparable(whole.log, c.expected)), lines(c.expected))
      << "input: " << escape(c.input);
  std::vector<std::size_t> every;
  for (std::size_t at = 1; at < c.input.size(); ++at) {
    const case_run split = run_case(c, {at});
    ASSERT_TRUE(split.violations.empty()) << "split at " << at << ":\n" << lines(split.violations);
    ASSERT_EQ(lines(split.log), lines(whole.log)) << "split at " << at;
    every.push_back(at);
  }
  const case_run bytewise = run_case(c, every);
  EXPECT_TRUE(bytewise.violations.empty()) << lines(bytewise.violations);
  EXPECT_EQ(lines(bytewise.log), lines(whole.log)) << "byte by byte";
}

std::string response_case_name(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string s = std::to_string(info.param) + "_";
  const std::string& w = response_cases()[info.param].where;
  for (char ch : w.substr(0, w.find('.')) + "_" + w.substr(w.find(' ') + 1)) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
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

INSTANTIATE_TEST_SUITE_P(cases, response_conformance,
                         ::testing::Range<std::size_t>(0, response_cases().size()),
                         response_case_name);

TEST(h1_response_parser_cases, are_found_and_many) {
  EXPECT_TRUE(fs::is_directory(response_cases_dir())) << response_cases_dir();
  EXPECT_GE(response_cases().size(), 60u);
}

// ---------------------------------------------------------------------------
// Direct tests
// ---------------------------------------------------------------------------

response_step feed_some(response_parser& p, std::string_view& in) {
  const response_step s = p.feed(in);
  in.remove_prefix(s.consumed);
  return s;
}

TEST(h1_response_parser, default_limits) {
  const response_limits l;
  EXPECT_EQ(l.max_status_line, 8u * 1024);
  EXPECT_EQ(l.max_header_bytes, 16u * 1024);
  EXPECT_EQ(l.max_headers, 100u);
  EXPECT_EQ(l.max_chunk_ext, 1024u);
  EXPECT_EQ(l.max_trailer_bytes, 4u * 1024);
}

TEST(h1_response_parser, a_101_stops_consuming_at_its_head) {
  const std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  const std::string in = head + "\x81\x02hi";
  response_parser p;
  const response_step s = p.feed(in);
  ASSERT_EQ(s.ev, response_event::head);
  EXPECT_EQ(s.consumed, head.size());
  EXPECT_FALSE(p.keep_alive());
  const response_step e = p.feed(std::string_view(in).substr(s.consumed));
  EXPECT_EQ(e.ev, response_event::end);
  EXPECT_EQ(e.consumed, 0u);
}

TEST(h1_response_parser, views_outlive_the_callers_buffer) {
  std::string a =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n3\r\nabc\r\n0\r\nT: 1";
  std::string b = "\r\n\r\n";
  response_parser p;
  std::string_view in = a;
  ASSERT_EQ(feed_some(p, in).ev, response_event::head);
  const response_step body = feed_some(p, in);
  ASSERT_EQ(body.ev, response_event::body);
  EXPECT_EQ(body.data.data(), a.data() + a.find("abc"));  // no copy of the body
  ASSERT_EQ(feed_some(p, in).ev, response_event::need_more);
  a.assign(a.size(), '#');  // the caller reuses its buffer
  in = b;
  ASSERT_EQ(feed_some(p, in).ev, response_event::end);
  b.assign(b.size(), '#');
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().get("x"), "y");
  ASSERT_EQ(p.trailers().size(), 1u);
  EXPECT_EQ(p.trailers()[0].name, "T");
  EXPECT_EQ(p.trailers()[0].value, "1");
}

TEST(h1_response_parser, a_large_body_streams_without_copies) {
  const std::string body(100000, 'b');
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body;
  response_parser p;
  std::string_view rest = in;
  ASSERT_EQ(feed_some(p, rest).ev, response_event::head);
  EXPECT_EQ(p.content_length(), std::optional<std::uint64_t>(100000));
  EXPECT_FALSE(p.chunked());
  const response_step s = feed_some(p, rest);
  ASSERT_EQ(s.ev, response_event::body);
  EXPECT_EQ(s.data.size(), body.size());
  EXPECT_EQ(s.data.data(), in.data() + in.size() - body.size());
  EXPECT_EQ(feed_some(p, rest).ev, response_event::end);
}

TEST(h1_response_parser, after_end_reset_is_due) {
  response_parser p;
  std::string_view in = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n";
  ASSERT_EQ(feed_some(p, in).ev, response_event::head);
  ASSERT_EQ(feed_some(p, in).ev, response_event::end);
  EXPECT_EQ(p.feed("").ev, response_event::need_more);  // nothing more to say
  EXPECT_EQ(p.finish().ev, response_event::end);        // a close now is clean
  // Bytes without reset() are no response of ours.
  EXPECT_EQ(p.feed(in).ev, response_event::error);
  EXPECT_EQ(p.error_reason(), "data after the end of the response");
  EXPECT_EQ(p.error_offset(), 27u);
  p.reset();
  EXPECT_EQ(feed_some(p, in).ev, response_event::need_more);
  EXPECT_TRUE(in.empty());
}

TEST(h1_response_parser, reset_says_whether_the_request_was_head) {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
  response_parser p;
  p.reset(true);
  ASSERT_EQ(p.feed(in).ev, response_event::head);
  EXPECT_EQ(p.framing(), lwspp::h1::body_framing::none);
  EXPECT_EQ(p.content_length(), std::optional<std::uint64_t>(3));
  EXPECT_EQ(p.feed("").ev, response_event::end);
  p.reset();  // a GET again
  ASSERT_EQ(p.feed(in).ev, response_event::head);
  EXPECT_EQ(p.framing(), lwspp::h1::body_framing::content_length);
  EXPECT_EQ(p.feed("").ev, response_event::need_more);
  EXPECT_EQ(p.finish().ev, response_event::error);
  EXPECT_EQ(p.error_reason(), "truncated body");
}

TEST(h1_response_parser, finish_before_anything_and_twice) {
  response_parser p;
  EXPECT_EQ(p.finish().ev, response_event::error);
  EXPECT_EQ(p.error_reason(), "connection closed before the response");
  EXPECT_EQ(p.error_offset(), 0u);
  EXPECT_EQ(p.finish().ev, response_event::error);  // still
  p.reset();
  ASSERT_EQ(p.feed("HTTP/1.1 200 OK\r\n\r\nabc").ev, response_event::head);
  EXPECT_FALSE(p.keep_alive());  // read until close
  EXPECT_FALSE(p.content_length().has_value());
  const response_step e = p.finish();
  EXPECT_EQ(e.ev, response_event::end);
  EXPECT_EQ(e.consumed, 0u);
  EXPECT_EQ(p.finish().ev, response_event::end);
}

TEST(h1_response_parser, an_interim_head_is_readable_at_its_event) {
  response_parser p;
  std::string_view in =
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
      "0\r\n\r\n";
  ASSERT_EQ(feed_some(p, in).ev, response_event::head);
  EXPECT_EQ(p.head().status, 103);
  EXPECT_EQ(p.head().get("link"), "</a.css>");
  ASSERT_EQ(feed_some(p, in).ev, response_event::head);
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().get("link"), "");
  EXPECT_EQ(feed_some(p, in).ev, response_event::end);
  EXPECT_TRUE(in.empty());
}

}  // namespace
