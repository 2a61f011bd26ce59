// Benchmark peer: the lwspp raw echo server (the same code as
// examples/raw-echo-server), built as a bench binary so bench/run.sh can put
// it side by side with bench/uv_echo_server.cpp.
//
//   raw_echo_server [port]        (default 7681; listens on 127.0.0.1 only)
//
// One loop (one thread). Backpressure is honoured: when a reply cannot be
// written and the queue passes the high-water mark, reading stops until
// on_writable says the queue has drained.
#include <cstdio>
#include <string>

#include <lwspp/lwspp.hpp>

int main(int argc, char** argv) {
  lwspp::context ctx;
  auto vh = lwspp::raw::listen(
      ctx, {.listen = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "7681"), .backlog = 4096},
      {
          .on_data =
              [](lwspp::connection& c, std::string_view bytes) {
                if (c.send(bytes).backpressure) c.pause_reading();
              },
          .on_writable = [](lwspp::connection& c) { c.resume_reading(); },
      });
  if (!vh) {
    std::fprintf(stderr, "raw_echo_server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
