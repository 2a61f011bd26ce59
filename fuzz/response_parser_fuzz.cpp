// libFuzzer target for h1::response_parser (src/h1/response_parser*.cpp,
// src/h1/chunked_decoder.cpp, src/h1/field_lines.cpp).
//
// The first byte says how to run: its low 7 bits pick where to split the
// rest of the input (scaled to its length), its high bit whether the
// responses answer HEAD requests. The rest is a connection's bytes: fed
// whole, split in two there, and (when short) byte by byte, under the
// default limits and under small ones. Responses follow one another
// (reset() after each end) until a 101, an error or the end of the input,
// where finish() says what the close means. Every run must give the same
// log: heads, bodies (joined), trailers, ends, the error and its offset.
// The codec contract is checked along the way: consumed never exceeds the
// span, need_more consumes everything, a body piece is non-empty and inside
// the span, a Content-Length body has that length, a head's views lie inside
// raw, a status is 100-599, limits hold, finish() consumes nothing, and an
// error stays until reset(). Each span lives in its own exact-size heap
// block, so ASan reports any read past it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "h1/response_parser.hpp"

namespace {

using lwspp::h1::body_framing;
using lwspp::h1::response_event;
using lwspp::h1::response_limits;
using lwspp::h1::response_parser;
using lwspp::h1::response_step;

void check(bool ok) {
  if (!ok) std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

class runner {
 public:
  runner(const response_limits& limits, bool head_request)
      : limits_(limits), head_request_(head_request), p_(limits) {
    p_.reset(head_request);
  }

  // Feeds one span; false once the run is over (error, or after a 101).
  bool feed(std::string_view in) {
    while (!stopped_) {
      if (ended_) {
        if (in.empty()) return true;
        ended_ = false;
        p_.reset(head_request_);
      }
      const response_step s = p_.feed(in);
      check(s.consumed <= in.size());
      const std::string_view used = in.substr(0, s.consumed);
      in.remove_prefix(s.consumed);
      if (s.ev == response_event::need_more) {
        check(in.empty());
        return true;
      }
      event(s, used);
    }
    return false;
  }

  std::string finish() {
    if (!stopped_) {
      const response_step s = p_.finish();
      check(s.consumed == 0);
      log_ += "eof\n";
      event(s, {});
    }
    flush();
    return log_;
  }

 private:
  void event(const response_step& s, std::string_view span) {
    if (s.ev == response_event::body) {
      check(!s.data.empty() && inside(s.data, span));
      body_ += s.data;
      body_bytes_ += s.data.size();
      return;
    }
    flush();
    if (s.ev == response_event::head) {
      head();
    } else if (s.ev == response_event::end) {
      if (p_.framing() == body_framing::content_length) check(body_bytes_ == *p_.content_length());
      if (p_.framing() == body_framing::none) check(body_bytes_ == 0);
      check(p_.trailers().size() <= limits_.max_headers);
      for (const auto& f : p_.trailers())
        log_.append("trailer ").append(f.name).append(": ").append(f.value) += '\n';
      log_ += "end\n";
      ended_ = true;
      stopped_ = p_.head().status == 101;
    } else {
      check(s.ev == response_event::error && !p_.error_reason().empty());
      const response_step again = p_.feed("HTTP/1.1 200 OK\r\n\r\n");
      check(again.ev == response_event::error && again.consumed == 0);
      check(p_.finish().ev == response_event::error);
      log_.append("error ").append(p_.error_reason()) += " @" + std::to_string(p_.error_offset());
      stopped_ = true;
    }
  }

  void head() {
    const auto& h = p_.head();
    check(h.status >= 100 && h.status <= 599);
    check(inside(h.reason, h.raw));
    check(h.headers.size() <= limits_.max_headers);
    check(p_.chunked() == (p_.framing() == body_framing::chunked));
    if (p_.framing() == body_framing::until_close || h.status == 101) check(!p_.keep_alive());
    if (head_request_ || h.status < 200 || h.status == 204 || h.status == 304)
      check(p_.framing() == body_framing::none);
    log_ += "head " + std::to_string(h.status) + " 1." + std::to_string(h.version_minor) + " " +
            std::string(h.reason) + " framing " + std::to_string(static_cast<int>(p_.framing())) +
            (p_.keep_alive() ? " keep-alive" : " close") + '\n';
    for (const auto& f : h.headers) {
      check(inside(f.name, h.raw) && inside(f.value, h.raw));
      log_.append(" ").append(f.name).append(": ").append(f.value) += '\n';
    }
    body_bytes_ = 0;
  }

  void flush() {
    if (!body_.empty()) log_ += "body " + body_ + '\n';
    body_.clear();
  }

  response_limits limits_;
  bool head_request_;
  response_parser p_;
  std::string log_;
  std::string body_;
  std::uint64_t body_bytes_ = 0;
  bool ended_ = false;
  bool stopped_ = false;
};

std::string run(std::string_view data, const std::vector<std::size_t>& cuts,
                const response_limits& limits, bool head_request) {
  runner r(limits, head_request);
  std::size_t from = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : data.size();
    const std::size_t n = to - from;
    std::unique_ptr<char[]> span(new char[n == 0 ? 1 : n]);
    std::copy(data.data() + from, data.data() + to, span.get());
    from = to;
    if (!r.feed(std::string_view(span.get(), n))) break;
  }
  return r.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const std::size_t split = static_cast<std::size_t>(bytes[0] & 0x7f) * data.size() / 127;
  const bool head_request = (bytes[0] & 0x80) != 0;
  const response_limits small{.max_status_line = 40,
                              .max_header_bytes = 80,
                              .max_headers = 3,
                              .max_chunk_ext = 8,
                              .max_trailer_bytes = 24};
  for (const response_limits& limits : {response_limits{}, small}) {
    const std::string whole = run(data, {}, limits, head_request);
    check(run(data, {split}, limits, head_request) == whole);
    if (data.size() <= 256) {
      std::vector<std::size_t> cuts;
      for (std::size_t i = 1; i < data.size(); ++i)
        cuts.push_back(i);
      check(run(data, cuts, limits, head_request) == whole);
    }
  }
  return 0;
}
