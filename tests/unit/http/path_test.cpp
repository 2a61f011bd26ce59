// Tests for normalize_path and resolve_under_root (src/http/path.cpp). The
// traversal cases are data: tests/unit/http/traversal_cases.txt.
#include "http/path.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;
using lwspp::http::document_root;
using lwspp::http::file_status;
using lwspp::http::normalize_path;
using lwspp::http::opened_file;
using lwspp::http::path_error;
using lwspp::http::resolve_method;
using lwspp::http::resolve_options;
using lwspp::http::resolve_under_root;
using namespace std::string_literals;

std::string norm(std::string_view raw) {
  std::string out;
  auto r = normalize_path(raw, out);
  EXPECT_TRUE(r.ok()) << "\"" << raw << "\": " << to_string(r.error) << " at " << r.offset;
  return r.ok() ? out : "<error>";
}

lwspp::http::normalize_result norm_fails(std::string_view raw) {
  std::string out;
  auto r = normalize_path(raw, out);
  EXPECT_FALSE(r.ok()) << "\"" << raw << "\" normalised to \"" << out << "\"";
  EXPECT_EQ(r.status(), r.ok() ? 0 : 400);
  return r;
}

TEST(NormalizePath, DotSegmentsClampedAtRoot) {
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm("/a/b/c"), "/a/b/c");
  EXPECT_EQ(norm("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(norm("/a/b/../c"), "/a/c");
  EXPECT_EQ(norm("/a/b/.."), "/a/");
  EXPECT_EQ(norm("/a/b/."), "/a/b/");
  EXPECT_EQ(norm("/a/./b"), "/a/b");
  EXPECT_EQ(norm("/.."), "/");
  EXPECT_EQ(norm("/."), "/");
  EXPECT_EQ(norm("/a/.."), "/");
  EXPECT_EQ(norm("/a/../.."), "/");
  EXPECT_EQ(norm("/a/b/../../../../c"), "/c");
  EXPECT_EQ(norm("/..a/b.."), "/..a/b..");
  EXPECT_EQ(norm("/.../x"), "/.../x");
}

TEST(NormalizePath, SlashesCollapseTrailingSlashKept) {
  EXPECT_EQ(norm("//a///b"), "/a/b");
  EXPECT_EQ(norm("//"), "/");
  EXPECT_EQ(norm("/a/"), "/a/");
  EXPECT_EQ(norm("/a//"), "/a/");
  EXPECT_EQ(norm("/a/b/"), "/a/b/");
  EXPECT_EQ(norm("///"), "/");
}

TEST(NormalizePath, DecodesOnceBeforeDotSegments) {
  EXPECT_EQ(norm("/%2e%2e/%2E%2e/etc"), "/etc");
  EXPECT_EQ(norm("/.%2e/x"), "/x");
  EXPECT_EQ(norm("/%2e./x"), "/x");
  EXPECT_EQ(norm("/%2e%2e%2fx"), "/x");  // an encoded slash is a slash
  EXPECT_EQ(norm("/a%2Fb"), "/a/b");
  EXPECT_EQ(norm("/%252e"), "/%2e");  // double encoding: a name, not a dot
  EXPECT_EQ(norm("/%252e%252e/x"), "/%2e%2e/x");
  EXPECT_EQ(norm("/%41%62"), "/Ab");
  EXPECT_EQ(norm("/caf%C3%A9"), "/caf\xC3\xA9");
  EXPECT_EQ(norm("/%c0%ae%c0%ae/x"), "/\xc0\xae\xc0\xae/x");  // overlong UTF-8: just bytes
  EXPECT_EQ(norm("/%20"), "/ ");
  EXPECT_EQ(norm("/a+b"), "/a+b");
}

TEST(NormalizePath, BackslashIsAByte) {
  EXPECT_EQ(norm("/\\..\\x"), "/\\..\\x");
  EXPECT_EQ(norm("/..%5cx"), "/..\\x");
  EXPECT_EQ(norm("/a\\..\\..\\b"), "/a\\..\\..\\b");
}

TEST(NormalizePath, RefusesWithReasonAndOffset) {
  auto r = norm_fails("/ab%zz");
  EXPECT_EQ(r.error, path_error::bad_escape);
  EXPECT_EQ(r.offset, 3u);
  EXPECT_EQ(norm_fails("/%").error, path_error::bad_escape);
  EXPECT_EQ(norm_fails("/%2").error, path_error::bad_escape);
  EXPECT_EQ(norm_fails("/%%41").error, path_error::bad_escape);
  r = norm_fails("/a/%00");
  EXPECT_EQ(r.error, path_error::nul_byte);
  EXPECT_EQ(r.offset, 3u);
  EXPECT_EQ(norm_fails("/a\0b"s).error, path_error::nul_byte);
  EXPECT_EQ(norm_fails("/%0a").error, path_error::control_byte);
  EXPECT_EQ(norm_fails("/%7F").error, path_error::control_byte);
  EXPECT_EQ(norm_fails("/%1F").error, path_error::control_byte);
  EXPECT_EQ(norm_fails("/a\tb").error, path_error::control_byte);
  EXPECT_EQ(norm_fails("/a\x7f").error, path_error::control_byte);
  EXPECT_EQ(norm_fails("").error, path_error::not_absolute);
  EXPECT_EQ(norm_fails("a/b").error, path_error::not_absolute);
  EXPECT_EQ(norm_fails("%2fa").error, path_error::not_absolute);
  EXPECT_EQ(norm_fails("*").error, path_error::not_absolute);
  EXPECT_EQ(to_string(path_error::bad_escape), "invalid percent-escape");
}

TEST(NormalizePath, OutputReusesCapacity) {
  std::string out;
  out.reserve(256);
  const char* before = out.data();
  ASSERT_TRUE(normalize_path("/a/b/../c", out));
  EXPECT_EQ(out, "/a/c");
  ASSERT_TRUE(normalize_path("/x", out));
  EXPECT_EQ(out, "/x");
  EXPECT_EQ(out.data(), before);
}

// Paths already in normal form are copied as they are (a one-pass fast
// path); everything that needs decoding or rewriting still is, and the
// refusals are the same.
TEST(NormalizePath, NormalPathsKeptAsTheyAre) {
  std::string out;
  for (std::string_view p :
       {"/", "/hello", "/a.b/c..d/", "/a/b.", "/x\\..\\y", "/\xc3\xa9t\xc3\xa9"}) {
    ASSERT_TRUE(normalize_path(p, out)) << p;
    EXPECT_EQ(out, p);
  }
  ASSERT_TRUE(normalize_path("/.well-known/x", out));
  EXPECT_EQ(out, "/.well-known/x");
  ASSERT_TRUE(normalize_path("/a/./b/../c//", out));
  EXPECT_EQ(out, "/a/c/");
  ASSERT_TRUE(normalize_path("/a%20b", out));
  EXPECT_EQ(out, "/a b");
  EXPECT_EQ(normalize_path("/a\x01/b", out).error, path_error::control_byte);
  EXPECT_EQ(normalize_path("/a\x7f", out).offset, 2u);
  EXPECT_EQ(normalize_path(std::string_view("/a\0b", 4), out).error, path_error::nul_byte);
  EXPECT_EQ(normalize_path("a/b", out).error, path_error::not_absolute);
}

// A straightforward reference: split, then a stack.
std::string reference(std::string_view decoded) {
  std::vector<std::string> stack;
  std::size_t i = 1;
  bool dir = false;
  while (i <= decoded.size()) {
    std::size_t e = decoded.find('/', i);
    if (e == std::string_view::npos) e = decoded.size();
    const std::string seg(decoded.substr(i, e - i));
    const bool final = e == decoded.size();
    if (seg == "..") {
      if (!stack.empty()) stack.pop_back();
      dir = true;
    } else if (seg == "." || seg.empty()) {
      dir = true;
    } else {
      stack.push_back(seg);
      dir = !final;
    }
    i = e + 1;
  }
  std::string out = "/";
  for (std::size_t k = 0; k < stack.size(); ++k) {
    out += stack[k];
    if (k + 1 < stack.size() || dir) out += '/';
  }
  return out;
}

// Every path of up to 6 tokens over a small alphabet agrees with the
// reference and keeps the invariants.
TEST(NormalizePath, MatchesReferenceExhaustively) {
  const std::vector<std::string> tokens = {"/", ".", "a", "%2e", "%2f", "\\"};
  std::vector<std::size_t> idx;
  std::string out;
  std::size_t checked = 0;
  for (std::size_t len = 0; len <= 6; ++len) {
    idx.assign(len, 0);
    for (;;) {
      std::string raw = "/";
      std::string decoded = "/";
      for (std::size_t k : idx) {
        raw += tokens[k];
        decoded += k == 3 ? "." : k == 4 ? "/" : tokens[k];
      }
      ASSERT_TRUE(normalize_path(raw, out)) << raw;
      ASSERT_EQ(out, reference(decoded)) << raw;
      ASSERT_EQ(out[0], '/');
      ASSERT_EQ(out.find("//"), std::string::npos) << raw;
      ASSERT_EQ(out.find("/./"), std::string::npos) << raw;
      ASSERT_EQ(out.find("/../"), std::string::npos) << raw;
      ASSERT_FALSE(out.ends_with("/..") || out.ends_with("/.")) << raw;
      ++checked;
      std::size_t k = 0;
      while (k < len && ++idx[k] == tokens.size())
        idx[k++] = 0;
      if (k == len) break;
    }
  }
  EXPECT_EQ(checked, 55987u);  // 6^0 + ... + 6^6
}

// ---------------------------------------------------------------------------
// resolve_under_root against a real tree
// ---------------------------------------------------------------------------

void write_file(const fs::path& p, const std::string& content, mode_t mode = 0644) {
  std::ofstream(p, std::ios::binary) << content;
  ASSERT_EQ(::chmod(p.c_str(), mode), 0) << p;
}

// The tree described at the top of traversal_cases.txt.
class tree {
 public:
  tree() {
    char tmpl[] = "/tmp/lwspp-path-test-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    if (dir == nullptr) std::abort();
    base_ = dir;
    ::chmod(base_.c_str(), 0755);  // the unprivileged child must get in
    build();
  }
  ~tree() {
    // Give the permission-less directories back their bits so that they can go.
    ::chmod((base_ / "root/noperm_dir").c_str(), 0755);
    ::chmod((base_ / "root/noread_dir").c_str(), 0755);
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  const fs::path& base() const { return base_; }

 private:
  void file(const std::string& rel, mode_t mode = 0644) { write_file(base_ / rel, rel, mode); }
  void dir(const std::string& rel) { fs::create_directories(base_ / rel); }
  void link(const std::string& target, const std::string& rel) {
    fs::create_symlink(target, base_ / rel);
  }

  void build() {
    file("secret.txt");
    dir("outside_dir");
    file("outside_dir/secret2.txt");
    dir("outside_ok");
    file("outside_ok/shared.txt");
    dir("root2");
    file("root2/file.txt");
    for (const char* d : {"root/a/b", "root/sub/deeper", "root/empty", "root/.git",
                          "root/.well-known", "root/noperm_dir", "root/noread_dir"}) {
      dir(d);
    }
    for (const char* f : {"root/index.html",
                          "root/file.txt",
                          "root/UPPER.TXT",
                          "root/a/b/c.txt",
                          "root/sub/index.html",
                          "root/sub/page.html",
                          "root/sub/deeper/x.txt",
                          "root/.hidden",
                          "root/.git/config",
                          "root/sub/.env",
                          "root/.well-known/security.txt",
                          "root/back\\slash.txt",
                          "root/%2e",
                          "root/space name.txt",
                          "root/plus+name.txt",
                          "root/x?y",
                          "root/semi;colon.txt",
                          "root/\xC3\xA9.txt",
                          "root/noperm_dir/f.txt",
                          "root/noread_dir/index.html"}) {
      file(f);
    }
    file("root/noperm.txt", 0);
    ::chmod((base_ / "root/noperm_dir").c_str(), 0);
    ::chmod((base_ / "root/noread_dir").c_str(), 0311);
    ASSERT_EQ(::mkfifo((base_ / "root/fifo").c_str(), 0644), 0);
    link("file.txt", "root/link_in");
    link("a/b", "root/link_dir");
    link((base_ / "root/file.txt").string(), "root/link_abs_in");
    link("../root/file.txt", "root/link_up_in");
    link("../file.txt", "root/sub/link_parent");
    link("../link_in", "root/sub/link_chain");
    link(".", "root/link_self_dir");
    link(".hidden", "root/link_to_hidden");
    link("../secret.txt", "root/link_out");
    link((base_ / "secret.txt").string(), "root/link_out_abs");
    link("/etc/passwd", "root/link_etc");
    link("../outside_dir", "root/link_out_dir");
    link("..", "root/link_root_parent");
    link("../root2/file.txt", "root/link_prefix");
    link("nope.txt", "root/link_dangling");
    link("../nope.txt", "root/link_dangling_out");
    link("link_loop", "root/link_loop");
    link("/proc/self/root/etc/passwd", "root/link_proc");
    link("../outside_ok", "root/link_ok_out");
  }

  fs::path base_;
};

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, static_cast<std::size_t>(n));
  }
  return s;
}

// What a static file handler does with the two functions (see the file's header).
int serve(const document_root& root, std::string_view raw, const resolve_options& o,
          std::string& body) {
  std::string path;
  if (!normalize_path(raw, path)) return 400;
  opened_file f = resolve_under_root(root, path, o);
  if (f.status == file_status::is_directory) {
    if (path.back() != '/') return 301;
    f = resolve_under_root(root, path + "index.html", o);
    if (f.status == file_status::is_directory || f.status == file_status::not_found) return 403;
  }
  if (f.status == file_status::ok) {
    EXPECT_TRUE(S_ISREG(f.st.st_mode));
    EXPECT_GE(f.fd(), 0);
    body = read_all(f.fd());
  } else {
    EXPECT_EQ(f.fd(), -1);
  }
  return lwspp::http::http_status(f.status);
}

struct traversal_case {
  int line = 0;
  std::string raw;
  int status = 0;
  std::string file;  // empty: none
  bool symlinks_out = false;
  bool dotfiles = false;
  bool nonroot = false;
};

std::string expand(const std::string& raw) {
  std::string out;
  std::size_t i = 0;
  while (i < raw.size()) {
    const std::size_t m = raw.find("%{", i);
    if (m == std::string::npos) break;
    out += raw.substr(i, m - i);
    const std::size_t star = raw.find('*', m);
    const std::size_t close = raw.find('}', star);
    const int n = std::stoi(raw.substr(m + 2, star - m - 2));
    const std::string text = raw.substr(star + 1, close - star - 1);
    for (int k = 0; k < n; ++k)
      out += text;
    i = close + 1;
  }
  return out + raw.substr(i);
}

std::string cases_file() {
  if (const char* src = std::getenv("LWSPP_SOURCE_DIR")) {
    return std::string(src) + "/tests/unit/http/traversal_cases.txt";
  }
  return (fs::path(__FILE__).parent_path() / "traversal_cases.txt").string();
}

std::vector<traversal_case> load_cases() {
  std::ifstream in(cases_file());
  EXPECT_TRUE(in.good()) << cases_file();
  std::vector<traversal_case> cases;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    traversal_case c;
    c.line = lineno;
    std::string raw;
    fields >> raw >> c.status;
    c.raw = expand(raw);
    std::string word;
    bool first = true;
    while (fields >> word) {
      if (word == "symlinks_out") {
        c.symlinks_out = true;
      } else if (word == "dotfiles") {
        c.dotfiles = true;
      } else if (word == "nonroot") {
        c.nonroot = true;
      } else if (first) {
        c.file = word == "-" ? "" : word;
        for (std::size_t p; (p = c.file.find("\\x20")) != std::string::npos;) {
          c.file.replace(p, 4, " ");
        }
      } else {
        ADD_FAILURE() << "line " << lineno << ": unknown flag " << word;
      }
      first = false;
    }
    EXPECT_TRUE(c.status == 200 || c.status == 301 || c.status == 400 || c.status == 403 ||
                c.status == 404)
        << "line " << lineno;
    EXPECT_EQ(c.status == 200, !c.file.empty()) << "line " << lineno;
    cases.push_back(std::move(c));
  }
  return cases;
}

// Runs one case; returns a description of the mismatch, empty when it passed.
std::string run_case(const document_root& root, const traversal_case& c, resolve_method m) {
  resolve_options o{
      .allow_symlinks_out = c.symlinks_out, .serve_dotfiles = c.dotfiles, .method = m};
  std::string body;
  const int status = serve(root, c.raw, o, body);
  std::ostringstream why;
  if (status != c.status) {
    why << "status " << status << ", expected " << c.status;
  } else if (status == 200 && body != c.file) {
    why << "served \"" << body << "\", expected " << c.file;
  }
  if (body == "secret.txt" || body == "outside_dir/secret2.txt") why << " SERVED A SECRET";
  return why.str();
}

// Unprivileged cases run in a child that dropped to nobody; it reports the
// first failing line through its exit status (0: all passed).
void run_as_nobody(const document_root& root, const std::vector<const traversal_case*>& cases) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(250);
    for (std::size_t i = 0; i < cases.size(); ++i) {
      for (resolve_method m : {resolve_method::automatic, resolve_method::component_walk}) {
        const std::string why = run_case(root, *cases[i], m);
        if (!why.empty()) {
          std::fprintf(stderr, "line %d (%s) as nobody: %s\n", cases[i]->line,
                       cases[i]->raw.c_str(), why.c_str());
          ::_exit(static_cast<int>(1 + i));
        }
      }
    }
    ::_exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_NE(WEXITSTATUS(wstatus), 250) << "could not drop privileges";
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "an unprivileged case failed (see stderr)";
}

TEST(Traversal, CasesFromDataFile) {
  tree t;
  auto root = document_root::open((t.base() / "root").string());
  ASSERT_TRUE(root.ok()) << root.error().message();
  const std::vector<traversal_case> cases = load_cases();
  EXPECT_GE(cases.size(), 200u);
  const bool is_root = ::geteuid() == 0;
  std::vector<const traversal_case*> as_nobody;
  for (const traversal_case& c : cases) {
    if (c.nonroot && is_root) {
      as_nobody.push_back(&c);
      continue;
    }
    for (resolve_method m : {resolve_method::automatic, resolve_method::component_walk}) {
      const std::string why = run_case(root.value(), c, m);
      EXPECT_TRUE(why.empty()) << "traversal_cases.txt:" << c.line << ": " << c.raw << " ("
                               << (m == resolve_method::automatic ? "openat2" : "walk")
                               << "): " << why;
    }
  }
  if (!as_nobody.empty()) run_as_nobody(root.value(), as_nobody);
}

TEST(Resolve, ReturnsStatAndReadableFd) {
  tree t;
  auto root = document_root::open((t.base() / "root").string());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->real_path(), fs::canonical(t.base() / "root").string());
  opened_file f = resolve_under_root(root.value(), "/a/b/c.txt");
  ASSERT_EQ(f.status, file_status::ok);
  EXPECT_EQ(f.st.st_size, static_cast<off_t>(std::string("root/a/b/c.txt").size()));
  EXPECT_EQ(::fcntl(f.fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(::fcntl(f.fd(), F_GETFL) & O_ACCMODE, O_RDONLY);
  const int fd = f.release();
  EXPECT_EQ(f.fd(), -1);
  ::close(fd);

  opened_file d = resolve_under_root(root.value(), "/sub");
  EXPECT_EQ(d.status, file_status::is_directory);
  EXPECT_TRUE(S_ISDIR(d.st.st_mode));
  EXPECT_EQ(lwspp::http::http_status(d.status), 200);

  opened_file m = resolve_under_root(root.value(), "/nope");
  EXPECT_EQ(m.status, file_status::not_found);
  EXPECT_EQ(m.sys_errno, ENOENT);
  EXPECT_EQ(resolve_under_root(root.value(), "/link_out").status, file_status::forbidden);
  // Not a normalised path: a caller bug, reported as an error.
  EXPECT_EQ(resolve_under_root(root.value(), "relative").status, file_status::error);
  EXPECT_EQ(resolve_under_root(root.value(), "").status, file_status::error);
}

TEST(Resolve, RootThroughASymlinkAndMissingRoot) {
  tree t;
  fs::create_symlink(t.base() / "root", t.base() / "root_link");
  auto root = document_root::open((t.base() / "root_link").string());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->real_path(), fs::canonical(t.base() / "root").string());
  std::string body;
  EXPECT_EQ(serve(root.value(), "/link_abs_in", {}, body), 200);
  EXPECT_EQ(body, "root/file.txt");

  auto missing = document_root::open((t.base() / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, std::errc::no_such_file_or_directory);
  auto not_dir = document_root::open((t.base() / "secret.txt").string());
  ASSERT_FALSE(not_dir.ok());
  EXPECT_EQ(not_dir.error().code, std::errc::not_a_directory);

  document_root moved = std::move(root.value());
  EXPECT_GE(moved.fd(), 0);
}

// A file replaced by a symlink after the root was opened is still checked.
TEST(Resolve, FileSwappedForOutsideLink) {
  tree t;
  auto root = document_root::open((t.base() / "root").string());
  ASSERT_TRUE(root.ok());
  fs::remove(t.base() / "root/sub/page.html");
  fs::create_symlink("../../secret.txt", t.base() / "root/sub/page.html");
  fs::remove_all(t.base() / "root/a/b");
  fs::create_symlink("../../outside_dir", t.base() / "root/a/b");
  for (resolve_method m : {resolve_method::automatic, resolve_method::component_walk}) {
    EXPECT_EQ(resolve_under_root(root.value(), "/sub/page.html", {.method = m}).status,
              file_status::forbidden);
    EXPECT_EQ(resolve_under_root(root.value(), "/a/b/secret2.txt", {.method = m}).status,
              file_status::forbidden);
  }
}

}  // namespace
