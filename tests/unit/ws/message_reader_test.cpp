// Conformance of lwspp::ws::message_reader and frame_parser
// (src/ws/message_reader.cpp, src/ws/frame_parser.cpp) against the data
// cases in tests/unit/ws/cases/*.txt, organised like Autobahn's case groups
// (format: docs/ws-codec.md, "The test-case files").
//
// Every case is fed whole, split in two at every byte position, and byte by
// byte; each run must give the expected event log. Every span is copied into
// its own heap block of exactly its size, freed after the event it gave was
// logged, so that ASan catches a read past the span or a view kept too long.
#include "ws/message_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ws_case_dsl.hpp"

namespace {

namespace fs = std::filesystem;
using namespace lwspp::ws;

struct test_case {
  std::string file;
  int line = 0;
  std::string name;
  reader_settings settings;
  bool deflate = false;
  inflater_settings inflate;
  std::string input;
  std::vector<std::string> expected;
  std::string problem;
};

fs::path cases_dir() {
  const fs::path here = fs::path(__FILE__).parent_path() / "cases";
  const char* src = std::getenv("LWSPP_SOURCE_DIR");
  if (fs::is_directory(here) || src == nullptr) return here;
  return fs::path(src) / "tests/unit/ws/cases";
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// Expected lines with a payload are rewritten to the canonical form.
std::string normalise(const std::string& line, ws_case::context& cx, std::string& problem) {
  const auto w = ws_case::words(line);
  if (w.empty()) return line;
  std::size_t from = 0;
  if (w[0] == "message" || w[0] == "stream" || w[0] == "close") {
    from = 2;
  } else if (w[0] == "ping" || w[0] == "pong") {
    from = 1;
  } else {
    return line;
  }
  std::string bytes;
  if (w.size() < from || !ws_case::payload(w, from, cx, bytes)) {
    problem = "bad expected payload: " + line;
    return line;
  }
  std::string out;
  for (std::size_t i = 0; i < from; ++i)
    out += w[i] + " ";
  return out + ws_case::show(bytes);
}

void directive(test_case& c, ws_case::context& cx, const std::string& key, const std::string& v) {
  const auto w = ws_case::words(v);
  if (key == "side") {
    c.settings.side = v.find("client") != std::string::npos ? endpoint::client : endpoint::server;
  } else if (key == "max_message") {
    c.settings.max_message_size = std::stoull(v);
  } else if (key == "streaming") {
    c.settings.streaming = true;
    for (const auto& x : w)
      if (x.rfind("max_fragment=", 0) == 0) c.settings.max_fragment = std::stoul(x.substr(13));
  } else if (key == "deflate") {
    c.deflate = true;
    int peer_window = 0;  // the test compressor's window, when not the agreed one
    for (const auto& x : w) {
      if (x.rfind("window=", 0) == 0) {
        c.inflate.window_bits = std::stoi(x.substr(7));
      } else if (x.rfind("peer_window=", 0) == 0) {
        peer_window = std::stoi(x.substr(12));
      } else if (x == "no_context") {
        c.inflate.no_context_takeover = true;
      } else if (x == "release") {
        c.inflate.release_idle = true;
      } else {
        c.problem = "unknown deflate option " + x;
      }
    }
    cx.z.configure(peer_window != 0 ? peer_window : c.inflate.window_bits,
                   c.inflate.no_context_takeover);
  } else if (key == "blob") {
    std::string bytes;
    if (w.empty() || !ws_case::payload(w, 1, cx, bytes)) c.problem = "bad blob";
    if (!w.empty()) cx.blobs[w[0]] = bytes;
  } else {
    c.problem = "unknown directive " + key;
  }
}

void load_file(const fs::path& path, std::vector<test_case>& out) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  test_case* c = nullptr;
  std::unique_ptr<ws_case::context> cx;
  while (std::getline(in, line)) {
    ++n;
    line = rtrim(line);
    if (line.rfind("## name:", 0) == 0) {
      out.push_back({});
      c = &out.back();
      c->file = path.stem().string();
      c->line = n;
      c->name = line.substr(8);
      while (!c->name.empty() && c->name.front() == ' ')
        c->name.erase(0, 1);
      cx = std::make_unique<ws_case::context>();
      continue;
    }
    if (line.empty() || (line[0] == '#' && line.rfind("## ", 0) != 0)) continue;
    if (c == nullptr) {
      out.push_back({});
      out.back().name = "(before the first case)";
      out.back().problem = "text before a case";
      return;
    }
    if (line.rfind("## ", 0) == 0) {
      const std::size_t colon = line.find(':');
      const std::string key = line.substr(3, colon == std::string::npos ? colon : colon - 3);
      const std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      directive(*c, *cx, rtrim(key), value);
    } else if (line[0] == '>') {
      const auto w = ws_case::words(line.substr(1));
      bool ok = !w.empty();
      if (ok && w[0] == "frame") {
        ok = ws_case::frame(w, c->settings.side == endpoint::server, *cx, c->input, c->problem);
      } else if (ok && w[0] == "raw") {
        ok = ws_case::payload(w, 1, *cx, c->input);
      } else {
        ok = false;
      }
      if (!ok && c->problem.empty()) c->problem = "bad input at line " + std::to_string(n);
    } else if (line[0] == '<') {
      c->expected.push_back(normalise(line.size() > 2 ? line.substr(2) : "", *cx, c->problem));
    } else {
      c->problem = "unrecognised line " + std::to_string(n);
    }
  }
}

const std::vector<test_case>& all_cases() {
  static const std::vector<test_case> cases = [] {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cases_dir(), ec))
      if (e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<test_case> out;
    for (const auto& f : files)
      load_file(f, out);
    return out;
  }();
  return cases;
}

const char* error_name(error e) {
  switch (e) {
    case error::reserved_bits:
      return "reserved_bits";
    case error::reserved_opcode:
      return "reserved_opcode";
    case error::unmasked_frame:
      return "unmasked_frame";
    case error::masked_frame:
      return "masked_frame";
    case error::bad_length:
      return "bad_length";
    case error::control_too_long:
      return "control_too_long";
    case error::fragmented_control:
      return "fragmented_control";
    case error::unexpected_continuation:
      return "unexpected_continuation";
    case error::expected_continuation:
      return "expected_continuation";
    case error::bad_close_payload:
      return "bad_close_payload";
    case error::bad_close_code:
      return "bad_close_code";
    case error::invalid_utf8:
      return "invalid_utf8";
    case error::bad_compressed_data:
      return "bad_compressed_data";
    case error::message_too_big:
      return "message_too_big";
  }
  return "?";
}

struct run_result {
  std::vector<std::string> log;
  std::vector<std::string> violations;
};

const char* kind_name(lwspp::ws::message_kind k) {
  return k == lwspp::ws::message_kind::text ? "text" : "binary";
}

run_result run(const test_case& c, const std::vector<std::size_t>& cuts) {
  run_result r;
  message_reader reader(c.settings);
  if (c.deflate) reader.enable_deflate(c.inflate);
  auto bad = [&](std::string what) { r.violations.push_back(std::move(what)); };
  std::string stream;  // fragments of the current message
  bool in_stream = false;
  std::size_t from = 0;
  bool stop = false;
  for (std::size_t k = 0; k <= cuts.size() && !stop; ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : c.input.size();
    const std::size_t n = to - from;
    auto span = std::make_unique<char[]>(n == 0 ? 1 : n);
    std::copy(c.input.data() + from, c.input.data() + to, span.get());
    std::span<char> rest(span.get(), n);
    for (int guard = 0;; ++guard) {
      if (guard > 4 * static_cast<int>(c.input.size()) + 64) {
        bad("no progress");
        stop = true;
        break;
      }
      const step s = reader.feed(rest);
      if (s.consumed > rest.size()) {
        bad("consumed more than given");
        stop = true;
        break;
      }
      if (s.ev == event::need_more) {
        if (s.consumed != rest.size()) bad("need_more without consuming everything");
        break;
      }
      switch (s.ev) {
        case event::message:
          r.log.push_back(std::string("message ") + kind_name(s.kind) + " " +
                          ws_case::show(s.data));
          break;
        case event::fragment:
          if (s.first == in_stream) bad("fragment first flag wrong");
          if (s.data.empty() && !s.last) bad("empty fragment that is not the last");
          if (s.data.size() > c.settings.max_fragment &&
              !(s.data.data() >= rest.data() &&
                s.data.data() + s.data.size() <= rest.data() + rest.size()))
            bad("inflated fragment over max_fragment");
          in_stream = !s.last;
          stream.append(s.data);
          if (s.last) {
            r.log.push_back(std::string("stream ") + kind_name(s.kind) + " " +
                            ws_case::show(stream));
            stream.clear();
          }
          break;
        case event::ping:
        case event::pong:
          r.log.push_back(std::string(s.ev == event::ping ? "ping " : "pong ") +
                          ws_case::show(s.data));
          break;
        case event::close:
          r.log.push_back("close " + std::to_string(s.close_code) + " " + ws_case::show(s.data));
          if (!reader.closed()) bad("not closed after close");
          break;
        case event::error: {
          r.log.push_back("error " + std::to_string(reader.error_close_code()) + " " +
                          error_name(reader.error_code()) + " @" +
                          std::to_string(reader.error_offset()));
          if (reader.error_reason().empty()) bad("error without a reason");
          char more[4] = {0, 1, 2, 3};
          const step again = reader.feed(std::span<char>(more, 4));
          if (again.ev != event::error || again.consumed != 0) bad("error not sticky");
          stop = true;
          break;
        }
        case event::need_more:
          break;
      }
      if (stop) break;
      rest = rest.subspan(s.consumed);
    }
    from = to;
  }
  return r;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines)
    s += "  " + l + "\n";
  return s;
}

// An expected error line may leave out the name and the offset.
std::vector<std::string> comparable(std::vector<std::string> log,
                                    const std::vector<std::string>& expected) {
  for (auto& l : log) {
    if (l.rfind("error ", 0) != 0) continue;
    for (const auto& e : expected) {
      if (e.rfind("error ", 0) != 0) continue;
      const auto want = ws_case::words(e).size();
      auto got = ws_case::words(l);
      if (want < got.size()) {
        got.resize(want);
        std::string s;
        for (const auto& g : got)
          s += (s.empty() ? "" : " ") + g;
        l = s;
      }
    }
  }
  return log;
}

class conformance : public ::testing::TestWithParam<std::size_t> {};

TEST_P(conformance, same_log_however_split) {
  const test_case& c = all_cases()[GetParam()];
  SCOPED_TRACE(c.file + ".txt:" + std::to_string(c.line) + ": " + c.name);
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  ASSERT_FALSE(c.expected.empty()) << "no expected events";

  // "< nothing": the input gives no event at all.
  std::vector<std::string> want = c.expected;
  if (want.size() == 1 && want[0] == "nothing") want.clear();
  const run_result whole = run(c, {});
  EXPECT_TRUE(whole.violations.empty()) << join(whole.violations);
  EXPECT_EQ(join(comparable(whole.log, want)), join(want));

  const std::size_t n = c.input.size();
  const std::size_t stride = n > 4096 ? n / 512 : 1;
  for (std::size_t at = 1; at < n; at += stride) {
    const run_result split = run(c, {at});
    ASSERT_TRUE(split.violations.empty()) << "split at " << at << ":\n" << join(split.violations);
    ASSERT_EQ(join(split.log), join(whole.log)) << "split at " << at;
  }
  if (n <= 70000) {
    std::vector<std::size_t> bytes;
    for (std::size_t at = 1; at < n; ++at)
      bytes.push_back(at);
    const run_result bytewise = run(c, bytes);
    EXPECT_TRUE(bytewise.violations.empty()) << "byte by byte:\n" << join(bytewise.violations);
    EXPECT_EQ(join(bytewise.log), join(whole.log)) << "byte by byte";
  }
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

TEST(message_reader_cases, are_found_and_many) {
  EXPECT_TRUE(fs::is_directory(cases_dir())) << cases_dir();
  EXPECT_GE(all_cases().size(), 200u);
}

}  // namespace
