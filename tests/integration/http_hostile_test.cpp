// The HTTP/1.1 server under hostile input, over real loopback sockets: the
// case groups of libwebsockets' attack script (garbage, incomplete and
// malformed requests, oversize parts, bodies on bodiless methods,
// pipelining, path normalisation and traversal) plus request smuggling and
// response header injection. The cases are data, in hostile_cases.txt (raw
// requests and what a careful server answers; the format is described at its
// top) and hostile_paths.txt (request targets against the document root
// built here). After every case a new connection must still get GET /hello;
// over repeated passes of the whole suite the process's RSS must stay flat.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lwspp/http_server.hpp"
#include "test_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define LWSPP_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LWSPP_HOSTILE_ASAN 1
#endif
#endif

#ifdef LWSPP_HOSTILE_ASAN
// ASan keeps freed memory in a quarantine (256 MiB by default) before reusing
// it, so the RSS of a sanitized process grows with every byte freed, leak or
// not. A small quarantine is full after the warm-up passes and then stays
// put, which makes the RSS check below meaningful under ASan too.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=4";
}
#endif

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Growth allowed over two measured passes of the whole suite, after two
// warm-up passes (see rss_stays_flat_over_repeated_passes for why these).
constexpr std::size_t rss_bound = 8u << 20;
constexpr std::size_t heap_bound = 1u << 20;

// How long an "open" connection must stay quiet (no byte, no EOF) to count as
// waiting; and the most any case may take.
constexpr auto quiet_time = 150ms;
constexpr auto case_deadline = 10s;

// Bytes that must never appear in any answer.
constexpr std::string_view smuggled_marker = "SMUGGLED-RESPONSE-7f3a";
constexpr std::string_view secret_marker = "SECRET-OUTSIDE-ROOT";
constexpr std::string_view passwd_marker = "root:x:0:0";

constexpr std::string_view hello_request = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr std::string_view smuggled_request = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr std::string_view later_request = "GET /later HTTP/1.1\r\nHost: x\r\n\r\n";

// The groups of hostile_cases.txt, each run by its own test below.
const char* const groups[] = {"garbage",  "incomplete", "request_line", "oversize",
                              "bodiless", "pipelining", "smuggling",    "injection"};

// The sanitizers' allocator reports its live heap; glibc's malloc through
// mallinfo2 (which ASan does not implement).
extern "C" __attribute__((weak)) std::size_t __sanitizer_get_current_allocated_bytes();

std::size_t heap_bytes() {
  if (&__sanitizer_get_current_allocated_bytes != nullptr)
    return __sanitizer_get_current_allocated_bytes();
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;  // in use from the arenas + mmapped blocks
}

std::size_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::string printable(std::string_view s, std::size_t max = 600) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && out.size() < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n\n    ";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() >= max) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::filesystem::path data_file(const char* name) {
  if (const char* src = std::getenv("LWSPP_SOURCE_DIR"))
    return std::filesystem::path(src) / "tests" / "integration" / name;
  return std::filesystem::path(__FILE__).parent_path() / name;
}

// --- the server and its document root ---------------------------------------------

void write_file(const std::filesystem::path& p, std::string_view content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

// Answers GET /later from its own thread, 30 ms after the request: while it
// waits, pipelined bytes pile up in the session (and past 64 KiB pause it).
class later_sender {
 public:
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void add(lwspp::http::response_handle h) {
    std::lock_guard lock(mu_);
    queue_.emplace_back(clock_type::now() + 30ms, std::move(h));
    cv_.notify_one();
  }
  void finish() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [due, h] = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::this_thread::sleep_until(due);
      h.send(200, "later");
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<clock_type::time_point, lwspp::http::response_handle>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

struct hostile_server {
  std::filesystem::path base;
  std::unique_ptr<lwspp::context> ctx;
  std::unique_ptr<lwspp::http::server> app;
  lwspp::vhost* vh = nullptr;
  std::unique_ptr<test::runner> run;
  std::atomic<int> smuggled_hits{0};
  std::uint16_t port = 0;
  later_sender later;

  void build_root() {
    char tmpl[] = "/tmp/lwspp-hostile-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base = tmpl;
    namespace fs = std::filesystem;
    write_file(base / "secret.txt", std::string(secret_marker) + " secret.txt");
    write_file(base / "outside" / "secret2.txt",
               std::string(secret_marker) + " outside/secret2.txt");
    const fs::path root = base / "root";
    for (const char* f : {"index.html", "file.txt", "a/b/c.txt", "sub/index.html", "sub/page.html",
                          "sub/deeper/x.txt", ".hidden", ".git/config", "sub/.env",
                          ".well-known/security.txt", "back\\slash.txt", "space name.txt",
                          "plus+name.txt", "%2e", "x?y", "semi;colon.txt", "\xc3\xa9.txt"})
      write_file(root / f, std::string("root/") + f);
    fs::create_directories(root / "empty");
    ASSERT_EQ(::mkfifo((root / "fifo").c_str(), 0644), 0);
    const std::pair<const char*, std::string> links[] = {
        {"link_in", "file.txt"},
        {"link_dir", "a/b"},
        {"link_abs_in", (root / "file.txt").string()},
        {"sub/link_parent", "../file.txt"},
        {"link_self", "."},
        {"link_to_hidden", ".hidden"},
        {"link_out", "../secret.txt"},
        {"link_out_abs", (base / "secret.txt").string()},
        {"link_etc", "/etc/passwd"},
        {"link_out_dir", "../outside"},
        {"link_root_parent", ".."},
        {"link_dangling", "nope.txt"},
        {"link_loop", "link_loop"},
    };
    for (const auto& [name, target] : links)
      ASSERT_EQ(::symlink(target.c_str(), (root / name).c_str()), 0) << name;
  }

  void start() {
    build_root();
    ctx =
        std::make_unique<lwspp::context>(lwspp::context_options{.level = lwspp::log_level::error});
    lwspp::http::server_options so;
    so.header_timeout = 5s;
    // The cases are HTTP/1.1 (h2_preface checks that a server without
    // HTTP/2 refuses the preface); h2c is tested in tests/interop/h2_server.sh.
    so.http2 = false;
    app = std::make_unique<lwspp::http::server>(so);
    using lwspp::http::request;
    using lwspp::http::response;
    app->get("/hello", [](request&, response& res) { res.send("Hello, world!"); });
    app->post("/echo", [](request& req, response& res) {
      res.content_type("application/octet-stream").send(req.body());
    });
    // Copies attacker-controlled text into a response header.
    app->get("/inject", [](request& req, response& res) {
      const std::string name = req.query_param("n");
      res.header(name.empty() ? std::string("x-user") : name, req.query_param("v"));
      res.header("x-ok", "fine");
      res.send("inject-ok");
    });
    app->get("/go", [](request& req, response& res) { res.redirect(302, req.query_param("to")); });
    app->get("/later", [this](request&, response& res) { later.add(res.handle()); });
    // Reached only if a request hidden in another one is parsed as a request.
    app->any("/smuggled", [this](request&, response& res) {
      ++smuggled_hits;
      res.send(std::string(smuggled_marker) + "\n");
    });
    app->mount("/", {.root = (base / "root").string()});
    later.start();
    auto v = app->listen(*ctx, {.listen = "127.0.0.1:0", .backlog = 1024});
    ASSERT_TRUE(v) << v.error().message();
    vh = *v;
    port = vh->bound_address().port();
    run = std::make_unique<test::runner>(*ctx);
  }

  void stop() {
    later.finish();
    run.reset();
    ctx.reset();
    app.reset();
    if (!base.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(base, ec);
    }
  }
};

hostile_server* server = nullptr;

class server_environment : public ::testing::Environment {
 public:
  void SetUp() override {
    // glibc's malloc raises its mmap threshold each time a large block is
    // freed, after which large blocks come from the heap and stay resident:
    // RSS then creeps for many passes with no leak. A fixed threshold (set
    // only in this test process; ASan ignores it) keeps large blocks mmapped.
    ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    server = &srv_;
    srv_.start();
  }
  void TearDown() override {
    srv_.stop();
    server = nullptr;
  }

 private:
  hostile_server srv_;
};

[[maybe_unused]] ::testing::Environment* const environment =
    ::testing::AddGlobalTestEnvironment(new server_environment);

// --- request expansion --------------------------------------------------------------

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct markers {
  std::vector<std::size_t> cl, end;
};

// Expands escapes and %{...} macros of `in` onto `out` (see hostile_cases.txt).
// Returns an error text, "" when fine.
std::string expand(std::string_view in, std::string& out, markers* m) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\\') {
      if (i + 1 >= in.size()) return "a backslash at the end";
      const char e = in[++i];
      switch (e) {
        case 'r':
          out += '\r';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '0':
          out += '\0';
          break;
        case '\\':
          out += '\\';
          break;
        case 'x': {
          const int hi = i + 1 < in.size() ? hex_digit(in[i + 1]) : -1;
          const int lo = i + 2 < in.size() ? hex_digit(in[i + 2]) : -1;
          if (hi < 0 || lo < 0) return "a bad \\x escape";
          out += static_cast<char>(hi * 16 + lo);
          i += 2;
          break;
        }
        default:
          return std::string("an unknown escape \\") + e;
      }
      continue;
    }
    if (c != '%' || i + 1 >= in.size() || in[i + 1] != '{') {
      out += c;
      continue;
    }
    // %{...} up to the matching brace.
    std::size_t j = i + 2;
    int depth = 1;
    for (; j < in.size(); ++j) {
      if (in[j] == '\\') {
        ++j;
      } else if (in[j] == '%' && j + 1 < in.size() && in[j + 1] == '{') {
        ++depth;
        ++j;
      } else if (in[j] == '}' && --depth == 0) {
        break;
      }
    }
    if (j >= in.size()) return "an unclosed %{";
    const std::string_view inner = in.substr(i + 2, j - i - 2);
    i = j;
    if (inner == "hello") {
      out += hello_request;
    } else if (inner == "smuggled") {
      out += smuggled_request;
    } else if (inner == "later") {
      out += later_request;
    } else if (inner == "cl" || inner == "end") {
      if (!m) return "%{" + std::string(inner) + "} inside another macro";
      (inner == "cl" ? m->cl : m->end).push_back(out.size());
    } else if (inner.substr(0, 5) == "rand:") {
      const std::size_t n = std::strtoull(std::string(inner.substr(5)).c_str(), nullptr, 10);
      std::uint64_t x = 0x9e3779b97f4a7c15ULL ^ n;
      for (std::size_t k = 0; k < n; ++k) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out += static_cast<char>(x >> 56);
      }
    } else if (inner.substr(0, 6) == "chunk:") {
      std::string text;
      if (auto err = expand(inner.substr(6), text, nullptr); !err.empty()) return err;
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", text.size());
      out += size;
      out += text;
      out += "\r\n";
    } else if (const std::size_t star = inner.find('*');
               star != std::string_view::npos && star > 0 &&
               inner.find_first_not_of("0123456789") == star) {
      const std::size_t n = std::strtoull(std::string(inner.substr(0, star)).c_str(), nullptr, 10);
      std::string text;
      if (auto err = expand(inner.substr(star + 1), text, nullptr); !err.empty()) return err;
      out.reserve(out.size() + n * text.size());
      for (std::size_t k = 0; k < n; ++k)
        out += text;
    } else {
      return "an unknown macro %{" + std::string(inner) + "}";
    }
  }
  return {};
}

std::string expand_request(std::string_view in, std::string& out) {
  markers m;
  out.clear();
  if (auto err = expand(in, out, &m); !err.empty()) return err;
  if (m.cl.size() != m.end.size()) return "%{cl} and %{end} do not pair up";
  for (std::size_t k = m.cl.size(); k-- > 0;) {
    const std::size_t head_end = out.find("\r\n\r\n", m.cl[k]);
    if (head_end == std::string::npos || m.end[k] < head_end + 4 ||
        (k + 1 < m.cl.size() && m.end[k] > m.cl[k + 1]))
      return "%{end} is not after the head of its %{cl}";
    out.insert(m.cl[k], std::to_string(m.end[k] - head_end - 4));
  }
  return {};
}

// --- the case files -------------------------------------------------------------------

struct want_response {
  std::string status;  // "200", or a class "4xx"
  bool head = false;   // the answer to a HEAD: no body on the wire
  std::optional<std::string> body;
  std::vector<std::pair<std::string, std::string>> has;
  std::vector<std::string> lacks;
};

struct alternative {
  std::vector<want_response> responses;
  bool close = false;  // else: stays open
  bool known = false;
  std::string text;
};

struct hostile_case {
  std::string group, name;
  int line = 0;
  std::string request;
  std::vector<alternative> alts;
  bool shut = false;
  bool bytewise = false;
  std::string id() const {
    return group + "/" + name + " (hostile_cases.txt:" + std::to_string(line) + ")";
  }
};

std::string trim(std::string_view s) {
  const std::size_t a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return {};
  const std::size_t b = s.find_last_not_of(" \t\r");
  return std::string(s.substr(a, b - a + 1));
}

std::vector<std::string> split_blanks(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w)
    out.push_back(w);
  return out;
}

bool valid_status(std::string_view s) {
  if (s.size() != 3 || s[0] < '1' || s[0] > '5') return false;
  const bool cls = s[1] == 'x' && s[2] == 'x';
  return cls || (std::isdigit(static_cast<unsigned char>(s[1])) &&
                 std::isdigit(static_cast<unsigned char>(s[2])));
}

// Parses EXPECT into c.alts and the flags; returns an error text.
std::string parse_expect(std::string_view text, hostile_case& c) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = text.find('|', start);
    const std::string part =
        trim(text.substr(start, bar == std::string_view::npos ? bar : bar - start));
    alternative a;
    a.text = part;
    bool terminal = false;
    for (const std::string& tok : split_blanks(part)) {
      if (terminal) return "a token after close/open: " + tok;
      if (tok == "shut") {
        c.shut = true;
      } else if (tok == "bytewise") {
        c.bytewise = true;
      } else if (tok == "known") {
        if (!a.responses.empty()) return "'known' must come first";
        a.known = true;
      } else if (tok == "close" || tok == "open") {
        a.close = tok == "close";
        terminal = true;
      } else if (tok.rfind("hdr:", 0) == 0 || tok.rfind("nohdr:", 0) == 0) {
        if (a.responses.empty()) return "a header check before any response: " + tok;
        const bool no = tok[0] == 'n';
        const std::string spec = tok.substr(no ? 6 : 4);
        if (no) {
          a.responses.back().lacks.push_back(lower(spec));
        } else {
          const std::size_t eq = spec.find('=');
          if (eq == std::string::npos) return "hdr: needs NAME=VALUE: " + tok;
          std::string value;
          if (auto err = expand(spec.substr(eq + 1), value, nullptr); !err.empty()) return err;
          a.responses.back().has.emplace_back(lower(spec.substr(0, eq)), value);
        }
      } else {
        want_response w;
        std::string_view t = tok;
        w.status = std::string(t.substr(0, 3));
        if (!valid_status(w.status)) return "not a status: " + tok;
        t.remove_prefix(3);
        if (!t.empty() && t[0] == 'h') {
          w.head = true;
          t.remove_prefix(1);
        }
        std::size_t count = 1;
        if (!t.empty() && t[0] == '*') {
          const std::size_t stop = t.find('=');
          count = std::strtoull(std::string(t.substr(1, stop - 1)).c_str(), nullptr, 10);
          t.remove_prefix(stop == std::string_view::npos ? t.size() : stop);
          if (count == 0) return "a zero count: " + tok;
        }
        if (!t.empty() && t[0] == '=') {
          std::string body;
          if (auto err = expand(t.substr(1), body, nullptr); !err.empty()) return err;
          w.body = std::move(body);
          t = {};
        }
        if (!t.empty()) return "cannot read: " + tok;
        for (std::size_t k = 0; k < count; ++k)
          a.responses.push_back(w);
      }
    }
    if (!terminal) return "an alternative without close/open: " + part;
    c.alts.push_back(std::move(a));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return {};
}

std::vector<hostile_case> load_cases() {
  std::vector<hostile_case> cases;
  const auto path = data_file("hostile_cases.txt");
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::string group, line, raw, expect;
  int lineno = 0;
  hostile_case cur;
  bool open = false;
  auto finish = [&] {
    if (!open) return;
    open = false;
    if (std::find_if(std::begin(groups), std::end(groups),
                     [&](const char* g) { return cur.group == g; }) == std::end(groups)) {
      ADD_FAILURE() << cur.id() << ": not in a known group";
      return;
    }
    if (auto err = expand_request(raw, cur.request); !err.empty()) {
      ADD_FAILURE() << cur.id() << ": " << err;
      return;
    }
    if (auto err = parse_expect(expect, cur); !err.empty()) {
      ADD_FAILURE() << cur.id() << ": " << err;
      return;
    }
    cases.push_back(std::move(cur));
  };
  auto take_expect = [&](std::string& text) {
    const std::size_t arrow = text.rfind("=>");
    if (arrow == std::string::npos) return;
    expect = trim(std::string_view(text).substr(arrow + 2));
    text = trim(std::string_view(text).substr(0, arrow));
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') {
      finish();
      continue;
    }
    if (t.front() == '[' && t.back() == ']') {
      finish();
      group = t.substr(1, t.size() - 2);
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (!open) {
        ADD_FAILURE() << "hostile_cases.txt:" << lineno << ": a continuation without a case";
        continue;
      }
      std::string part = t;
      if (part.rfind("=>", 0) == 0) {
        expect = trim(std::string_view(part).substr(2));
      } else if (part.rfind("+", 0) == 0) {
        part = trim(std::string_view(part).substr(1));
        take_expect(part);
        raw += part;
      } else {
        ADD_FAILURE() << "hostile_cases.txt:" << lineno << ": expected '+ ...' or '=> ...'";
      }
      continue;
    }
    finish();
    cur = hostile_case{};
    cur.group = group;
    cur.line = lineno;
    const std::size_t blank = t.find_first_of(" \t");
    cur.name = t.substr(0, blank);
    std::string rest = blank == std::string::npos ? std::string() : trim(t.substr(blank));
    expect.clear();
    take_expect(rest);
    raw = rest;
    open = true;
  }
  finish();
  return cases;
}

struct path_case {
  std::string target;
  int status = 0;
  std::string extra;  // the body for 200, the Location for 301
  int line = 0;
};

std::vector<path_case> load_paths() {
  std::vector<path_case> cases;
  const auto path = data_file("hostile_paths.txt");
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const std::vector<std::string> f = split_blanks(t);
    path_case c;
    c.line = lineno;
    // Only %{N*TEXT} is expanded here: a backslash in a path is a backslash.
    std::string target = f[0];
    for (std::size_t at; (at = target.find("%{")) != std::string::npos;) {
      const std::size_t close = target.find('}', at);
      const std::size_t star = target.find('*', at);
      if (close == std::string::npos || star == std::string::npos || star > close) break;
      const std::size_t n =
          std::strtoull(target.substr(at + 2, star - at - 2).c_str(), nullptr, 10);
      std::string rep;
      for (std::size_t k = 0; k < n; ++k)
        rep += target.substr(star + 1, close - star - 1);
      target.replace(at, close - at + 1, rep);
    }
    c.target = target;
    c.status = f.size() > 1 ? std::atoi(f[1].c_str()) : 0;
    if (f.size() > 2) {
      c.extra = f[2];
      for (std::size_t at; (at = c.extra.find("\\x20")) != std::string::npos;)
        c.extra.replace(at, 4, " ");
    }
    if (f.size() < 2 || f.size() > 3 || c.status < 200 || c.status > 599 ||
        ((c.status == 200 || c.status == 301) && c.extra.empty())) {
      ADD_FAILURE() << "hostile_paths.txt:" << lineno << ": cannot read '" << t << "'";
      continue;
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

// --- a client connection ------------------------------------------------------------

class client {
 public:
  client() : fd_(test::dial(server->port)) {
    if (fd_ < 0) return;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    last_ = clock_type::now();
  }
  ~client() {
    if (fd_ >= 0) ::close(fd_);
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& received() const { return in_; }
  bool eof() const { return eof_; }
  // Time since the last byte arrived or was sent.
  clock_type::duration idle() const { return clock_type::now() - last_; }

  // Sends everything (one byte per write if bytewise) while reading what
  // arrives, so that neither side can block the other. Stops early when the
  // server has closed.
  void send(std::string_view data, bool bytewise, clock_type::time_point deadline) {
    while (!data.empty() && !eof_ && clock_type::now() < deadline) {
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (::poll(&p, 1, 50) < 0) return;
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) read_available();
      if (eof_ || !(p.revents & POLLOUT)) continue;
      const std::size_t n = bytewise ? 1 : std::min<std::size_t>(data.size(), 256 * 1024);
      const ssize_t w = ::send(fd_, data.data(), n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        return;  // EPIPE, ECONNRESET: the server is gone
      }
      data.remove_prefix(static_cast<std::size_t>(w));
      last_ = clock_type::now();
      if (bytewise) std::this_thread::sleep_for(100us);
    }
  }
  void shut() {
    if (!eof_) ::shutdown(fd_, SHUT_WR);
  }
  // Waits up to `t` for bytes (or EOF) and reads them.
  void wait(std::chrono::milliseconds t) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(t.count())) > 0) read_available();
  }

 private:
  void read_available() {
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        in_.append(buf, static_cast<std::size_t>(n));
        last_ = clock_type::now();
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      eof_ = true;  // 0, or ECONNRESET: either way nothing more will come
      return;
    }
  }

  int fd_ = -1;
  std::string in_;
  bool eof_ = false;
  clock_type::time_point last_;
};

// --- reading responses ----------------------------------------------------------------

struct got_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;  // lower-case names
  std::string body;
  const std::string* field(std::string_view name) const {
    for (const auto& [n, v] : fields)
      if (n == name) return &v;
    return nullptr;
  }
  bool says_close() const {
    const std::string* c = field("connection");
    return c && lower(*c).find("close") != std::string::npos;
  }
};

enum class parsed { complete, partial, bad };

bool is_tchar(char ch) {
  const unsigned char c = static_cast<unsigned char>(ch);
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// One response from the front of `in`. `why` says what is malformed.
parsed parse_response(std::string_view in, bool head_request, bool eof, got_response& r,
                      std::size_t& used, std::string& why) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) return parsed::partial;
  const std::string_view head = in.substr(0, end + 2);
  std::size_t pos = head.find("\r\n");
  const std::string_view status_line = head.substr(0, pos);
  if (status_line.size() < 12 || status_line.substr(0, 9) != "HTTP/1.1 " ||
      !std::isdigit(static_cast<unsigned char>(status_line[9])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[10])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[11])) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    why = "bad status line '" + printable(status_line, 80) + "'";
    return parsed::bad;
  }
  r = {};
  r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  pos += 2;
  while (pos < head.size()) {
    const std::size_t eol = head.find("\r\n", pos);
    const std::string_view fl = head.substr(pos, eol - pos);
    pos = eol + 2;
    std::size_t i = 0;
    while (i < fl.size() && is_tchar(fl[i]))
      ++i;
    if (i == 0 || i == fl.size() || fl[i] != ':') {
      why = "bad field line '" + printable(fl, 80) + "'";
      return parsed::bad;
    }
    for (char ch : fl.substr(i + 1)) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        why = "a control byte in field line '" + printable(fl, 80) + "'";
        return parsed::bad;
      }
    }
    std::string_view v = fl.substr(i + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
      v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
      v.remove_suffix(1);
    r.fields.emplace_back(lower(fl.substr(0, i)), std::string(v));
  }
  std::size_t at = end + 4;
  const std::string* te = r.field("transfer-encoding");
  const std::string* cl = r.field("content-length");
  if (te && cl) {
    why = "both Transfer-Encoding and Content-Length";
    return parsed::bad;
  }
  if (head_request || r.status < 200 || r.status == 204 || r.status == 304) {
    used = at;
    return parsed::complete;
  }
  if (te) {
    if (*te != "chunked") {
      why = "Transfer-Encoding " + *te;
      return parsed::bad;
    }
    for (;;) {
      const std::size_t eol = in.find("\r\n", at);
      if (eol == std::string_view::npos) return parsed::partial;
      const std::string size_text(in.substr(at, eol - at));
      char* stop = nullptr;
      const unsigned long long size = std::strtoull(size_text.c_str(), &stop, 16);
      if (size_text.empty() || *stop != '\0') {
        why = "bad chunk size '" + printable(size_text, 40) + "'";
        return parsed::bad;
      }
      at = eol + 2;
      if (size == 0) {
        const std::size_t tend = in.find("\r\n", at);  // no trailers from this server
        if (tend == std::string_view::npos) return parsed::partial;
        if (tend != at) {
          why = "trailers after the last chunk";
          return parsed::bad;
        }
        used = at + 2;
        return parsed::complete;
      }
      if (in.size() < at + size + 2) return parsed::partial;
      r.body.append(in.substr(at, size));
      if (in.substr(at + size, 2) != "\r\n") {
        why = "no CRLF after chunk data";
        return parsed::bad;
      }
      at += size + 2;
    }
  }
  if (cl) {
    char* stop = nullptr;
    const unsigned long long n = std::strtoull(cl->c_str(), &stop, 10);
    if (cl->empty() || *stop != '\0') {
      why = "bad Content-Length " + *cl;
      return parsed::bad;
    }
    if (in.size() < at + n) return parsed::partial;
    r.body = std::string(in.substr(at, n));
    used = at + n;
    return parsed::complete;
  }
  if (!eof) return parsed::partial;  // delimited by the close
  r.body = std::string(in.substr(at));
  used = in.size();
  return parsed::complete;
}

struct parse_all_result {
  std::vector<got_response> responses;
  std::size_t leftover = 0;
  std::string bad;
};

// Every complete response in `in`; the k-th is read as the answer to a HEAD
// when alternative `a` says so.
parse_all_result parse_all(std::string_view in, const alternative& a, bool eof) {
  parse_all_result out;
  std::size_t at = 0;
  while (at < in.size()) {
    const std::size_t k = out.responses.size();
    const bool head = k < a.responses.size() && a.responses[k].head;
    got_response r;
    std::size_t used = 0;
    const parsed p = parse_response(in.substr(at), head, eof, r, used, out.bad);
    if (p != parsed::complete) break;
    out.responses.push_back(std::move(r));
    at += used;
  }
  out.leftover = in.size() - at;
  return out;
}

bool status_matches(const std::string& want, int got) {
  const std::string g = std::to_string(got);
  if (want[1] == 'x') return g[0] == want[0];
  return g == want;
}

// "" when the received bytes satisfy alternative `a`.
std::string mismatch(const alternative& a, const parse_all_result& got, bool eof, bool quiet,
                     bool shut) {
  if (!got.bad.empty()) return "malformed response: " + got.bad;
  std::string s;
  for (const got_response& r : got.responses)
    s += (s.empty() ? "" : " ") + std::to_string(r.status);
  const std::string seen = "[" + s + "]" + (eof ? " then EOF" : "");
  if (got.responses.size() != a.responses.size() || got.leftover != 0)
    return seen + (got.leftover ? " and " + std::to_string(got.leftover) + " more bytes" : "");
  for (std::size_t k = 0; k < a.responses.size(); ++k) {
    const want_response& w = a.responses[k];
    const got_response& r = got.responses[k];
    const std::string which = "response " + std::to_string(k + 1) + " ";
    if (!status_matches(w.status, r.status)) return seen;
    if (w.body && r.body != *w.body)
      return which + "body '" + printable(r.body, 200) + "', want '" + printable(*w.body, 200) +
             "'";
    for (const auto& [name, value] : w.has) {
      const std::string* v = r.field(name);
      if (!v) return which + "lacks " + name;
      if (*v != value) return which + name + ": '" + printable(*v, 100) + "', want '" + value + "'";
    }
    for (const std::string& name : w.lacks)
      if (const std::string* v = r.field(name))
        return which + "has " + name + ": " + printable(*v, 100);
  }
  if (a.close) {
    if (!eof) return seen + ", connection still open";
    if (!shut && !got.responses.empty() && !got.responses.back().says_close())
      return "the server closed without Connection: close in its last response";
  } else {
    if (eof) return seen;
    if (!quiet) return seen + ", not yet quiet";
    for (const got_response& r : got.responses)
      if (r.says_close()) return "a response says Connection: close on a connection kept open";
  }
  return {};
}

std::mutex known_mu;
std::vector<std::string> known_deviations;

void check_invariants(const std::string& id, std::string_view received) {
  for (std::string_view marker : {smuggled_marker, secret_marker, passwd_marker})
    EXPECT_EQ(received.find(marker), std::string_view::npos)
        << id << ": '" << marker << "' reached the client:\n    " << printable(received);
  // Never reset: a hit anywhere fails the case that sees it and all after.
  EXPECT_EQ(server->smuggled_hits.load(), 0) << id << ": a smuggled request was answered";
}

// A fresh connection must still be served.
void check_hello(const std::string& id) {
  client c;
  ASSERT_TRUE(c.ok()) << id << ": cannot connect after the case";
  const auto deadline = clock_type::now() + 5s;
  c.send(hello_request, false, deadline);
  alternative a;
  a.responses.push_back({});
  parse_all_result got;
  while (clock_type::now() < deadline) {
    got = parse_all(c.received(), a, c.eof());
    if (!got.responses.empty() || c.eof()) break;
    c.wait(50ms);
  }
  ASSERT_EQ(got.responses.size(), 1u)
      << id << ": GET /hello after the case: " << printable(c.received());
  EXPECT_EQ(got.responses[0].status, 200) << id;
  EXPECT_EQ(got.responses[0].body, "Hello, world!") << id;
}

void run_case(const hostile_case& c) {
  const std::string id = c.id();
  client cl;
  ASSERT_TRUE(cl.ok()) << id << ": cannot connect";
  const auto start = clock_type::now();
  const auto deadline = start + case_deadline;
  cl.send(c.request, c.bytewise, deadline);
  if (c.shut) cl.shut();
  std::vector<std::string> why(c.alts.size());
  const alternative* matched = nullptr;
  for (;;) {
    const bool quiet = cl.idle() >= quiet_time;
    for (std::size_t i = 0; i < c.alts.size() && !matched; ++i) {
      const parse_all_result got = parse_all(cl.received(), c.alts[i], cl.eof());
      why[i] = mismatch(c.alts[i], got, cl.eof(), quiet, c.shut);
      if (why[i].empty()) matched = &c.alts[i];
    }
    if (matched || cl.eof() || clock_type::now() >= deadline) break;
    cl.wait(50ms);
  }
  if (!matched) {
    std::string detail;
    for (std::size_t i = 0; i < c.alts.size(); ++i)
      detail += "\n  want '" + c.alts[i].text + "': got " + why[i];
    ADD_FAILURE() << id << detail << "\n  sent: " << printable(c.request, 300)
                  << "\n  received:\n    " << printable(cl.received());
  } else if (matched->known) {
    std::lock_guard lock(known_mu);
    const std::string note = id + ": this server answers '" + matched->text +
                             "'; a careful one: '" + c.alts[0].text + "'";
    if (std::find(known_deviations.begin(), known_deviations.end(), note) == known_deviations.end())
      known_deviations.push_back(note);
  }
  check_invariants(id, cl.received());
}

const std::vector<hostile_case>& all_cases() {
  static const std::vector<hostile_case> cases = load_cases();
  return cases;
}

const std::vector<path_case>& all_paths() {
  static const std::vector<path_case> paths = load_paths();
  return paths;
}

std::size_t run_group(const std::string& group) {
  std::size_t n = 0;
  for (const hostile_case& c : all_cases()) {
    if (c.group != group) continue;
    ++n;
    run_case(c);
    check_hello(c.id());
  }
  return n;
}

void run_path(const path_case& p) {
  const std::string id = "path " + p.target.substr(0, 80) + (p.target.size() > 80 ? "..." : "") +
                         " (hostile_paths.txt:" + std::to_string(p.line) + ")";
  client cl;
  ASSERT_TRUE(cl.ok()) << id << ": cannot connect";
  const auto deadline = clock_type::now() + case_deadline;
  cl.send("GET " + p.target + " HTTP/1.1\r\nHost: x\r\n\r\n", false, deadline);
  alternative a;
  a.responses.push_back({});
  parse_all_result got;
  while (clock_type::now() < deadline) {
    got = parse_all(cl.received(), a, cl.eof());
    if (!got.responses.empty() || !got.bad.empty() || cl.eof()) break;
    cl.wait(50ms);
  }
  if (got.responses.size() != 1) {
    ADD_FAILURE() << id << ": no response (" << got.bad << "): " << printable(cl.received());
  } else {
    const got_response& r = got.responses[0];
    EXPECT_EQ(r.status, p.status) << id << "\n    body: " << printable(r.body, 200);
    if (p.status == 200 && r.status == 200) {
      EXPECT_EQ(r.body, p.extra) << id;
    }
    if (p.status == 301 && r.status == 301) {
      const std::string* loc = r.field("location");
      EXPECT_TRUE(loc && *loc == p.extra) << id << ": location " << (loc ? *loc : "(none)");
    }
  }
  check_invariants(id, cl.received());
}

std::size_t run_paths() {
  for (const path_case& p : all_paths()) {
    run_path(p);
    check_hello("path " + p.target.substr(0, 80));
  }
  return all_paths().size();
}

// Every connection the suite opened is closed by the time it ends.
void expect_connections_drain() {
  EXPECT_TRUE(test::wait_until([] { return server->vh->connection_count() == 0; }, 10s))
      << server->vh->connection_count() << " connections still open";
}

void report_known() {
  std::lock_guard lock(known_mu);
  for (const std::string& k : known_deviations)
    std::printf("[ KNOWN    ] %s\n", k.c_str());
  known_deviations.clear();
}

class http_hostile : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(server, nullptr); }
  void TearDown() override {
    expect_connections_drain();
    report_known();
  }
  void group(const char* name, std::size_t at_least) {
    const std::size_t n = run_group(name);
    EXPECT_GE(n, at_least) << "cases in group " << name;
    std::printf("[ hostile  ] %s: %zu cases\n", name, n);
  }
};

TEST_F(http_hostile, garbage) {
  group("garbage", 20);
}
TEST_F(http_hostile, incomplete) {
  group("incomplete", 20);
}
TEST_F(http_hostile, request_line) {
  group("request_line", 40);
}
TEST_F(http_hostile, oversize) {
  group("oversize", 25);
}
TEST_F(http_hostile, bodiless_method_bodies) {
  group("bodiless", 15);
}
TEST_F(http_hostile, pipelining) {
  group("pipelining", 12);
}
TEST_F(http_hostile, smuggling) {
  group("smuggling", 50);
}
TEST_F(http_hostile, header_injection) {
  group("injection", 20);
}

TEST_F(http_hostile, paths) {
  const std::size_t n = run_paths();
  EXPECT_GE(n, 200u);
  std::printf("[ hostile  ] paths: %zu cases\n", n);
}

// One pass of everything: the eight groups and the paths, each on its own
// client thread at the same time (the cases mostly wait on the network, and
// the server gets concurrent hostile connections too).
void concurrent_pass() {
  std::vector<std::thread> clients;
  for (const char* g : groups)
    clients.emplace_back([g] { run_group(g); });
  clients.emplace_back([] { run_paths(); });
  for (std::thread& t : clients)
    t.join();
}

// A client that pipelines requests and never reads the answers: the server
// must stop reading (TCP then holds the client back) rather than queue
// answers without bound, and must never drop one. The client sends until
// its socket takes nothing more for a while and the server's live heap holds
// still, notes that heap, then reads: every request must have its answer.
TEST_F(http_hostile, pipelining_without_reading_is_held_back) {
  // 5.4 MB of requests, 25 MB of answers: more than a connection's write
  // queue may hold (16 MiB), so a server that queues instead of holding back
  // shows up twice, in its heap and in answers refused and lost.
  constexpr std::size_t requests = 170'000;
  std::string all;
  all.reserve(requests * hello_request.size());
  for (std::size_t i = 0; i < requests; ++i)
    all += hello_request;
  check_hello("warm-up");
  expect_connections_drain();
  const std::size_t before = heap_bytes();
  const int fd = test::dial(server->port, 64 * 1024);  // a small receive window
  ASSERT_GE(fd, 0);
  std::size_t sent = 0;
  auto last_progress = clock_type::now();
  while (sent < all.size() && clock_type::now() - last_progress < 1s) {
    const ssize_t n = ::send(fd, all.data() + sent, all.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      last_progress = clock_type::now();
    } else {
      std::this_thread::sleep_for(5ms);
    }
  }
  // Let the server go as far as it will: until its heap has held still for
  // 2 s (the first ~4 MB of answers vanish into socket buffers without a
  // trace in the heap, which takes a slow build a second or more).
  std::size_t stalled = heap_bytes();
  for (auto steady_since = clock_type::now(), give_up = steady_since + 20s;
       clock_type::now() - steady_since < 2s && clock_type::now() < give_up;) {
    std::this_thread::sleep_for(50ms);
    const std::size_t now = heap_bytes();
    if (now > stalled + (64u << 10) || now + (64u << 10) < stalled) {
      steady_since = clock_type::now();
      stalled = now;
    }
  }
  stalled = heap_bytes();
  std::printf(
      "[ hostile  ] sent %zu of %zu bytes of requests; not reading, the server's heap grew "
      "%zu KiB\n",
      sent, all.size(), stalled > before ? (stalled - before) >> 10 : 0);
  // Now read, sending the rest as the server takes it; count the answers.
  std::size_t answers = 0, bad = 0;
  std::string in;
  last_progress = clock_type::now();
  while (answers + bad < requests && clock_type::now() - last_progress < 3s) {
    pollfd p{fd, static_cast<short>(POLLIN | (sent < all.size() ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (p.revents & POLLOUT) {
      const ssize_t n =
          ::send(fd, all.data() + sent, all.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    last_progress = clock_type::now();
    in.append(buf, static_cast<std::size_t>(n));
    // Answers to GET /hello are all alike: count whole ones, keep the rest.
    std::size_t at = 0;
    for (;;) {
      const std::size_t end = in.find("Hello, world!", at);
      if (end == std::string::npos) break;
      const std::string_view one(in.data() + at, end + 13 - at);
      (one.rfind("HTTP/1.1 200 ", 0) == 0 && one.find("HTTP/1.1", 1) == std::string_view::npos
           ? answers
           : bad)++;
      at = end + 13;
    }
    in.erase(0, at);
  }
  ::close(fd);
  std::printf("[ hostile  ] %zu answers, %zu malformed, of %zu requests\n", answers, bad, requests);
  EXPECT_LT(stalled, before + (4u << 20)) << "answers queued without bound";
  EXPECT_EQ(answers, requests);
  EXPECT_EQ(bad, 0u);
}

// An attack on memory rather than on parsing: many connections each send one
// large body, then leave. Whatever the server kept per connection for reuse
// must not include those bodies, or a pool of idle sessions would hold the
// largest body each of them ever saw. The live heap after they are gone may
// exceed the one before by little (less than one of the bodies).
TEST_F(http_hostile, large_bodies_are_not_kept_after_their_connections) {
  constexpr int connections = 48;
  constexpr std::size_t body_size = 768 * 1024;
  const std::string post =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body_size) +
      "\r\n\r\n" + std::string(body_size, 'b');
  const auto round = [&] {
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < connections; ++i)
      clients.push_back(std::make_unique<client>());
    // All bodies in at once, so that every session holds one at the same time.
    std::vector<std::thread> senders;
    for (auto& c : clients)
      senders.emplace_back([&c, &post] { c->send(post, false, clock_type::now() + 20s); });
    for (std::thread& t : senders)
      t.join();
    alternative a;
    a.responses.push_back({});
    for (auto& c : clients) {
      const auto deadline = clock_type::now() + 20s;
      parse_all_result got;
      while (clock_type::now() < deadline) {
        got = parse_all(c->received(), a, c->eof());
        if (!got.responses.empty() || c->eof()) break;
        c->wait(50ms);
      }
      ASSERT_EQ(got.responses.size(), 1u);
      EXPECT_EQ(got.responses[0].status, 200);
      EXPECT_EQ(got.responses[0].body.size(), body_size);
    }
  };
  // Warm up the allocator and the pools with small requests only.
  for (int i = 0; i < connections; ++i)
    check_hello("warm-up");
  expect_connections_drain();
  const std::size_t before = heap_bytes();
  round();
  expect_connections_drain();
  const std::size_t after = heap_bytes();
  std::printf("[ hostile  ] live heap %zu KiB before %d x %zu KiB bodies, %zu KiB after\n",
              before >> 10, connections, body_size >> 10, after >> 10);
  EXPECT_LT(after, before + body_size)
      << "the server kept " << ((after - before) >> 10) << " KiB after the connections closed";
}

// RSS (and the live heap) must stay flat over repeated passes of the whole
// suite. Two passes warm up first: the session pool, thread-local buffers and
// the allocator's caches reach their steady size, and so does the high-water
// mark of the heap, which with nine clients at once depends on how their big
// cases (1-2 MiB bodies, 640 KiB of garbage, floods of pipelined answers)
// happen to line up. Then two measured passes (about 13,000 requests on
// 2,000 connections) may grow RSS by at most rss_bound, 8 MiB: measured, the
// RSS grew 0.3 MiB with glibc's malloc and 2-3 MiB under ASan (its 4 MiB
// quarantine and per-thread caches follow that line-up), so 8 MiB is that
// noise with room to spare, and a leak of ~600 bytes per request would
// exceed it. The live heap is the sharp check: at most heap_bound, 1 MiB
// (~80 bytes per request), over the same two passes, measured with every
// connection closed.
TEST_F(http_hostile, rss_stays_flat_over_repeated_passes) {
  const auto settled = [] {
    expect_connections_drain();
    return std::pair{rss_bytes(), heap_bytes()};
  };
  const auto t0 = clock_type::now();
  concurrent_pass();
  const auto t1 = clock_type::now();
  concurrent_pass();
  const auto [rss_warm, heap_warm] = settled();
  concurrent_pass();
  const auto [rss_mid, heap_mid] = settled();
  concurrent_pass();
  const auto [rss_after, heap_after] = settled();
  const auto ms = [](auto d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  std::printf(
      "[ hostile  ] RSS after warm-up %zu KiB, +1 pass %zu KiB, +2 passes %zu KiB (bound +%zu "
      "KiB); live heap %zu, %zu, %zu KiB (bound +%zu KiB); a pass of %zu cases takes %lld ms\n",
      rss_warm >> 10, rss_mid >> 10, rss_after >> 10, rss_bound >> 10, heap_warm >> 10,
      heap_mid >> 10, heap_after >> 10, heap_bound >> 10, all_cases().size() + all_paths().size(),
      ms(t1 - t0));
  EXPECT_LE(rss_after, rss_warm + rss_bound)
      << "RSS grew by " << ((rss_after - rss_warm) >> 10) << " KiB";
  EXPECT_LE(heap_after, heap_warm + heap_bound)
      << "the live heap grew by " << ((heap_after - heap_warm) >> 10) << " KiB";
}

}  // namespace
