// upload_to_directory and sanitize_filename: files land in the directory
// under safe, unique names, fields are collected, limits hold, and every
// file written is removed on error or when the upload is abandoned. Bodies
// come from curl (data/curl_*.http) and are fed whole, split at every byte
// position and byte by byte.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "form_test_support.hpp"

namespace fs = std::filesystem;
namespace http = lwspp::http;
using http::form_error;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "lwspp-upload.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~temp_dir() { fs::remove_all(path); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const std::string ct = "multipart/form-data; boundary=XyZ";

std::string file_part(std::string_view field, std::string_view filename, std::string_view data) {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(field) +
         "\"; filename=\"" + std::string(filename) + "\"\r\n\r\n" + std::string(data) + "\r\n";
}

std::string field_part(std::string_view field, std::string_view value) {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(field) + "\"\r\n\r\n" +
         std::string(value) + "\r\n";
}

const std::string end = "--XyZ--\r\n";

// --- sanitize_filename ----------------------------------------------------------

TEST(form_upload, sanitize_filename) {
  EXPECT_EQ(http::sanitize_filename("report.pdf"), "report.pdf");
  EXPECT_EQ(http::sanitize_filename("../../etc/passwd"), "passwd");
  EXPECT_EQ(http::sanitize_filename("/etc/passwd"), "passwd");
  EXPECT_EQ(http::sanitize_filename("C:\\Users\\me\\a.txt"), "a.txt");
  EXPECT_EQ(http::sanitize_filename("dir/.."), "upload");
  EXPECT_EQ(http::sanitize_filename(".."), "upload");
  EXPECT_EQ(http::sanitize_filename("."), "upload");
  EXPECT_EQ(http::sanitize_filename(""), "upload");
  EXPECT_EQ(http::sanitize_filename("a/"), "upload");
  EXPECT_EQ(http::sanitize_filename(" . "), "upload");
  EXPECT_EQ(http::sanitize_filename(".htaccess"), "htaccess");
  EXPECT_EQ(http::sanitize_filename("a..b...c"), "a.b.c");
  EXPECT_EQ(http::sanitize_filename("trailing. . "), "trailing");
  EXPECT_EQ(http::sanitize_filename(std::string("a\0b\x01\x1f\x7f\r\nc.txt", 13)), "abc.txt");
  EXPECT_EQ(http::sanitize_filename(".\x01."), "upload");
  EXPECT_EQ(http::sanitize_filename("J\xc3\xbcrgen \"quoted\".txt"),
            "J\xc3\xbcrgen \"quoted\".txt");
  // Long names: 200 bytes at most, extension kept, UTF-8 never cut.
  const std::string long_ascii = http::sanitize_filename(std::string(300, 'a') + ".tar.gz");
  EXPECT_EQ(long_ascii.size(), 200u);
  EXPECT_TRUE(long_ascii.ends_with("a.gz"));
  std::string umlauts = "a";
  for (int i = 0; i < 150; ++i)
    umlauts += "\xc3\xbc";
  const std::string cut = http::sanitize_filename(umlauts + ".txt");
  EXPECT_EQ(cut.size(), 199u);
  EXPECT_TRUE(cut.ends_with("\xc3\xbc.txt"));
  EXPECT_EQ(http::sanitize_filename(std::string(300, '.') + std::string(300, 'b')).size(), 200u);
  EXPECT_EQ(http::sanitize_filename(std::string(250, 'x') + "." + std::string(40, 'e')).size(),
            200u);
  // Whatever goes in, the result is one harmless name.
  for (const char* nasty : {"../", "..\\..\\", "a/../../b", "\xc0\xae\xc0\xae/x", "~/.ssh/id"}) {
    const std::string s = http::sanitize_filename(nasty);
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(s.find('/'), std::string::npos);
    EXPECT_EQ(s.find(".."), std::string::npos);
    EXPECT_NE(s.front(), '.');
  }
}

// --- uploads ---------------------------------------------------------------------

TEST(form_upload, curl_names_every_split) {
  const auto req = form_test::load_request("curl_names.http");
  const std::string notes = "hello from a text file\nsecond line\r\nthird line with CRLF before\n";
  auto check = [&](form_test::split how, std::size_t at) {
    temp_dir dir;
    auto up = http::upload_to_directory::make(req.content_type, {.directory = dir.path.string()});
    ASSERT_TRUE(up) << up.error().message();
    auto& u = *up.value();
    const std::string_view body = req.body;
    lwspp::result<void> r;
    if (how == form_test::split::whole) r = u.feed(body);
    if (how == form_test::split::at) {
      r = u.feed(body.substr(0, at));
      if (r) r = u.feed(body.substr(at));
    }
    if (how == form_test::split::bytes) {
      for (std::size_t i = 0; i < body.size() && r; ++i)
        r = u.feed(body.substr(i, 1));
    }
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_TRUE(u.finish());
    ASSERT_EQ(u.files().size(), 2u);
    EXPECT_EQ(u.files()[0].field, "doc");
    EXPECT_EQ(u.files()[0].filename, "../../etc/pass\"wd \xc3\xbc.txt");
    EXPECT_EQ(u.files()[0].content_type, "text/plain");
    EXPECT_EQ(u.files()[0].path, (dir.path / "pass\"wd \xc3\xbc.txt").string());
    EXPECT_EQ(u.files()[0].size, notes.size());
    EXPECT_EQ(u.files()[1].path, (dir.path / "empty.dat").string());
    EXPECT_EQ(u.files()[1].size, 0u);
    EXPECT_EQ(slurp(u.files()[0].path), notes);
    EXPECT_EQ(slurp(u.files()[1].path), "");
    EXPECT_EQ(u.field("quote\"name"), "x");
    EXPECT_EQ(dir.names(), (std::vector<std::string>{"empty.dat", "pass\"wd \xc3\xbc.txt"}));
    struct stat st {};
    ASSERT_EQ(::stat(u.files()[0].path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  };
  check(form_test::split::whole, 0);
  check(form_test::split::bytes, 0);
  for (std::size_t at = 0; at <= req.body.size(); ++at)
    check(form_test::split::at, at);
}

TEST(form_upload, curl_binary_is_written_exactly) {
  const auto req = form_test::load_request("curl_binary.http");
  temp_dir dir;
  auto up = http::upload_to_directory::make(req.content_type, {.directory = dir.path.string()});
  ASSERT_TRUE(up);
  for (std::size_t i = 0; i < req.body.size(); i += 7) {
    ASSERT_TRUE(up.value()->feed(std::string_view(req.body).substr(i, 7)));
  }
  ASSERT_TRUE(up.value()->finish());
  ASSERT_EQ(up.value()->files().size(), 1u);
  const std::string written = slurp(dir.path / "blob.bin");
  EXPECT_EQ(written.size(), 1024u + 50 * 38 + 3000);
  EXPECT_EQ(written.substr(0, 256)[255], '\xff');
  EXPECT_EQ(up.value()->field("after"), "yes");
}

TEST(form_upload, same_names_get_unique_files_and_nothing_is_overwritten) {
  temp_dir dir;
  { std::ofstream(dir.path / "a.txt") << "precious"; }
  fs::create_symlink("/nonexistent-lwspp-target", dir.path / "b.txt");
  fs::create_symlink(dir.path / "a.txt", dir.path / "noext");
  const std::string body = file_part("f", "a.txt", "1") + file_part("f", "sub/a.txt", "2") +
                           file_part("g", "b.txt", "3") + file_part("h", "noext", "4") +
                           file_part("h", "noext", "5") + end;
  auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
  ASSERT_TRUE(up);
  ASSERT_TRUE(up.value()->feed(body));
  ASSERT_TRUE(up.value()->finish());
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"a-1.txt", "a-2.txt", "a.txt", "b-1.txt",
                                                   "b.txt", "noext", "noext-1", "noext-2"}));
  EXPECT_EQ(slurp(dir.path / "a.txt"), "precious");
  EXPECT_EQ(slurp(dir.path / "a-1.txt"), "1");
  EXPECT_EQ(slurp(dir.path / "a-2.txt"), "2");
  EXPECT_EQ(slurp(dir.path / "b-1.txt"), "3");
  EXPECT_EQ(slurp(dir.path / "noext-2"), "5");
  EXPECT_FALSE(fs::exists("/nonexistent-lwspp-target"));
}

TEST(form_upload, empty_filename_parts_are_skipped) {
  temp_dir dir;
  const std::string body = file_part("f", "", "") + field_part("a", "1") + end;
  auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
  ASSERT_TRUE(up.value()->feed(body));
  ASSERT_TRUE(up.value()->finish());
  EXPECT_TRUE(up.value()->files().empty());
  EXPECT_TRUE(dir.names().empty());
  EXPECT_EQ(up.value()->fields().size(), 1u);
}

TEST(form_upload, file_too_large_removes_every_file) {
  temp_dir dir;
  const std::string body = file_part("f", "ok.txt", "small") + field_part("a", "1") +
                           file_part("f", "big.txt", std::string(100, 'x')) + end;
  auto up =
      http::upload_to_directory::make(ct, {.directory = dir.path.string(), .max_file_size = 99});
  ASSERT_TRUE(up);
  lwspp::result<void> r;
  for (std::size_t i = 0; i < body.size() && r; i += 3)
    r = up.value()->feed(body.substr(i, 3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, form_error::file_too_large);
  EXPECT_EQ(http::http_status(r.error().code), 413);
  EXPECT_TRUE(dir.names().empty());
  EXPECT_TRUE(up.value()->files().empty());
  EXPECT_FALSE(up.value()->feed(end));
  EXPECT_FALSE(up.value()->finish());

  // Exactly at the limit is fine.
  temp_dir dir2;
  auto up2 =
      http::upload_to_directory::make(ct, {.directory = dir2.path.string(), .max_file_size = 100});
  ASSERT_TRUE(up2.value()->feed(body));
  ASSERT_TRUE(up2.value()->finish());
  EXPECT_EQ(dir2.names(), (std::vector<std::string>{"big.txt", "ok.txt"}));
}

TEST(form_upload, incomplete_body_and_parser_errors_remove_files) {
  temp_dir dir;
  {
    auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
    ASSERT_TRUE(up.value()->feed(file_part("f", "a.txt", "data") + file_part("f", "b.txt", "da")));
    EXPECT_EQ(dir.names().size(), 2u);
    auto r = up.value()->finish();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, form_error::incomplete);
    EXPECT_TRUE(dir.names().empty());
  }
  {
    auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
    auto r =
        up.value()->feed(file_part("f", "a.txt", "data") + "--XyZ\r\nX-No-Disposition: 1\r\n\r\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, form_error::missing_disposition);
    EXPECT_TRUE(dir.names().empty());
  }
}

TEST(form_upload, destroyed_before_finish_removes_files_after_finish_keeps_them) {
  temp_dir dir;
  {
    auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
    ASSERT_TRUE(up.value()->feed(file_part("f", "a.txt", "data") + file_part("f", "b.txt", "x")));
  }
  EXPECT_TRUE(dir.names().empty());
  {
    auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
    ASSERT_TRUE(up.value()->feed(file_part("f", "a.txt", "data") + end));
    ASSERT_TRUE(up.value()->finish());
  }
  EXPECT_EQ(dir.names(), std::vector<std::string>{"a.txt"});
  {
    auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
    ASSERT_TRUE(up.value()->feed(file_part("f", "b.txt", "data") + end));
    ASSERT_TRUE(up.value()->finish());
    up.value()->discard();
    EXPECT_TRUE(up.value()->files().empty());
  }
  EXPECT_EQ(dir.names(), std::vector<std::string>{"a.txt"});
}

TEST(form_upload, field_limits) {
  temp_dir dir;
  auto run = [&](const std::string& body, lwspp::http::upload_options o) {
    o.directory = dir.path.string();
    auto up = http::upload_to_directory::make(ct, std::move(o));
    lwspp::result<void> r = up.value()->feed(body);
    if (r) r = up.value()->finish();
    return r ? std::error_code() : r.error().code;
  };
  const std::string body = field_part("a", std::string(10, 'v')) + field_part("b", "12") + end;
  EXPECT_EQ(run(body, {.max_field_size = 10}), std::error_code());
  EXPECT_EQ(run(body, {.max_field_size = 9}), form_error::value_too_long);
  EXPECT_EQ(run(body, {.max_fields_bytes = 14}), std::error_code());  // a + 10 + b + 2
  EXPECT_EQ(run(body, {.max_fields_bytes = 13}), form_error::value_too_long);
  EXPECT_EQ(run(body, {.limits = {.max_parts = 1}}), form_error::too_many_parts);
}

TEST(form_upload, make_errors) {
  auto bad_type = http::upload_to_directory::make("text/plain", {.directory = "/tmp"});
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(http::http_status(bad_type.error().code), 415);
  auto no_dir = http::upload_to_directory::make(ct, {.directory = "/nonexistent/lwspp/dir"});
  ASSERT_FALSE(no_dir);
  EXPECT_EQ(no_dir.error().code, std::errc::no_such_file_or_directory);
  EXPECT_EQ(http::http_status(no_dir.error().code), 500);
  EXPECT_EQ(http::http_status(std::make_error_code(std::errc::no_space_on_device)), 507);
}

// A symlink in the directory is never followed (O_NOFOLLOW | O_EXCL):
// the upload gets the next free name instead.
TEST(form_upload, symlink_is_not_followed) {
  temp_dir dir;
  fs::create_symlink("/dev/null", dir.path / "null");
  auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
  ASSERT_TRUE(up.value()->feed(file_part("f", "null", "x") + end));
  ASSERT_TRUE(up.value()->finish());
  EXPECT_EQ(slurp(dir.path / "null-1"), "x");
}

// A failing write(2) (here EFBIG from RLIMIT_FSIZE) is reported with its
// errno, and every file is removed.
TEST(form_upload, write_failure_is_reported) {
  temp_dir dir;
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 100000;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto up = http::upload_to_directory::make(ct, {.directory = dir.path.string()});
  lwspp::result<void> r = up.value()->feed(file_part("f", "a.txt", "small") +
                                           file_part("f", "b.txt", std::string(300000, 'x')) + end);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, std::errc::file_too_large) << r.error().message();
  EXPECT_NE(r.error().detail.find("b.txt"), std::string::npos);
  EXPECT_EQ(http::http_status(r.error().code), 500);
  EXPECT_TRUE(dir.names().empty());
}

}  // namespace
