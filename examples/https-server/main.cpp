// An HTTPS server: the hello route over TLS, with a certificate from PEM
// files, or a self-signed one made on first run for trying it out. It tells
// each client what its handshake negotiated. HTTP/2 is offered by ALPN
// ahead of HTTP/1.1; the same handlers answer both.
//
//   https-server [port] [cert.pem key.pem]        (default 8443; self-signed)
//   curl --cacert https-server-cert.pem https://localhost:8443/hello
//   curl --cacert https-server-cert.pem https://localhost:8443/tls            (alpn=h2)
//   curl --http1.1 --cacert https-server-cert.pem https://localhost:8443/tls  (alpn=http/1.1)
//   kill -HUP <pid>                               reloads the certificate files
#include <lwspp/http_server.hpp>
#include <lwspp/tls.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "8443";
  std::string cert = argc > 3 ? argv[2] : "https-server-cert.pem";
  std::string key = argc > 3 ? argv[3] : "https-server-key.pem";
  if (argc <= 3 && !std::filesystem::exists(cert)) {
    // Development only: browsers and curl trust it only when told to.
    if (auto made = lwspp::tls::make_self_signed(cert, key); !made) {
      std::cerr << "https-server: " << made.error().message() << "\n";
      return 1;
    }
    std::cout << "made a self-signed certificate: " << cert << std::endl;
  }

  lwspp::context ctx;
  lwspp::http::server app;
  app.get("/hello", [](auto&, auto& res) { res.send("Hello, world!"); });
  app.get("/tls", [](lwspp::http::request& req, lwspp::http::response& res) {
    const lwspp::connection& c = req.conn();
    res.send(std::string(c.tls_version()) + " " + std::string(c.tls_cipher()) +
             " alpn=" + std::string(c.tls_alpn()) + " sni=" + std::string(c.tls_server_name()) +
             (c.tls_resumed() ? " resumed" : "") + "\n");
  });

  auto vh = app.listen(
      ctx, {.listen = "127.0.0.1:" + port,
            .tls = lwspp::tls_server_options{.certificates = {{.cert_file = cert, .key_file = key}},
                                             .alpn = {"h2", "http/1.1"}}});
  if (!vh) {
    std::cerr << "https-server: " << vh.error().message() << "\n";
    return 1;
  }
  std::cout << "serving on https://localhost:" << (*vh)->bound_address().port() << "/" << std::endl;
  ctx.handle_signals([&] {
    auto r = (*vh)->reload_tls();
    std::cout << (r ? "certificate reloaded" : "reload failed: " + r.error().message())
              << std::endl;
  });
  ctx.run();
}
