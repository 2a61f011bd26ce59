// Sends N requests at once to one URL with the HTTP client and reports each
// response: over https the client offers HTTP/2 by ALPN, and an origin that
// takes it gets one connection carrying every request (streams); in
// cleartext, --prior-knowledge speaks HTTP/2 from the first byte (h2c).
//
//   http2-client [options] URL
//     -n N               N concurrent requests (default 1)
//     -X METHOD          another method (POST when a body is given)
//     -d DATA            a request body
//     --body-size BYTES  a generated body of BYTES bytes (flow control)
//     --body-file FILE   the body read from FILE
//     -o FILE            write the (last) response's body to FILE
//     --prior-knowledge  http:// over HTTP/2 without negotiation (h2c)
//     --http1            HTTP/1.1 only
//     --ca FILE          trust this CA for https://
//     --insecure         https:// without certificate checks (tests only)
//
// One line per response on stdout: "<status> HTTP/<version> <bytes>"
// (or "failed: <why>"), then "requests <n> connections <m>". Exit status
// 0 when every request got a 2xx response, 1 otherwise.
//
//   http2-client -n 100 https://localhost:8443/
//   http2-client --prior-knowledge http://127.0.0.1:8080/
#include <lwspp/http_client.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace http = lwspp::http;

int main(int argc, char** argv) {
  http::client_options opts;
  http::client_request req;
  unsigned n = 1;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "-n" && more) {
      n = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "-X" && more) {
      req.method = argv[++i];
    } else if (a == "-d" && more) {
      req.body = argv[++i];
    } else if (a == "--body-size" && more) {
      req.body.assign(std::strtoull(argv[++i], nullptr, 10), 'x');
      for (std::size_t k = 0; k < req.body.size(); ++k)
        req.body[k] = static_cast<char>('a' + k % 26);
    } else if (a == "--body-file" && more) {
      FILE* f = std::fopen(argv[++i], "rb");
      if (!f) {
        std::perror(argv[i]);
        return 2;
      }
      char buf[65536];
      for (std::size_t k; (k = std::fread(buf, 1, sizeof buf, f)) > 0;)
        req.body.append(buf, k);
      std::fclose(f);
    } else if (a == "-o" && more) {
      out_path = argv[++i];
    } else if (a == "--prior-knowledge") {
      opts.http2 = http::http2_mode::prior_knowledge;
    } else if (a == "--http1") {
      opts.http2 = http::http2_mode::off;
    } else if (a == "--ca" && more) {
      opts.connect.tls = lwspp::tls_client_options{.ca_file = argv[++i]};
    } else if (a == "--insecure") {
      opts.connect.tls = lwspp::tls_client_options{.insecure_skip_verify = true};
    } else if (req.url.empty() && !a.starts_with("-")) {
      req.url = a;
    } else {
      std::cerr << "usage: http2-client [-n N] [-X METHOD]\n"
                   "                    [-d DATA | --body-size BYTES | --body-file FILE]\n"
                   "                    [-o FILE] [--prior-knowledge | --http1]\n"
                   "                    [--ca FILE | --insecure] URL\n";
      return 2;
    }
  }
  if (req.url.empty() || n == 0) return 2;
  if (!req.body.empty() && req.method == "GET") req.method = "POST";

  lwspp::context ctx;
  http::client client(ctx, opts);
  unsigned left = n;
  int status = 0;
  for (unsigned i = 0; i < n; ++i) {
    client.request({.method = req.method, .url = req.url, .body = req.body},
                   [&](lwspp::result<http::client_response> r) {
                     if (!r) {
                       std::printf("failed: %s\n", r.error().message().c_str());
                       status = 1;
                     } else {
                       std::printf("%d HTTP/%s %zu\n", r->status, r->version == 20 ? "2" : "1.1",
                                   r->body.size());
                       if (r->status < 200 || r->status > 299) status = 1;
                       if (!out_path.empty())
                         if (FILE* f = std::fopen(out_path.c_str(), "wb")) {
                           std::fwrite(r->body.data(), 1, r->body.size(), f);
                           std::fclose(f);
                         }
                     }
                     if (--left == 0) ctx.stop();
                   });
  }
  ctx.run();
  const http::client_stats st = client.stats();
  std::printf("requests %llu connections %llu\n", static_cast<unsigned long long>(st.requests),
              static_cast<unsigned long long>(st.connections));
  return status;
}
