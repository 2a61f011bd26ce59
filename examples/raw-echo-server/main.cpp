// The smallest lwspp server: every byte a client sends comes back.
//
//   raw-echo-server [port]        (default 7681; stop with Ctrl-C)
//   printf 'hello\n' | nc -N 127.0.0.1 7681
#include <cstdio>
#include <string>

#include <lwspp/lwspp.hpp>

int main(int argc, char** argv) {
  lwspp::context ctx;
  auto vh =
      lwspp::raw::listen(ctx, {.listen = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "7681")},
                         {
                             // A client that sends faster than it reads gets backpressure: stop
                             // reading from it until its replies have drained.
                             .on_data =
                                 [](lwspp::connection& c, std::string_view bytes) {
                                   if (c.send(bytes).backpressure) c.pause_reading();
                                 },
                             .on_writable = [](lwspp::connection& c) { c.resume_reading(); },
                         });
  if (!vh) {
    std::fprintf(stderr, "raw-echo-server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
