// Fetches a URL and prints the body to stdout; with -v the status line,
// the response's fields and the time of each phase go to stderr.
//
//   http-get [options] URL
//     -v              the head and timings on stderr
//     -X METHOD       another method (GET by default)
//     -d DATA         a request body (sent with Content-Length)
//     --upload FILE   stream FILE as the body (PUT unless -X), read as the
//                     connection takes it (backpressure), with Content-Length
//     --chunked       with --upload: no Content-Length, chunked
//     -H "Name: value" an extra field (may be repeated)
//     -o FILE         write the body to FILE instead of stdout
//     -n N            send the request N times, one after the other, on one
//                     client (its pool reuses the connection: -v says so)
//     --max-redirs N  redirects to follow (default 10; 0: none)
//     --timeout MS    a total timeout
//     --raw           do not ask for (and decode) gzip or br
//     --http1.1       HTTP/1.1 only (https:// offers h2 by ALPN otherwise)
//     --http2-prior-knowledge  http:// over HTTP/2 from the first byte (h2c)
//     --ca FILE       trust this CA (or self-signed certificate) for https://
//     --insecure      https:// without any certificate check (tests only)
//     --proxy URL     http://, socks5:// or socks5h:// proxy for every request
//                     (default: https_proxy, http_proxy, all_proxy, no_proxy)
//
// The body is streamed both ways: large transfers use bounded memory. Exit
// status: 0 for a 2xx/3xx response, 22 for 4xx/5xx (as curl -f), 1 for a
// failure (the last that was not 0, with -n).
//
//   http-get -v https://example.com/
//   http-get unix:/run/app.sock:/status
//   http-get --upload big.iso -X POST http://127.0.0.1:8080/up
#include <lwspp/http_client.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace http = lwspp::http;

namespace {

int usage() {
  std::cerr << "usage: http-get [-v] [-X METHOD] [-d DATA | --upload FILE [--chunked]]\n"
               "                [-H 'Name: value']... [-o FILE] [-n N] [--max-redirs N]\n"
               "                [--timeout MS] [--raw] [--http1.1 | --http2-prior-knowledge]\n"
               "                [--ca FILE] [--insecure] [--proxy URL]"
               " URL\n";
  return 2;
}

double ms(std::chrono::microseconds us) {
  return static_cast<double>(us.count()) / 1000.0;
}

// A file as a request body: pieces of 64 KiB while the connection takes
// them, then it waits (source_status::more) for on_writable.
http::body_source file_source(FILE* f) {
  return [f](http::body_sink& sink) {
    char buf[64 * 1024];
    for (;;) {
      const std::size_t n = std::fread(buf, 1, sizeof buf, f);
      if (n == 0) return http::source_status::done;
      const lwspp::send_result r = sink.write(std::string_view(buf, n));
      if (!r) return http::source_status::done;  // refused: the request fails
      if (r.backpressure) return http::source_status::more;
    }
  };
}

}  // namespace

int main(int argc, char** argv) {
  http::client_options opts;
  http::client_request req;
  bool verbose = false, chunked = false;
  std::string out_path, upload_path;
  unsigned repeat = 1;
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
    } else if (a == "--upload" && more) {
      upload_path = argv[++i];
      if (req.method == "GET") req.method = "PUT";
    } else if (a == "--chunked") {
      chunked = true;
    } else if (a == "-H" && more) {
      const std::string h = argv[++i];
      const auto colon = h.find(':');
      if (colon == std::string::npos) return usage();
      const auto v = h.find_first_not_of(' ', colon + 1);
      req.headers.emplace_back(h.substr(0, colon), v == std::string::npos ? "" : h.substr(v));
    } else if (a == "-o" && more) {
      out_path = argv[++i];
    } else if (a == "-n" && more) {
      repeat = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--max-redirs" && more) {
      opts.max_redirects = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--timeout" && more) {
      opts.total_timeout = std::chrono::milliseconds(std::strtoll(argv[++i], nullptr, 10));
    } else if (a == "--raw") {
      opts.decompress = false;
    } else if (a == "--http1.1") {
      opts.http2 = http::http2_mode::off;
    } else if (a == "--http2-prior-knowledge") {
      opts.http2 = http::http2_mode::prior_knowledge;
    } else if (a == "--ca" && more) {
      opts.connect.tls = lwspp::tls_client_options{.ca_file = argv[++i]};
    } else if (a == "--insecure") {
      std::cerr << "http-get: WARNING: --insecure: the server's certificate is NOT checked\n";
      opts.connect.tls = lwspp::tls_client_options{.insecure_skip_verify = true};
    } else if (a == "--proxy" && more) {
      auto p = lwspp::parse_proxy_url(argv[++i]);
      if (!p) {
        std::cerr << "http-get: --proxy: " << p.error().message() << '\n';
        return 2;
      }
      opts.via = *p;
    } else if (req.url.empty() && !a.starts_with("-")) {
      req.url = a;
    } else {
      return usage();
    }
  }
  if (req.url.empty() || repeat == 0) return usage();
  FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "wb");
  if (!out) {
    std::perror(out_path.c_str());
    return 1;
  }
  FILE* upload = nullptr;
  if (!upload_path.empty()) {
    upload = std::fopen(upload_path.c_str(), "rb");
    if (!upload) {
      std::perror(upload_path.c_str());
      return 1;
    }
  }

  lwspp::context ctx;
  http::client client(ctx, opts);
  int status = 0;
  unsigned sent = 0;
  // Each request starts when the one before has completed.
  lwspp::unique_function<void()> next = [&] {
    http::client_request r{
        .method = req.method, .url = req.url, .headers = req.headers, .body = req.body};
    if (upload) {
      std::fseek(upload, 0, SEEK_END);
      const long size = std::ftell(upload);
      std::rewind(upload);
      r.source = file_source(upload);
      if (!chunked) r.content_length = static_cast<std::uint64_t>(size);
    }
    ++sent;
    http::response_handlers h;
    h.on_headers = [&](const http::client_response& res) {
      if (!verbose) return;
      if (res.version == 20)
        std::cerr << "< HTTP/2 " << res.status << '\n';
      else
        std::cerr << "< HTTP/1." << res.version - 10 << ' ' << res.status << ' ' << res.reason
                  << '\n';
      for (const auto& f : res.headers)
        std::cerr << "< " << f.name << ": " << f.value << '\n';
    };
    h.on_body = [&](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), out); };
    h.on_complete = [&](const http::client_response& res, const lwspp::error_info& why) {
      int s = 1;
      if (why.code)
        std::cerr << "http-get: " << why.message() << '\n';
      else
        s = res.status >= 400 ? 22 : 0;
      if (s != 0) status = s;
      if (verbose) {
        const auto& t = res.timings;
        std::fprintf(stderr,
                     "* %s: %u redirect(s), %s connection; queued %.3f ms, connect %.3f ms,"
                     " first byte %.3f ms, total %.3f ms\n",
                     res.url.c_str(), res.redirects, t.reused ? "reused" : "new", ms(t.queued),
                     ms(t.connect), ms(t.first_byte), ms(t.total));
      }
      if (sent < repeat)
        next();
      else
        ctx.stop();
    };
    client.request(std::move(r), std::move(h));
  };
  next();
  ctx.run();
  if (verbose && repeat > 1) {
    const http::client_stats st = client.stats();
    std::fprintf(stderr, "* %llu request(s), %llu connection(s) opened, %llu reused\n",
                 static_cast<unsigned long long>(st.requests),
                 static_cast<unsigned long long>(st.connections),
                 static_cast<unsigned long long>(st.reused));
  }
  if (upload) std::fclose(upload);
  if (out != stdout) std::fclose(out);
  return status;
}
