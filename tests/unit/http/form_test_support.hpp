// Helpers shared by the form tests: an event log of a multipart parse
// (consecutive data pieces merged, so that logs of different splits
// compare equal), feeding a body whole / split / byte by byte, and the
// raw requests captured from curl in data/ (see data/make-curl-bodies.sh).
#pragma once

#include <lwspp/http_form.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace form_test {

// Printable form of bytes: \r \n \xNN.
inline std::string escape(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f || c == '\\') {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

struct multipart_log {
  std::string log;
  std::string data;  // data not yet written to log
  lwspp::http::multipart_parser parser;

  explicit multipart_log(std::string_view boundary, lwspp::http::multipart_limits limits = {})
      : parser(boundary,
               {
                   .on_part_begin =
                       [this](const lwspp::http::part_info& p) {
                         flush();
                         log += "begin name=" + escape(p.name);
                         if (p.has_filename) log += " filename=" + escape(p.filename);
                         if (!p.content_type.empty()) log += " type=" + escape(p.content_type);
                         log += " headers=" + std::to_string(p.headers.size()) + "\n";
                       },
                   .on_part_data = [this](std::string_view d) { data.append(d); },
                   .on_part_end =
                       [this] {
                         flush();
                         log += "end\n";
                       },
               },
               limits) {}

  void flush() {
    if (!data.empty()) log += "data " + escape(data) + "\n";
    data.clear();
  }
};

enum class split { whole, at, bytes, random };

// Feeds `body` (whole, in two pieces at `at`, byte by byte, or in random
// pieces seeded by `at`), then finish(); returns the log with the outcome
// ("ok" or the error code's message and detail) as its last line.
inline std::string run_multipart(std::string_view boundary, std::string_view body, split how,
                                 std::size_t at = 0, lwspp::http::multipart_limits limits = {}) {
  multipart_log m(boundary, limits);
  lwspp::result<void> r;
  auto feed = [&](std::string_view piece) {
    if (r) r = m.parser.feed(piece);
  };
  switch (how) {
    case split::whole:
      feed(body);
      break;
    case split::at:
      feed(body.substr(0, at));
      feed(body.substr(at));
      break;
    case split::bytes:
      for (std::size_t i = 0; i < body.size(); ++i)
        feed(body.substr(i, 1));
      break;
    case split::random: {
      unsigned state = static_cast<unsigned>(at) * 2654435761u + 1;
      std::size_t i = 0;
      while (i < body.size()) {
        state = state * 1103515245u + 12345u;
        const std::size_t n = 1 + (state >> 16) % 97;
        feed(body.substr(i, n));
        i += n;
      }
      break;
    }
  }
  if (r) r = m.parser.finish();
  m.flush();
  return m.log + (r ? std::string("ok") : "error: " + r.error().message());
}

inline std::string read_data_file(const std::string& name) {
  // Under CTest LWSPP_SOURCE_DIR is set; otherwise data/ is beside this file.
  const char* src = std::getenv("LWSPP_SOURCE_DIR");
  std::string dir;
  if (src != nullptr) {
    dir = std::string(src) + "/tests/unit/http/data/";
  } else {
    const std::string here = __FILE__;
    dir = here.substr(0, here.rfind('/') + 1) + "data/";
  }
  std::ifstream f(dir + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// A captured request split into its Content-Type value and its body.
struct captured_request {
  std::string content_type;
  std::string body;
};

inline captured_request load_request(const std::string& name) {
  const std::string raw = read_data_file(name);
  captured_request req;
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return req;
  req.body = raw.substr(head_end + 4);
  const std::string key = "\r\nContent-Type: ";
  const std::size_t ct = raw.find(key);
  if (ct != std::string::npos && ct < head_end) {
    const std::size_t start = ct + key.size();
    req.content_type = raw.substr(start, raw.find("\r\n", start) - start);
  }
  return req;
}

}  // namespace form_test
