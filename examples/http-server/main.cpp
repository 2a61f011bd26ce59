// A small HTTP/1.1 server: a hello route, a route reading a query
// parameter, and static files from a directory.
//
//   http-server [port] [directory]     (defaults: 8080, .)
//   curl http://127.0.0.1:8080/hello
//   curl 'http://127.0.0.1:8080/greet?name=Ada'
#include <lwspp/http_server.hpp>

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "8080";
  const std::string root = argc > 2 ? argv[2] : ".";

  lwspp::context ctx;
  lwspp::http::server app;
  app.get("/hello", [](auto&, auto& res) { res.send("Hello, world!"); });
  app.get("/greet", [](lwspp::http::request& req, lwspp::http::response& res) {
    res.send("Hello, " + req.query_param("name") + "!\n");
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
