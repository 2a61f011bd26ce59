// A raw TCP or Unix-socket client: sends a message, prints the first reply.
//
//   raw-client [target] [message]
//     target   127.0.0.1:7681 (default), [::1]:7681, localhost:7681, unix:/tmp/x.sock
//     message  default "hello\n"
//
// Exits 0 when a reply came back, 1 otherwise (refused, no reply in 5 s, ...),
// with the reason on stderr.
#include <chrono>
#include <cstdio>
#include <string>

#include <lwspp/lwspp.hpp>

int main(int argc, char** argv) {
  const std::string target = argc > 1 ? argv[1] : "127.0.0.1:7681";
  const std::string message = argc > 2 ? argv[2] : "hello\n";
  constexpr auto reply_timeout = std::chrono::seconds(5);

  lwspp::context_options quiet;
  quiet.level = lwspp::log_level::warn;  // no "stopping"/"stopped" chatter on stderr
  lwspp::context ctx(quiet);
  bool replied = false;
  bool timed_out = false;

  lwspp::raw::handlers h;
  h.on_open = [&](lwspp::connection& c) { c.send(message); };
  h.on_data = [&](lwspp::connection& c, std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
    replied = true;
    c.close();  // one reply is all we wait for
  };
  h.on_close = [&](lwspp::connection&, const lwspp::close_reason& why) {
    if (timed_out) return ctx.stop();  // already reported
    if (!why.clean())
      std::fprintf(stderr, "raw-client: %s\n", why.message().c_str());
    else if (!replied)
      std::fprintf(stderr, "raw-client: closed without a reply\n");
    ctx.stop();
  };
  lwspp::connect_options opts;
  opts.connect_timeout = reply_timeout;
  // A name with IPv6 and IPv4 addresses ("localhost" on many systems): dial
  // the next address when none has connected after 250 ms (the default; 0
  // tries them one at a time).
  opts.attempt_delay = std::chrono::milliseconds(250);
  lwspp::connection_handle conn = lwspp::raw::connect(ctx, target, std::move(h), opts);

  // Bounds the wait for a reply (the connect has its own timeout above).
  lwspp::timer give_up(ctx.get_loop(), [&] {
    std::fprintf(stderr, "raw-client: no reply from %s within %lld s\n", target.c_str(),
                 static_cast<long long>(reply_timeout.count()));
    timed_out = true;
    if (!conn.abort()) ctx.stop();
  });
  give_up.arm(reply_timeout);

  ctx.run();
  return replied ? 0 : 1;
}
