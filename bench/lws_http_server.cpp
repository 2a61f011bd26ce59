// Benchmark peer: a minimal HTTP/1.1 and HTTP/2 server on libwebsockets
// (Debian's libwebsockets-dev, linked through pkg-config), for
// bench/http_run.sh and bench/h2_run.sh.
//
//   lws_http_server PORT STATIC_DIR [--serv-buf BYTES] [--two-writes]
//                   [--cert PEM --key PEM] [--h2c]
//
// --cert/--key serve TLS with ALPN "h2,http/1.1" (lws's h2 role, built into
// Debian's package). --h2c treats every cleartext connection as HTTP/2 with
// prior knowledge (lws's LWS_SERVER_OPTION_H2_PRIOR_KNOWLEDGE): an HTTP/1.1
// client is then refused, so it is an option, not the default.
//
// Listens on 127.0.0.1:PORT with one service thread (lws's default event
// loop, poll()) and answers
//   GET /hello          200 "Hello, world!" (13 bytes, text/plain, keep-alive)
//   GET /static/<file>  <file> from STATIC_DIR (an lws file mount; .bin is
//                       added to its types as application/octet-stream)
//   anything else       404
// Idle keep-alive connections are kept for 600 s (lws's default is 5 s,
// which would close the benchmark's idle connections under it).
//
// /hello is answered from LWS_CALLBACK_HTTP with one lws_write of the status
// line, headers and body together, which is lws's advice for small replies
// (one write per callback). --two-writes uses the shape of lws's dynamic
// minimal example instead: headers written in LWS_CALLBACK_HTTP, the body in
// the LWS_CALLBACK_HTTP_WRITEABLE that follows. An h2 stream always takes
// the two-write shape: on h2 lws encodes the headers with HPACK and sends them
// as a HEADERS frame (LWS_WRITE_HTTP_HEADERS), so they cannot share one
// write with the body the way h1's text headers can.
//
// --serv-buf sets pt_serv_buf_size, the per-thread buffer lws reads file
// chunks into (lws's default is 4096 bytes; http_run.sh passes 65536 so a
// 1 MiB file is not sent in 256 pieces). It is per thread, not per
// connection, so it does not change the memory per idle connection.
//
// Written for the benchmark from the lws API headers; SIGINT/SIGTERM stop it.
#include <libwebsockets.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
bool g_two_writes = false;

// An h2 stream is a child of the network connection's wsi; an h1
// connection is its own network wsi.
bool is_h2_stream(struct lws* wsi) {
  return lws_get_network_wsi(wsi) != wsi;
}

bool two_writes(struct lws* wsi) {
  return g_two_writes || is_h2_stream(wsi);
}

void on_signal(int) {
  g_interrupted = 1;
}

constexpr char hello_body[] = "Hello, world!";
constexpr std::size_t hello_len = sizeof hello_body - 1;

// Ends the transaction: keep the connection for the next request, or close.
int transaction_done(struct lws* wsi) {
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int on_http(struct lws* wsi, const char* path) {
  if (std::strcmp(path, "/hello") != 0) {
    lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, nullptr);
    return transaction_done(wsi);
  }
  unsigned char buf[LWS_PRE + 512];
  unsigned char* const start = &buf[LWS_PRE];
  unsigned char* p = start;
  unsigned char* const end = &buf[sizeof buf - 1];
  if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/plain", hello_len, &p, end)) return 1;
  if (two_writes(wsi)) {
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return 1;
    lws_callback_on_writable(wsi);
    return 0;
  }
  if (lws_finalize_http_header(wsi, &p, end)) return 1;
  if (static_cast<std::size_t>(end - p) < hello_len) return 1;
  std::memcpy(p, hello_body, hello_len);
  p += hello_len;
  const int n = static_cast<int>(p - start);
  if (lws_write(wsi, start, static_cast<std::size_t>(n), LWS_WRITE_HTTP_FINAL) != n) return -1;
  return transaction_done(wsi);
}

int callback_http(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in,
                  std::size_t len) {
  switch (reason) {
    case LWS_CALLBACK_HTTP:
      return on_http(wsi, static_cast<const char*>(in));
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      if (!two_writes(wsi)) break;
      unsigned char buf[LWS_PRE + hello_len];
      std::memcpy(&buf[LWS_PRE], hello_body, hello_len);
      if (lws_write(wsi, &buf[LWS_PRE], hello_len, LWS_WRITE_HTTP_FINAL) !=
          static_cast<int>(hello_len))
        return -1;
      return transaction_done(wsi);
    }
    default:
      break;
  }
  // File mounts, connection bookkeeping and the rest: lws's stock handler.
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const struct lws_protocols protocols[] = {
    {"http", callback_http, 0, 0, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: lws_http_server PORT STATIC_DIR [--serv-buf BYTES] [--two-writes]\n"
               "                       [--cert PEM --key PEM] [--h2c]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) usage();
  const int port = std::atoi(argv[1]);
  const std::string dir = argv[2];
  unsigned serv_buf = 0;  // 0: lws's default
  std::string cert, key;
  bool h2c = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--two-writes")
      g_two_writes = true;
    else if (a == "--h2c")
      h2c = true;
    else if (a == "--cert" && i + 1 < argc)
      cert = argv[++i];
    else if (a == "--key" && i + 1 < argc)
      key = argv[++i];
    else if (a == "--serv-buf" && i + 1 < argc)
      serv_buf = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    else
      usage();
  }
  if (port <= 0 || port > 65535 || cert.empty() != key.empty() || (h2c && !cert.empty())) usage();

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  lws_set_log_level(LLL_ERR | LLL_WARN, nullptr);

  // lws refuses (415) files whose type it cannot tell from the extension;
  // the benchmark's file is 1m.bin.
  struct lws_protocol_vhost_options bin_type = {nullptr, nullptr, ".bin",
                                                "application/octet-stream"};

  struct lws_http_mount static_mount;
  std::memset(&static_mount, 0, sizeof static_mount);
  static_mount.mountpoint = "/static";
  static_mount.mountpoint_len = static_cast<unsigned char>(std::strlen("/static"));
  static_mount.origin = dir.c_str();
  static_mount.def = "index.html";
  static_mount.origin_protocol = LWSMPRO_FILE;
  static_mount.extra_mimetypes = &bin_type;

  struct lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = port;
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  info.mounts = &static_mount;
  info.count_threads = 1;
  info.keepalive_timeout = 600;
  info.pt_serv_buf_size = serv_buf;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
  if (!cert.empty()) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = cert.c_str();
    info.ssl_private_key_filepath = key.c_str();
    info.alpn = "h2,http/1.1";
  }
  if (h2c) info.options |= LWS_SERVER_OPTION_H2_PRIOR_KNOWLEDGE;

  struct lws_context* context = lws_create_context(&info);
  if (!context) {
    std::fprintf(stderr, "lws_http_server: lws_create_context failed\n");
    return 1;
  }
  int n = 0;
  while (n >= 0 && !g_interrupted)
    n = lws_service(context, 0);
  lws_context_destroy(context);
  return 0;
}
