// A small HTTP server (HTTP/1.1, and HTTP/2 for clients that open with its
// preface): a hello route, a route reading a query parameter, a streamed
// response with a trailer, and static files from a directory.
//
//   http-server [port] [directory]     (defaults: 8080, .)
//   curl http://127.0.0.1:8080/hello
//   curl 'http://127.0.0.1:8080/greet?name=Ada'
//   curl --raw http://127.0.0.1:8080/count           (the trailer after the last chunk)
//   curl --http2-prior-knowledge -D - http://127.0.0.1:8080/count
#include <lwspp/http_server.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "8080";
  const std::string root = argc > 2 ? argv[2] : ".";

  lwspp::context ctx;
  lwspp::http::server app;
  app.get("/hello", [](auto&, auto& res) { res.send("Hello, world!"); });
  app.get("/greet", [](lwspp::http::request& req, lwspp::http::response& res) {
    res.send("Hello, " + req.query_param("name") + "!\n");
  });
  // Streamed without a length, so the sum of what went out can follow the
  // body as a trailer (HTTP/1.1 chunked, or a last HEADERS frame on HTTP/2).
  app.get("/count", [](lwspp::http::request&, lwspp::http::response& res) {
    int sum = 0;
    for (int i = 1; i <= 5; ++i) {
      res.write(std::to_string(i) + "\n");
      sum += i;
    }
    res.trailer("x-sum", std::to_string(sum));
    res.end();
  });
  app.mount("/", {.root = root});

  auto vh = app.listen(ctx, {.listen = "127.0.0.1:" + port});
  if (!vh) {
    std::cerr << "http-server: " << vh.error().message() << "\n";
    return 1;
  }
  std::cout << "serving " << root << " on http://" << (*vh)->bound_address().to_string() << "\n";
  ctx.handle_signals();
  ctx.run();
}
