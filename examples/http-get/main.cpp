// Fetches a URL and prints the body to stdout; with -v the status line,
// the response's fields and the time of each phase go to stderr.
//
//   http-get [options] URL
//     -v              the head and timings on stderr
//     -X METHOD       another method (GET by default)
//     -d DATA         a request body (sent with Content-Length)
//     -H "Name: value" an extra field (may be repeated)
//     -o FILE         write the body to FILE instead of stdout
//     --max-redirs N  redirects to follow (default 10; 0: none)
//     --timeout MS    a total timeout
//     --raw           do not ask for (and decode) gzip or br
//     --ca FILE       trust this CA (or self-signed certificate) for https://
//     --insecure      https:// without any certificate check (tests only)
//
// The body is streamed: large downloads use bounded memory. Exit status: 0
// for a 2xx/3xx response, 22 for 4xx/5xx (as curl -f), 1 for a failure.
//
//   http-get -v https://example.com/
//   http-get unix:/run/app.sock:/status
#include <lwspp/http_client.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace http = lwspp::http;

namespace {

int usage() {
  std::cerr << "usage: http-get [-v] [-X METHOD] [-d DATA] [-H 'Name: value']... [-o FILE]\n"
               "                [--max-redirs N] [--timeout MS] [--raw] [--ca FILE] [--insecure]"
               " URL\n";
  return 2;
}

double ms(std::chrono::microseconds us) {
  return static_cast<double>(us.count()) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  http::client_options opts;
  http::client_request req;
  bool verbose = false;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "-v") {
      verbose = true;
    } else if (a == "-X" && more) {
      req.method = argv[++i];
    } else if (a == "-d" && more) {
      req.body = argv[++i];
      if (req.method == "GET") req.method = "POST";
    } else if (a == "-H" && more) {
      const std::string h = argv[++i];
      const auto colon = h.find(':');
      if (colon == std::string::npos) return usage();
      const auto v = h.find_first_not_of(' ', colon + 1);
      req.headers.emplace_back(h.substr(0, colon), v == std::string::npos ? "" : h.substr(v));
    } else if (a == "-o" && more) {
      out_path = argv[++i];
    } else if (a == "--max-redirs" && more) {
      opts.max_redirects = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--timeout" && more) {
      opts.total_timeout = std::chrono::milliseconds(std::strtoll(argv[++i], nullptr, 10));
    } else if (a == "--raw") {
      opts.decompress = false;
    } else if (a == "--ca" && more) {
      opts.connect.tls = lwspp::tls_client_options{.ca_file = argv[++i]};
    } else if (a == "--insecure") {
      std::cerr << "http-get: WARNING: --insecure: the server's certificate is NOT checked\n";
      opts.connect.tls = lwspp::tls_client_options{.insecure_skip_verify = true};
    } else if (req.url.empty() && !a.starts_with("-")) {
      req.url = a;
    } else {
      return usage();
    }
  }
  if (req.url.empty()) return usage();
  FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "wb");
  if (!out) {
    std::perror(out_path.c_str());
    return 1;
  }

  lwspp::context ctx;
  http::client client(ctx, opts);
  int status = 1;
  http::response_handlers h;
  h.on_headers = [&](const http::client_response& r) {
    if (!verbose) return;
    std::cerr << "< HTTP/1." << r.version - 10 << ' ' << r.status << ' ' << r.reason << '\n';
    for (const auto& f : r.headers)
      std::cerr << "< " << f.name << ": " << f.value << '\n';
  };
  h.on_body = [&](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), out); };
  h.on_complete = [&](const http::client_response& r, const lwspp::error_info& why) {
    if (why.code) {
      std::cerr << "http-get: " << why.message() << '\n';
    } else {
      status = r.status >= 400 ? 22 : 0;
    }
    if (verbose) {
      const auto& t = r.timings;
      std::fprintf(stderr,
                   "* %s: %u redirect(s), %s connection; queued %.3f ms, connect %.3f ms,"
                   " first byte %.3f ms, total %.3f ms\n",
                   r.url.c_str(), r.redirects, t.reused ? "reused" : "new", ms(t.queued),
                   ms(t.connect), ms(t.first_byte), ms(t.total));
    }
    ctx.stop();
  };
  client.request(std::move(req), std::move(h));
  ctx.run();
  if (out != stdout) std::fclose(out);
  return status;
}
