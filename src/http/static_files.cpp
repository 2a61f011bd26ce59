// Static files for a mount: safe resolution under the root, index files,
// conditional requests (ETag, Last-Modified → 304/412), Range (206/416,
// multipart/byteranges for several ranges), pre-compressed .br/.gz
// siblings, on-the-fly gzip/brotli for compressible types, an optional
// directory listing, and sendfile for whole files and single ranges.
#include "http/static_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <vector>

#include "http/accept_encoding.hpp"
#include "http/compressor.hpp"
#include "http/dispatch.hpp"
#include "http/etag.hpp"
#include "http/http_date.hpp"
#include "http/mime_types.hpp"
#include "http/range.hpp"
#include "util/ascii.hpp"

namespace lwspp::http::detail {

namespace {

// Files are read in pieces of this size when they cannot go by sendfile
// (compressed on the fly, or several ranges).
constexpr std::size_t piece_size = 64 * 1024;
// Below this size compression saves too little to be worth a chunked response.
constexpr std::uint64_t compress_min = 256;
constexpr std::uint64_t brotli_on_the_fly_max = 256 * 1024;

std::optional<std::string_view> header_opt(const request& req, std::string_view name) {
  const std::string_view v = req.header(name);
  if (v.empty()) return std::nullopt;
  return v;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string url_escape(std::string_view s) {
  std::string out;
  util::append_percent_encoded_path(out, s);
  return out;
}

// The ETag of a coded representation differs from the file's (RFC 9110
// §8.8.3): the coding goes inside the quotes.
std::string coded_etag(std::string_view tag, content_coding c) {
  std::string out(tag);
  if (out.size() >= 2 && out.back() == '"') {
    out.pop_back();
    out += c == content_coding::br ? "-br\"" : "-gz\"";
  }
  return out;
}

// A body read from the file piece by piece and written with backpressure:
// on-the-fly compression, or the parts of a multipart/byteranges response.
struct piece_writer {
  exchange* ex = nullptr;  // valid while the response is open
  opened_file file;
  std::unique_ptr<compressor> zip;  // null: bytes go out as they are
  struct segment {
    std::string prefix;  // written before the file bytes (a part head)
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };
  std::vector<segment> segments;
  std::string trailer;  // written after the last segment
  std::size_t index = 0;
  std::uint64_t done = 0;  // of the current segment
  std::string out;

  // Writes until the transport pushes back or the body is complete.
  static void pump(std::shared_ptr<piece_writer> self, response& res) {
    piece_writer& w = *self;
    char buf[piece_size];
    while (!res.ended()) {
      w.out.clear();
      bool last = false;
      if (w.index < w.segments.size()) {
        segment& s = w.segments[w.index];
        if (w.done == 0 && !s.prefix.empty()) w.out += s.prefix;
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(s.length - w.done, sizeof buf));
        const ssize_t n =
            want ? ::pread(w.file.fd(), buf, want, static_cast<off_t>(s.offset + w.done)) : 0;
        if (n < 0 || (want > 0 && n == 0)) {
          // The file shrank or failed under us: the response cannot be
          // completed, and ending it would pass a short body off as whole.
          w.ex->conn().abort();
          return;
        }
        w.done += static_cast<std::uint64_t>(n);
        if (w.zip) {
          if (!w.zip->write({buf, static_cast<std::size_t>(n)}, w.out, false)) {
            w.ex->conn().abort();
            return;
          }
        } else {
          w.out.append(buf, static_cast<std::size_t>(n));
        }
        if (w.done == s.length) {
          ++w.index;
          w.done = 0;
        }
      }
      if (w.index == w.segments.size()) {
        last = true;
        if (w.zip) w.zip->write({}, w.out, true);
        w.out += w.trailer;
      }
      const send_result r = res.write(w.out);
      if (!r) return;
      if (last) {
        res.end();
        return;
      }
      if (r.backpressure) {
        res.on_writable([self](response& again) { pump(self, again); });
        return;
      }
    }
  }
};

void send_listing(exchange& ex, const opened_file& dir) {
  std::vector<std::pair<std::string, bool>> entries;  // name, is directory
  const int fd = ::openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
  if (!d) {
    if (fd >= 0) ::close(fd);
    send_error(ex, 403);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.empty() || name[0] == '.') continue;  // dotfiles stay hidden, as when served
    entries.emplace_back(std::string(name), e->d_type == DT_DIR);
  }
  ::closedir(d);
  std::sort(entries.begin(), entries.end());
  const std::string title = html_escape(ex.req.path());
  std::string body = "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Index of " + title +
                     "</title>\n<h1>Index of " + title +
                     "</h1>\n<ul>\n<li><a href=\"../\">../</a>\n";
  for (const auto& [name, is_dir] : entries) {
    const std::string shown = name + (is_dir ? "/" : "");
    body +=
        "<li><a href=\"" + html_escape(url_escape(shown)) + "\">" + html_escape(shown) + "</a>\n";
  }
  body += "</ul>\n";
  ex.res.content_type("text/html; charset=utf-8").send(body);
}

// Tries "<path>.br" / "<path>.gz" next to the file, as the client accepts.
bool try_precompressed(exchange& ex, const mount_rule& m, std::string_view path,
                       std::string_view type) {
  const std::string_view accept = ex.req.header("accept-encoding");
  if (accept.empty()) return false;
  const resolve_options ro{.allow_symlinks_out = m.opts.symlinks_outside_root};
  opened_file br, gz;
  available_codings have;
  br = resolve_under_root(*m.root, std::string(path) + ".br", ro);
  have.br = br.status == file_status::ok;
  gz = resolve_under_root(*m.root, std::string(path) + ".gz", ro);
  have.gzip = gz.status == file_status::ok;
  if (!have.br && !have.gzip) return false;
  const auto chosen = choose_content_coding(accept, have);
  if (!chosen || *chosen == content_coding::identity) return false;
  opened_file& f = *chosen == content_coding::br ? br : gz;
  response& res = ex.res;
  const etag tag = make_etag(f.st);
  res.header("etag", coded_etag(tag.view(), *chosen));
  res.header("content-encoding", to_string(*chosen));
  res.header("content-type", type);
  const std::uint64_t size = static_cast<std::uint64_t>(f.st.st_size);
  res.content_length(size);
  ex.write_file(f.release(), 0, size);
  return true;
}

void serve_file(exchange& ex, const mount_rule& m, opened_file file, std::string_view path) {
  request& req = ex.req;
  response& res = ex.res;
  const std::string_view type = content_type_for(path);
  const std::uint64_t size = static_cast<std::uint64_t>(file.st.st_size);
  const etag tag = make_etag(file.st);
  const std::time_t mtime = file.st.st_mtime;
  char date[http_date_length];
  format_http_date(mtime, std::span<char, http_date_length>(date, http_date_length));
  const std::string_view last_modified(date, http_date_length);

  const bool compressible = compressible_type(type);
  if (!m.opts.cache_control.empty()) res.header("cache-control", m.opts.cache_control);
  if (compressible && (m.opts.compress || m.opts.precompressed))
    res.header("vary", "accept-encoding");
  res.header("last-modified", last_modified);

  const conditional_request cond{
      .if_match = header_opt(req, "if-match"),
      .if_none_match = header_opt(req, "if-none-match"),
      .if_modified_since = header_opt(req, "if-modified-since"),
      .if_unmodified_since = header_opt(req, "if-unmodified-since"),
      .get_or_head = true,
  };
  switch (evaluate_preconditions(cond, {.etag = tag.view(), .last_modified = mtime})) {
    case precondition::not_modified:
      res.header("etag", tag.view());
      res.status(304);
      res.send(std::string_view{});
      return;
    case precondition::failed:
      send_error(ex, 412);
      return;
    case precondition::proceed:
      break;
  }

  const std::string_view range_field = req.header("range");
  const bool wants_range =
      !range_field.empty() &&
      (req.header("if-range").empty() ||
       if_range_matches(req.header("if-range"), tag.view(), mtime, std::time(nullptr)));

  if (!wants_range) {
    if (m.opts.precompressed && compressible && try_precompressed(ex, m, path, type)) return;
    const std::string_view accept = req.header("accept-encoding");
    if (m.opts.compress && compressible && size >= compress_min && size <= m.opts.compress_max &&
        !accept.empty()) {
      // A brotli encoder holds 1-4 MiB while it runs, a gzip one 256 KiB
      // (docs/compression.md): brotli on the fly only for small files, whose
      // streams are short-lived; large ones are better pre-compressed.
      const bool br_ok = coding_available(content_coding::br) && size <= brotli_on_the_fly_max;
      const auto chosen = choose_content_coding(accept, {.br = br_ok, .gzip = true});
      if (chosen && *chosen != content_coding::identity) {
        auto zip = compressor::make(*chosen);
        if (zip) {
          res.header("etag", coded_etag(tag.view(), *chosen));
          res.header("content-encoding", to_string(*chosen));
          res.header("content-type", type);
          if (req.verb() == method::head) {
            // The head GET would get (chunked, coded), without compressing
            // a body nobody receives.
            res.write({});
            res.end();
            return;
          }
          auto w = std::make_shared<piece_writer>();
          w->ex = &ex;
          w->file = std::move(file);
          w->zip = std::move(zip);
          w->segments.push_back({.prefix = {}, .offset = 0, .length = size});
          piece_writer::pump(std::move(w), res);
          return;
        }
      }
    }
  }

  res.header("etag", tag.view());
  res.header("accept-ranges", "bytes");
  if (wants_range) {
    const range_set ranges = parse_range(range_field, size);
    if (ranges.status() == range_status::unsatisfiable) {
      res.header("content-range", "bytes */" + std::to_string(size));
      send_error(ex, 416);
      return;
    }
    if (ranges.status() == range_status::partial && ranges.size() == 1) {
      const byte_range& r = ranges[0];
      res.status(206);
      res.header("content-type", type);
      res.header("content-range", "bytes " + std::to_string(r.offset) + "-" +
                                      std::to_string(r.last()) + "/" + std::to_string(size));
      res.content_length(r.length);
      ex.write_file(file.release(), r.offset, r.length);
      return;
    }
    if (ranges.status() == range_status::partial) {
      // Several ranges: multipart/byteranges (RFC 9110 §14.6).
      static constexpr std::string_view boundary = "lwspp-byteranges-3d6b1f";
      auto w = std::make_shared<piece_writer>();
      std::uint64_t total = 0;
      for (const byte_range& r : ranges) {
        std::string head = "\r\n--" + std::string(boundary) +
                           "\r\ncontent-type: " + std::string(type) + "\r\ncontent-range: bytes " +
                           std::to_string(r.offset) + "-" + std::to_string(r.last()) + "/" +
                           std::to_string(size) + "\r\n\r\n";
        total += head.size() + r.length;
        w->segments.push_back({.prefix = std::move(head), .offset = r.offset, .length = r.length});
      }
      w->trailer = "\r\n--" + std::string(boundary) + "--\r\n";
      total += w->trailer.size();
      w->file = std::move(file);
      w->ex = &ex;
      res.status(206);
      res.header("content-type", "multipart/byteranges; boundary=" + std::string(boundary));
      res.content_length(total);
      if (req.verb() == method::head) {
        res.end();
        return;
      }
      piece_writer::pump(std::move(w), res);
      return;
    }
  }
  res.header("content-type", type);
  res.content_length(size);
  ex.write_file(file.release(), 0, size);
}

}  // namespace

void serve_static(exchange& ex, const mount_rule& m) {
  const std::string_view sub = ex.req.subpath();
  const resolve_options ro{.allow_symlinks_out = m.opts.symlinks_outside_root};
  opened_file f = resolve_under_root(*m.root, sub, ro);
  switch (f.status) {
    case file_status::ok:
      serve_file(ex, m, std::move(f), sub);
      return;
    case file_status::is_directory: {
      if (ex.req.path().back() != '/') {
        // "/dir" → "/dir/", so that relative links inside resolve. The
        // request's path, not the subpath: for the mount's own root
        // ("/static") the subpath is already "/".
        std::string location = url_escape(ex.req.path()) + "/";
        if (!ex.req.query().empty()) location += "?" + std::string(ex.req.query());
        ex.res.redirect(301, location);
        return;
      }
      if (!m.opts.index.empty()) {
        const std::string index_path = std::string(sub) + m.opts.index;
        opened_file index = resolve_under_root(*m.root, index_path, ro);
        if (index.status == file_status::ok) {
          serve_file(ex, m, std::move(index), index_path);
          return;
        }
      }
      if (m.opts.directory_listing) {
        send_listing(ex, f);
        return;
      }
      send_error(ex, 403);
      return;
    }
    case file_status::not_found:
    case file_status::forbidden:
    case file_status::error:
      send_error(ex, http_status(f.status));
      return;
  }
}

}  // namespace lwspp::http::detail
