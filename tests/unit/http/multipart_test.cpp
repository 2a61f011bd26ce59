// multipart/form-data: boundary_from_content_type and multipart_parser.
// Every body is fed whole, split in two at every byte position, byte by
// byte and in random pieces, and must give the same event log. Bodies from
// a real client are in data/curl_*.http: raw requests that `curl -F` sent to
// a throwaway Python listener (data/make-curl-bodies.sh made them).
#include <gtest/gtest.h>

#include <string>

#include "form_test_support.hpp"

namespace http = lwspp::http;
using form_test::run_multipart;
using form_test::split;
using http::form_error;

namespace {

// Runs every split of `body` and expects each log to equal the whole feed's,
// and the whole feed's to equal `expected`.
void expect_log(std::string_view boundary, std::string_view body, const std::string& expected,
                http::multipart_limits limits = {}) {
  const std::string whole = run_multipart(boundary, body, split::whole, 0, limits);
  EXPECT_EQ(whole, expected);
  for (std::size_t at = 0; at <= body.size(); ++at) {
    ASSERT_EQ(run_multipart(boundary, body, split::at, at, limits), whole) << "split at " << at;
  }
  EXPECT_EQ(run_multipart(boundary, body, split::bytes, 0, limits), whole) << "byte by byte";
  for (std::size_t seed = 0; seed < 8; ++seed) {
    EXPECT_EQ(run_multipart(boundary, body, split::random, seed, limits), whole) << seed;
  }
}

std::string part(std::string_view headers, std::string_view data, std::string_view b = "XyZ") {
  return "--" + std::string(b) + "\r\n" + std::string(headers) + "\r\n" + std::string(data) +
         "\r\n";
}

std::string close_delim(std::string_view b = "XyZ") {
  return "--" + std::string(b) + "--\r\n";
}

const std::string cd_a = "Content-Disposition: form-data; name=\"a\"\r\n";

// --- boundary_from_content_type ---------------------------------------------

TEST(multipart_boundary, token_and_quoted) {
  EXPECT_EQ(http::boundary_from_content_type("multipart/form-data; boundary=abc").value(), "abc");
  EXPECT_EQ(http::boundary_from_content_type("multipart/form-data; boundary=\"a b:c?\"").value(),
            "a b:c?");
  EXPECT_EQ(http::boundary_from_content_type("Multipart/Form-Data;BOUNDARY=x").value(), "x");
  EXPECT_EQ(http::boundary_from_content_type("multipart/form-data ; charset=utf-8 ;boundary=q-1 ")
                .value(),
            "q-1");
  EXPECT_EQ(http::boundary_from_content_type(
                "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW")
                .value(),
            "----WebKitFormBoundary7MA4YWxkTrZu0gW");
  EXPECT_EQ(
      http::boundary_from_content_type("multipart/form-data; boundary=" + std::string(70, 'b'))
          .value()
          .size(),
      70u);
}

TEST(multipart_boundary, rejects) {
  auto code = [](std::string_view ct) {
    auto r = http::boundary_from_content_type(ct);
    return r ? std::error_code() : r.error().code;
  };
  EXPECT_EQ(code("text/plain"), form_error::not_form_data);
  EXPECT_EQ(code("multipart/mixed; boundary=x"), form_error::not_form_data);
  EXPECT_EQ(code("multipart"), form_error::not_form_data);
  EXPECT_EQ(code(""), form_error::not_form_data);
  EXPECT_EQ(code("multipart/form-data"), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; charset=utf-8"), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary="), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=\"\""), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=" + std::string(71, 'b')),
            form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=\"ab \""), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=a; boundary=b"), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=a@b"), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=\"a@b\""), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary=\"abc"), form_error::bad_boundary);
  EXPECT_EQ(code("multipart/form-data; boundary = abc"), form_error::bad_boundary);
  EXPECT_EQ(http::http_status(code("text/plain")), 415);
  EXPECT_EQ(http::http_status(code("multipart/form-data")), 400);
}

// --- well-formed bodies -------------------------------------------------------

TEST(multipart, two_parts_with_preamble_and_epilogue) {
  const std::string body = "This is the preamble.\r\nIt is ignored.\r\n" + part(cd_a, "one") +
                           part(
                               "Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
                               "Content-Type: text/plain\r\n",
                               "line 1\r\nline 2") +
                           close_delim() + "epilogue, ignored\r\n--XyZ\r\n";
  expect_log("XyZ", body,
             "begin name=a headers=1\ndata one\nend\n"
             "begin name=f filename=x.txt type=text/plain headers=2\n"
             "data line 1\\r\\nline 2\nend\nok");
}

TEST(multipart, empty_parts_and_no_parts) {
  expect_log("XyZ", part(cd_a, "") + close_delim(), "begin name=a headers=1\nend\nok");
  expect_log("XyZ", "--XyZ--", "ok");  // a form with no fields (what browsers send)
  expect_log("XyZ", "--XyZ--\r\n", "ok");
  expect_log("XyZ", "preamble\r\n--XyZ--", "ok");
}

TEST(multipart, transport_padding_after_boundaries) {
  const std::string body =
      "--XyZ \t \r\n" + cd_a + "\r\nv\r\n--XyZ\t\r\n" + cd_a + "\r\nw\r\n--XyZ--  \t\r\nepilogue";
  expect_log("XyZ", body,
             "begin name=a headers=1\ndata v\nend\nbegin name=a headers=1\ndata w\nend\nok");
}

// Data that repeatedly starts to look like the delimiter is delivered whole.
TEST(multipart, near_delimiters_are_data) {
  const std::string data = "\r\n\r\n-\r\n--\r\n--X\r\n--Xy\r\r\n--XyQ--XyZ\n--XyZ \r\n-";
  expect_log("XyZ", part(cd_a, data) + close_delim(),
             "begin name=a headers=1\ndata " + form_test::escape(data) + "\nend\nok");
}

// A boundary line needs CRLF before it (or to be the body's first bytes):
// "--XyZ" mid-line or after a bare LF is data, or preamble.
TEST(multipart, delimiter_only_after_crlf) {
  const std::string data = "a--XyZ\n--XyZ b";
  expect_log("XyZ", part(cd_a, data) + close_delim(),
             "begin name=a headers=1\ndata " + form_test::escape(data) + "\nend\nok");
  // Everything up to the first "\r\n--XyZ" is preamble: here no part at all.
  expect_log("XyZ", "x--XyZ\r\n" + cd_a + "\r\nv\r\n--XyZ--", "ok");
}

TEST(multipart, header_details) {
  const std::string body = part(
      "content-disposition: FORM-DATA ; name=plain;filename=\"C:\\dir\\a \\\"q\\\" %22b%22.txt\"; "
      "filename*=UTF-8''x\r\n"
      "X-Extra:  spaced value \t\r\n"
      "Content-Type: image/png\r\n",
      "PNG");
  expect_log("XyZ", body + close_delim(),
             "begin name=plain filename=C:\\x5cdir\\x5ca \"q\" \"b\".txt type=image/png "
             "headers=3\ndata PNG\nend\nok");
  // Headers are available as received.
  http::part_info seen;
  http::multipart_parser p("XyZ", {.on_part_begin = [&](const http::part_info& i) { seen = i; }});
  ASSERT_TRUE(p.feed(body + close_delim()));
  ASSERT_TRUE(p.finish());
  ASSERT_EQ(seen.headers.size(), 3u);
  EXPECT_EQ(seen.headers[1].name, "X-Extra");
  EXPECT_EQ(seen.headers[1].value, "spaced value");
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.parts(), 1u);
}

TEST(multipart, empty_filename_is_still_a_file_part) {
  expect_log("XyZ",
             part("Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
                  "Content-Type: application/octet-stream\r\n",
                  "") +
                 close_delim(),
             "begin name=f filename= type=application/octet-stream headers=2\nend\nok");
}

TEST(multipart, long_boundary_and_binary_data) {
  const std::string b(70, '-');
  std::string data;
  for (int i = 0; i < 600; ++i)
    data.push_back(static_cast<char>(i * 37));
  data += "\r\n" + b.substr(0, 69) + "\r\n--" + b.substr(0, 40);
  expect_log(b, part(cd_a, data, b) + close_delim(b),
             "begin name=a headers=1\ndata " + form_test::escape(data) + "\nend\nok");
}

// --- bodies sent by curl ------------------------------------------------------

struct curl_case {
  const char* file;
  std::string expected;  // the log, without data of files (checked apart)
};

std::string curl_blob() {  // the bytes make-curl-bodies.sh put in blob.bin
  std::string b;
  for (int r = 0; r < 4; ++r) {
    for (int i = 0; i < 256; ++i)
      b.push_back(static_cast<char>(i));
  }
  for (int r = 0; r < 50; ++r)
    b += "\r\n--\r\n----\r\n--not-the-boundary\r\n\r\r\n\n\r-";
  for (int i = 0; i < 3000; ++i)
    b.push_back(static_cast<char>((i * 7) & 0xff));
  return b;
}

const std::string notes = "hello from a text file\nsecond line\r\nthird line with CRLF before\n";

TEST(multipart, curl_bodies) {
  const curl_case cases[] = {
      {"curl_fields.http",
       "begin name=name headers=1\ndata lwspp\nend\n"
       "begin name=comment headers=1\ndata hello world & more = less\nend\n"
       "begin name=empty headers=1\nend\nok"},
      {"curl_file.http",
       "begin name=title headers=1\ndata notes\nend\n"
       "begin name=upload filename=notes.txt type=text/plain headers=2\ndata " +
           form_test::escape(notes) + "\nend\nok"},
      {"curl_binary.http",
       "begin name=blob filename=blob.bin type=application/octet-stream headers=2\ndata " +
           form_test::escape(curl_blob()) + "\nend\nbegin name=after headers=1\ndata yes\nend\nok"},
      {"curl_names.http",
       "begin name=doc filename=../../etc/pass\"wd \\xc3\\xbc.txt type=text/plain headers=2\n"
       "data " +
           form_test::escape(notes) +
           "\nend\n"
           "begin name=doc filename=empty.dat type=application/octet-stream headers=2\nend\n"
           "begin name=quote\"name headers=1\ndata x\nend\nok"},
  };
  for (const curl_case& c : cases) {
    SCOPED_TRACE(c.file);
    const auto req = form_test::load_request(c.file);
    ASSERT_FALSE(req.body.empty());
    auto boundary = http::boundary_from_content_type(req.content_type);
    ASSERT_TRUE(boundary) << req.content_type;
    expect_log(boundary.value(), req.body, c.expected);
  }
}

// --- malformed ------------------------------------------------------------------

struct bad_case {
  const char* what;
  std::string body;
  form_error expected;
};

TEST(multipart, malformed_bodies) {
  const bad_case cases[] = {
      {"junk after boundary", "--XyZjunk\r\n" + cd_a + "\r\nv\r\n" + close_delim(),
       form_error::malformed},
      {"single dash", "--XyZ-\r\n", form_error::malformed},
      {"CR without LF", "--XyZ\rX", form_error::malformed},
      {"padding then junk", "--XyZ  x\r\n", form_error::malformed},
      {"bare LF after boundary", "--XyZ\n" + cd_a + "\r\n", form_error::malformed},
      {"header without colon", part("Content-Disposition form-data\r\n", "v") + close_delim(),
       form_error::malformed},
      {"space before colon", part("Content-Disposition : form-data; name=a\r\n", "v"),
       form_error::malformed},
      {"bare LF in headers", "--XyZ\r\nContent-Disposition: form-data; name=a\n\r\nv\r\n--XyZ--",
       form_error::malformed},
      {"CR inside header", part("Content-Disposition: form-data;\r name=a\r\n", "v"),
       form_error::malformed},
      {"NUL in header", part(std::string("Content-Disposition: form-data; name=a\0\r\n", 42), "v"),
       form_error::malformed},
      {"folded header", part(cd_a + " continued\r\n", "v"), form_error::malformed},
      {"no disposition", part("Content-Type: text/plain\r\n", "v") + close_delim(),
       form_error::missing_disposition},
      {"no headers", part("", "v") + close_delim(), form_error::missing_disposition},
      {"attachment", part("Content-Disposition: attachment; name=a\r\n", "v"),
       form_error::missing_disposition},
      {"no name", part("Content-Disposition: form-data; filename=a.txt\r\n", "v"),
       form_error::missing_disposition},
      {"two dispositions", part(cd_a + cd_a, "v"), form_error::malformed},
      {"two content types", part(cd_a + "Content-Type: a/b\r\nContent-Type: c/d\r\n", "v"),
       form_error::malformed},
      {"two names", part("Content-Disposition: form-data; name=a; name=b\r\n", "v"),
       form_error::malformed},
      {"unterminated quote", part("Content-Disposition: form-data; name=\"a\r\n", "v"),
       form_error::malformed},
      {"parameter without value", part("Content-Disposition: form-data; name\r\n", "v"),
       form_error::malformed},
      {"no final boundary", part(cd_a, "v"), form_error::incomplete},
      {"ends in data", "--XyZ\r\n" + cd_a + "\r\nsome data", form_error::incomplete},
      {"ends in a delimiter prefix", "--XyZ\r\n" + cd_a + "\r\nv\r\n--Xy", form_error::incomplete},
      {"ends in headers", "--XyZ\r\nContent-Disp", form_error::incomplete},
      {"ends after boundary", "--XyZ", form_error::incomplete},
      {"ends after one dash", "--XyZ-", form_error::incomplete},
      {"empty body", "", form_error::incomplete},
      {"only preamble", "no boundary here\r\n-- XyZ", form_error::incomplete},
  };
  for (const bad_case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string whole = run_multipart("XyZ", c.body, split::whole);
    const std::string message = "error: " + std::error_code(c.expected).message();
    EXPECT_NE(whole.find(message), std::string::npos) << whole;
    for (std::size_t at = 0; at <= c.body.size(); ++at) {
      ASSERT_EQ(run_multipart("XyZ", c.body, split::at, at), whole) << "split at " << at;
    }
    EXPECT_EQ(run_multipart("XyZ", c.body, split::bytes), whole);
  }
}

TEST(multipart, error_names_the_offset_and_is_sticky) {
  http::multipart_parser p("XyZ", {});
  const std::string body = "--XyZ\r\n" + cd_a + "\r\nv\r\n--XyZ!";
  auto r = p.feed(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, form_error::malformed);
  EXPECT_NE(r.error().detail.find("at byte " + std::to_string(body.size() - 1)), std::string::npos)
      << r.error().detail;
  EXPECT_EQ(http::http_status(r.error().code), 400);
  auto again = p.feed("--XyZ--");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().detail, r.error().detail);
  EXPECT_FALSE(p.finish());
}

TEST(multipart, invalid_boundary_fails_on_first_feed) {
  for (std::string_view b : {"", "a\rb", "trailing ", "a\"b"}) {
    http::multipart_parser p(b, {});
    auto r = p.feed("--");
    ASSERT_FALSE(r) << b;
    EXPECT_EQ(r.error().code, form_error::bad_boundary);
  }
  http::multipart_parser p(std::string(71, 'x'), {});
  EXPECT_FALSE(p.feed(""));
}

// --- limits -----------------------------------------------------------------------

TEST(multipart, part_header_limit) {
  const std::string headers = cd_a + "X-Pad: " + std::string(100, 'p') + "\r\n";
  const std::string body = part(headers, "v") + close_delim();
  const std::size_t section = headers.size() + 2;  // with the empty line
  http::multipart_limits limits{.max_part_header_bytes = section};
  expect_log("XyZ", body, "begin name=a headers=2\ndata v\nend\nok", limits);
  limits.max_part_header_bytes = section - 1;
  const std::string log = run_multipart("XyZ", body, split::whole, 0, limits);
  EXPECT_NE(log.find("error: part header section too large"), std::string::npos) << log;
  for (std::size_t at = 0; at <= body.size(); ++at) {
    ASSERT_EQ(run_multipart("XyZ", body, split::at, at, limits), log);
  }
  EXPECT_EQ(http::http_status(form_error::part_header_too_large), 413);
}

TEST(multipart, parts_limit) {
  const std::string body = part(cd_a, "1") + part(cd_a, "2") + part(cd_a, "3") + close_delim();
  expect_log("XyZ", body,
             "begin name=a headers=1\ndata 1\nend\nbegin name=a headers=1\ndata 2\nend\n"
             "begin name=a headers=1\ndata 3\nend\nok",
             {.max_parts = 3});
  expect_log("XyZ", body,
             "begin name=a headers=1\ndata 1\nend\nbegin name=a headers=1\ndata 2\nend\n"
             "error: too many parts: multipart: more than max_parts parts at byte " +
                 std::to_string(part(cd_a, "1").size() * 2 + 7),
             {.max_parts = 2});
}

TEST(multipart, part_size_limit_delivers_exactly_the_limit) {
  const std::string body = part(cd_a, "0123456789") + part(cd_a, "abc") + close_delim();
  expect_log("XyZ", body,
             "begin name=a headers=1\ndata 0123456789\nend\nbegin name=a headers=1\ndata abc\nend\n"
             "ok",
             {.max_part_size = 10});
  const std::size_t data_at = part(cd_a, "").size() - 2;
  expect_log("XyZ", body,
             "begin name=a headers=1\ndata 012345678\nerror: part too large: multipart: part "
             "larger than max_part_size at byte " +
                 std::to_string(data_at + 9),
             {.max_part_size = 9});
}

TEST(multipart, total_size_limit) {
  const std::string body = part(cd_a, "0123456789") + close_delim();
  expect_log("XyZ", body, "begin name=a headers=1\ndata 0123456789\nend\nok",
             {.max_total_size = body.size()});
  const std::string log =
      run_multipart("XyZ", body, split::whole, 0, {.max_total_size = body.size() - 1});
  EXPECT_NE(log.find("error: form body too large"), std::string::npos) << log;
  expect_log("XyZ", body, log, {.max_total_size = body.size() - 1});
  EXPECT_EQ(http::http_status(form_error::body_too_large), 413);
}

// --- streaming properties ----------------------------------------------------------

// Fed byte by byte, the parser holds back at most the delimiter's length.
TEST(multipart, holds_back_at_most_a_delimiter) {
  const std::string boundary = "----------------------------d74496d66958873e";
  std::string data;
  for (int i = 0; i < 200; ++i) {
    data += "\r\n--" + boundary.substr(0, static_cast<std::size_t>(i) % boundary.size()) + "x";
  }
  const std::string head = "--" + boundary + "\r\n" + cd_a + "\r\n";
  const std::string body = head + data + "\r\n--" + boundary + "--";
  std::size_t delivered = 0;
  http::multipart_parser p(boundary,
                           {.on_part_data = [&](std::string_view d) { delivered += d.size(); }});
  for (std::size_t i = 0; i < body.size(); ++i) {
    ASSERT_TRUE(p.feed(body.substr(i, 1)));
    if (i >= head.size() && i < head.size() + data.size()) {
      const std::size_t fed = i + 1 - head.size();
      ASSERT_GE(delivered + boundary.size() + 4, fed) << i;
      ASSERT_LE(delivered, fed);
    }
  }
  ASSERT_TRUE(p.finish());
  EXPECT_EQ(delivered, data.size());
}

TEST(multipart, cancel_from_a_handler) {
  const std::string body = part(cd_a, "one") + part(cd_a, "two") + close_delim();
  int begins = 0;
  http::multipart_parser* self = nullptr;
  http::multipart_parser p(
      "XyZ",
      {.on_part_begin =
           [&](const http::part_info&) {
             if (++begins == 2) {
               self->cancel({std::make_error_code(std::errc::permission_denied), "no second part"});
             }
           },
       .on_part_data = [&](std::string_view) { EXPECT_EQ(begins, 1); }});
  self = &p;
  auto r = p.feed(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, std::errc::permission_denied);
  EXPECT_EQ(begins, 2);
  EXPECT_FALSE(p.feed("more"));

  http::multipart_parser q("XyZ", {});
  q.cancel();
  EXPECT_EQ(q.feed("x").error().code, form_error::cancelled);
}

// A large part in big chunks is delivered in few, large pieces (no per-byte work).
TEST(multipart, large_part_in_big_chunks) {
  const std::string data(4 << 20, 'd');
  const std::string body = part(cd_a, data) + close_delim();
  std::size_t pieces = 0, bytes = 0;
  http::multipart_parser p("XyZ", {.on_part_data = [&](std::string_view d) {
                             ++pieces;
                             bytes += d.size();
                           }});
  for (std::size_t i = 0; i < body.size(); i += 65536) {
    ASSERT_TRUE(p.feed(std::string_view(body).substr(i, 65536)));
  }
  ASSERT_TRUE(p.finish());
  EXPECT_EQ(bytes, data.size());
  EXPECT_LE(pieces, body.size() / 65536 + 2);
}

}  // namespace
