// The libwebsockets test protocols of the demo site (see demo_lws.hpp).
#include "demo_lws.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "lwspp/timer.hpp"

namespace lwspp_server {
namespace {

using lwspp::ws::message_kind;
using lwspp::ws::socket;

constexpr std::string_view dumb_increment = "dumb-increment-protocol";
constexpr std::string_view mirror = "lws-mirror-protocol";
constexpr auto tick = std::chrono::milliseconds(50);

// Per dumb-increment socket: the counter and the timer that sends it. The
// timer lives in the socket's state, so it goes with the connection.
struct counter_state {
  unsigned long long n = 0;
  std::optional<lwspp::timer> t;
};

void start_counter(socket& s) {
  counter_state& st = s.state_as<counter_state>();
  st.t.emplace(s.conn().get_loop(), [h = s.handle(), &st] {
    socket* s = h.get();
    if (!s) return;
    // A peer that does not read gets no more numbers until it does.
    if (s->buffered() < 64 * 1024 && s->send(std::to_string(st.n))) ++st.n;
    st.t->arm(tick);
  });
  st.t->arm(tick);
}

}  // namespace

void add_lws_test_protocols(lwspp::http::server& app, const lwspp::ws::deflate_options& deflate) {
  // One mirror "room" per app (vhost): a topic name of its own.
  static std::atomic<int> apps{0};
  const std::string topic = "lws-mirror-" + std::to_string(++apps);
  lwspp::ws::handlers h;
  h.open = [topic](socket& s) {
    if (s.protocol() == dumb_increment) {
      start_counter(s);
    } else if (s.protocol() == mirror) {
      s.subscribe(topic);
    } else {
      s.close(lwspp::ws::close_code::policy_violation,
              "speak dumb-increment-protocol or lws-mirror-protocol");
    }
  };
  h.message = [topic](socket& s, std::string_view msg, message_kind kind) {
    if (s.protocol() == dumb_increment) {
      if (msg == "reset\n") s.state_as<counter_state>().n = 0;
      return;
    }
    if (s.protocol() == mirror) s.publish(topic, msg, kind);
  };
  // What libwebsockets' client (4.1.6) needs of a deflate server:
  // - it offers no client_max_window_bits, so its window cannot be limited:
  //   agree to a full 15-bit one (about 40 KiB to inflate), or it gets none;
  // - its mirror connection, once deflate is agreed, spins forever on a
  //   frame that is not compressed (RSV1 clear, which RFC 7692 allows):
  //   drawing commands (16 bytes and more) must be compressed;
  // - its dumb-increment connection accepts the extension in the handshake
  //   but cannot inflate (its 20-byte receive buffer is under the 128 that
  //   its deflate needs) and drops compressed frames: counters (11 digits
  //   at most) must not be. min_size 12 does both.
  // Without context takeover, one compression serves every mirror client
  // (pub/sub shares the frame).
  lwspp::ws::deflate_options z = deflate;
  z.client_max_window_bits = 15;
  z.server_no_context_takeover = true;
  z.min_size = 12;
  app.ws("/", std::move(h),
         {.protocols = {std::string(dumb_increment), std::string(mirror)},
          .max_message_size = 64 * 1024,
          .deflate = z});
}

}  // namespace lwspp_server
