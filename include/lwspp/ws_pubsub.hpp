// WebSocket pub/sub: publish a message to every socket subscribed to a
// topic, on every service loop of a context.
//
//   s.subscribe("news");                                  // loop thread (a handler)
//   lwspp::ws::publish(ctx, "news", "hello everyone");    // any thread
//
// A message is framed once (and compressed once per distinct set of
// permessage-deflate parameters, for subscribers without context takeover)
// and handed to each loop that has subscribers as one task; each loop writes
// the same immutable buffer to its subscribers (queued by reference when a
// socket cannot take it at once). Subscribers over their backpressure limit
// get the route's policy: refuse skips this message for them (counted),
// close_policy / close_try_again_later close them. A closing socket leaves
// its topics by itself. Details: docs/websocket.md#pubsub.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwspp/ws.hpp"

namespace lwspp {
class context;
}

namespace lwspp::ws {

// Counters of a context's pub/sub, since it started.
struct pubsub_stats {
  std::uint64_t published = 0;  // publish calls that found at least one subscriber
  std::uint64_t delivered = 0;  // messages written or queued to a subscriber
  // Messages a subscriber did not get: over its backpressure limit under
  // backpressure_policy::refuse, in the middle of its own send_fragment
  // message, or past its connection's write_limit.
  std::uint64_t skipped = 0;
  std::uint64_t closed = 0;       // slow subscribers closed by a closing policy
  std::size_t topics = 0;         // topics with at least one subscriber now
  std::size_t subscriptions = 0;  // (socket, topic) pairs now
};

// Sends `data` to every socket subscribed to `topic` in ctx. Any thread
// (also a handler on a loop thread: that loop's subscribers get it before
// publish returns, the other loops' soon after). Messages published from
// one thread reach each subscriber in the order they were published.
// Returns the number of subscribers it was addressed to (0: none, or text
// that is not valid UTF-8). What each one got is counted in pubsub_stats.
std::size_t publish(context& ctx, std::string_view topic, std::string_view data,
                    message_kind kind = message_kind::text);

// Sockets subscribed to `topic` now, across loops. Any thread.
std::size_t subscriber_count(context& ctx, std::string_view topic);

// The counters. Any thread.
pubsub_stats pubsub_counters(context& ctx);

}  // namespace lwspp::ws
