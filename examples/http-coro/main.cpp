// Fetches URLs one after the other with C++20 coroutines and prints the
// status and size of each: the callbacks of <lwspp/http_client.hpp> seen
// through co_await (<lwspp/coro.hpp>).
//
//   http-coro URL...
#include <lwspp/coro.hpp>
#include <lwspp/http_client.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

// Everything the coroutine needs is taken by value or outlives it (the
// client and context live in main until run() returns).
lwspp::detached fetch_all(lwspp::http::client& http, lwspp::context& ctx,
                          std::vector<std::string> urls, int& failures) {
  for (const std::string& url : urls) {
    auto r = co_await http.get(url);
    if (r)
      std::printf("%d %zu %s\n", r->status, r->body.size(), url.c_str());
    else
      std::printf("failed %s: %s\n", url.c_str(), r.error().message().c_str());
    failures += r ? 0 : 1;
  }
  ctx.stop();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: http-coro URL...\n");
    return 2;
  }
  lwspp::context ctx;
  lwspp::http::client http(ctx);
  int failures = 0;
  // Started on the loop thread, where the client's callbacks run.
  ctx.get_loop().post([&] { fetch_all(http, ctx, {argv + 1, argv + argc}, failures); });
  ctx.run();
  return failures == 0 ? 0 : 1;
}
