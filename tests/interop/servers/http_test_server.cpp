// The HTTP/1.1 server under test for tests/interop/http_*.sh: curl, Python's
// http.client, wrk and headless Chromium talk to it.
//
//   http_test_server PORT_FILE DOCROOT [AUTHFILE] [ACCESSLOG]
//
// Listens on 127.0.0.1:0 (two loops) and writes the bound port to PORT_FILE
// (written to PORT_FILE.tmp, then renamed, so a reader never sees half of it).
// Every response carries "x-served-by: lwspp-test". It serves:
//
//   GET  /hello        200 "Hello, world!" (text/plain)
//   POST /echo         the request body back, with the request's Content-Type
//                      (application/octet-stream without one); up to 64 MiB
//   PUT|POST /upload   streamed: counts the body as it arrives and answers
//                      "length=N sum=S\n" (S: the sum of all bytes mod 2^32)
//   GET  /chunked      a chunked response: "chunk 0\n" … "chunk N-1\n"
//                      (N from ?n=, default 3)
//   GET  /slow         "slow done\n", answered 200 ms later from a timer
//   GET  /stats        "accepted=A open=O\n": connections accepted / open now
//   /static/*          DOCROOT, Cache-Control: max-age=60
//   /list/*            DOCROOT with directory listings (no index file)
//   /private/*         DOCROOT behind basic auth from AUTHFILE (when given)
// 404s use DOCROOT/404.html when it exists; the access log (combined
// format) goes to ACCESSLOG when given. SIGTERM/SIGINT stop it gracefully.
//
// With LWSPP_TEST_TLS_CERT and LWSPP_TEST_TLS_KEY (PEM files) set, the same
// routes are also served over TLS on a second port, written to PORT_FILE.tls
// (ALPN offers h2 and http/1.1). LWSPP_TEST_HTTP2=0 turns HTTP/2 off.
// LWSPP_TEST_HEADER_TIMEOUT_MS sets server_options::header_timeout (a test
// of the timeout need not wait the default 10 s).
#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>
#include <lwspp/timer.hpp>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_set>

namespace {

using lwspp::http::request;
using lwspp::http::response;

std::atomic<lwspp::vhost*> the_vhost{nullptr};

// What the streamed /upload handler counts, per request.
struct upload_state {
  std::uint64_t length = 0;
  std::uint32_t sum = 0;
};

// A /slow response waiting for its timer. Lives on the connection's loop;
// deletes itself after firing. Those still pending when the server stops are
// deleted after run() returns (the loops are stopped then, not destroyed).
struct delayed_reply;
std::mutex pending_mu;
std::unordered_set<delayed_reply*> pending;

struct delayed_reply {
  lwspp::timer t;
  lwspp::http::response_handle h;

  delayed_reply(lwspp::loop& l, lwspp::http::response_handle handle)
      : t(l, &delayed_reply::fire, this), h(std::move(handle)) {
    std::lock_guard lock(pending_mu);
    pending.insert(this);
  }
  static void fire(void* p) {
    auto* self = static_cast<delayed_reply*>(p);
    self->h.send(200, "slow done\n", "text/plain; charset=utf-8");
    self->t.owner().defer([self] {
      {
        std::lock_guard lock(pending_mu);
        pending.erase(self);
      }
      delete self;
    });
  }
};

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

lwspp::http::handler upload_handler() {
  return {
      .on_body =
          [](request& req, response&, std::string_view piece) {
            upload_state& s = req.state_as<upload_state>();
            s.length += piece.size();
            for (const char c : piece)
              s.sum += static_cast<unsigned char>(c);
          },
      .on_body_end =
          [](request& req, response& res) {
            const upload_state& s = req.state_as<upload_state>();
            res.send("length=" + std::to_string(s.length) + " sum=" + std::to_string(s.sum) + "\n");
          },
      .max_body = std::uint64_t{256} << 20,
  };
}

// Writes the port to path.tmp, then renames it: a reader never sees half of it.
bool write_port(const std::string& path, unsigned port) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f || std::fprintf(f, "%u\n", port) < 0 || std::fclose(f) != 0 ||
      std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::perror("http_test_server: writing the port file");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: http_test_server PORT_FILE DOCROOT [AUTHFILE] [ACCESSLOG]\n");
    return 2;
  }
  const std::string port_file = argv[1];
  const std::string docroot = argv[2];
  const std::string authfile = argc > 3 ? argv[3] : "";
  const std::string accesslog = argc > 4 ? argv[4] : "";

  lwspp::http::server_options so;
  so.response_headers.emplace_back("x-served-by", "lwspp-test");
  if (is_file(docroot + "/404.html")) so.error_pages.emplace_back(404, docroot + "/404.html");
  so.access_log = accesslog;
  if (const char* h2 = std::getenv("LWSPP_TEST_HTTP2"); h2 && std::string_view(h2) == "0")
    so.http2 = false;
  if (const char* t = std::getenv("LWSPP_TEST_HEADER_TIMEOUT_MS"))
    so.header_timeout = std::chrono::milliseconds(std::atoi(t));

  lwspp::context ctx({.loops = 2, .level = lwspp::log_level::warn});
  lwspp::http::server app(std::move(so));

  app.get("/hello", [](request&, response& res) { res.send("Hello, world!"); });

  app.route(lwspp::http::method::post, "/echo",
            {.on_request =
                 [](request& req, response& res) {
                   const std::string_view type = req.header("content-type");
                   res.content_type(type.empty() ? "application/octet-stream" : type);
                   res.send(req.body());
                 },
             .max_body = std::uint64_t{64} << 20});

  app.route(lwspp::http::method::put, "/upload", upload_handler());
  app.route(lwspp::http::method::post, "/upload", upload_handler());

  app.get("/chunked", [](request& req, response& res) {
    int n = 3;
    if (const std::string q = req.query_param("n"); !q.empty()) n = std::stoi(q);
    res.content_type("text/plain; charset=utf-8");
    for (int i = 0; i < n; ++i)
      res.write("chunk " + std::to_string(i) + "\n");
    res.end();
  });

  // A streamed response with trailers (HTTP/2: HEADERS after the DATA;
  // HTTP/1.1: the chunked trailer section).
  app.get("/trailers", [](request&, response& res) {
    res.content_type("text/plain");
    res.write("part one\n");
    res.write("part two\n");
    res.trailer("x-checksum", "sha256=abc").trailer("grpc-status", "0");
    res.end();
  });

  app.get("/slow", [](request& req, response& res) {
    auto* d = new delayed_reply(req.conn().get_loop(), res.handle());
    d->t.arm(std::chrono::milliseconds(200));
  });

  app.get("/stats", [](request&, response& res) {
    const lwspp::vhost* vh = the_vhost.load();
    res.send("accepted=" + std::to_string(vh ? vh->accepted_total() : 0) +
             " open=" + std::to_string(vh ? vh->connection_count() : 0) + "\n");
  });

  app.mount("/static", {.root = docroot, .cache_control = "max-age=60"});
  app.mount("/list", {.root = docroot, .index = "", .directory_listing = true});
  if (!authfile.empty())
    app.mount("/private", {.root = docroot, .auth = {.credentials_file = authfile}});

  auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
  if (!vh) {
    std::fprintf(stderr, "http_test_server: %s\n", vh.error().message().c_str());
    return 1;
  }
  the_vhost = *vh;

  const char* cert = std::getenv("LWSPP_TEST_TLS_CERT");
  const char* key = std::getenv("LWSPP_TEST_TLS_KEY");
  if (cert && key) {
    lwspp::tls_server_options tls;
    tls.certificates.push_back({.cert_file = cert, .key_file = key});
    auto tvh = app.listen(ctx, {.name = "tls", .listen = "127.0.0.1:0", .tls = std::move(tls)});
    if (!tvh) {
      std::fprintf(stderr, "http_test_server: TLS: %s\n", tvh.error().message().c_str());
      return 1;
    }
    // Written first: the plain port file is what the scripts wait for.
    if (!write_port(port_file + ".tls", (*tvh)->bound_address().port())) return 1;
  }
  if (!write_port(port_file, (*vh)->bound_address().port())) return 1;
  std::fprintf(stderr, "http_test_server: listening on %s\n",
               (*vh)->bound_address().to_string().c_str());

  ctx.handle_signals();
  const int rc = ctx.run();
  std::lock_guard lock(pending_mu);
  for (delayed_reply* d : pending)
    delete d;
  pending.clear();
  return rc;
}
