// A line protocol whose clients pipeline: each "PING\n" gets "PONG\n", any
// other line "ERR\n". The answers to the lines of one read are corked and
// leave in one write (one system call for a thousand lines, not a thousand).
// "QUIT\n" gets "BYE\n" and a half-close: the client reads BYE, then EOF;
// what it sends after that is read and not answered.
//
//   raw-line-server [port]        (default 7682; stop with Ctrl-C)
//   printf 'PING\nPING\nhello\n' | nc -N 127.0.0.1 7682
//   printf 'PING\nQUIT\nPING\n' | nc 127.0.0.1 7682     (PONG, BYE, then EOF)
#include <cstdio>
#include <string>

#include <lwspp/lwspp.hpp>

namespace {

// A line may arrive in pieces: its start waits here for the rest.
struct partial_line {
  std::string text;
};

void answer(lwspp::connection& c, std::string_view line) {
  if (c.write_shut_down()) return;  // after QUIT: nothing more to say
  if (line == "QUIT") {
    c.send("BYE\n");
    c.shutdown_write();  // BYE (and all before it) first, then FIN
    return;
  }
  c.send(line == "PING" ? "PONG\n" : "ERR\n");
}

}  // namespace

int main(int argc, char** argv) {
  lwspp::context ctx;
  auto vh = lwspp::raw::listen(
      ctx, {.listen = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "7682")},
      {.on_data =
           [](lwspp::connection& c, std::string_view bytes) {
             auto& partial = c.state_as<partial_line>();
             c.cork();
             for (std::size_t nl; (nl = bytes.find('\n')) != std::string_view::npos;) {
               if (partial.text.empty()) {
                 answer(c, bytes.substr(0, nl));
               } else {
                 partial.text.append(bytes.substr(0, nl));
                 answer(c, partial.text);
                 partial.text.clear();
               }
               bytes.remove_prefix(nl + 1);
             }
             partial.text.append(bytes);
             if (partial.text.size() > 4096) c.close();  // no line is this long
             c.uncork();
             // A client that sends faster than it reads: stop reading until
             // its answers have drained.
             if (c.buffered() > c.options().write_high_water) {
               c.pause_reading();
               c.request_writable();
             }
           },
       .on_writable = [](lwspp::connection& c) { c.resume_reading(); }});
  if (!vh) {
    std::fprintf(stderr, "raw-line-server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
