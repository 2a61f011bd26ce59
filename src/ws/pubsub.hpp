// WebSocket pub/sub (the public side: <lwspp/ws_pubsub.hpp>).
//
// Two levels, so that no lock is taken per subscriber:
// - registry: one per context (a context extension: core knows nothing of
//   ws). Under one mutex it knows, per topic, how many subscribers each
//   loop has and which permessage-deflate parameter sets they use. publish()
//   reads that, frames the message once (compresses it once per parameter
//   set), and gives each loop with subscribers one task.
// - loop_topics: one per loop, touched only on its thread. Per topic, the
//   subscribers as a vector (delivery is a walk over it); per socket, its
//   topics, so that a close leaves them all. Subscribe and unsubscribe are
//   O(1) in the number of subscribers (O(topics of that socket) to find the
//   topic in its list).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lwspp/buffer.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/ws.hpp"
#include "lwspp/ws_pubsub.hpp"

namespace lwspp {
class context;
class loop;
}  // namespace lwspp

namespace lwspp::ws::detail {

class session;

// How one subscriber takes its frames, fixed when it subscribes.
struct subscriber_shape {
  std::uint8_t window_bits = 0;  // deflate, no context takeover: a shared compression (0: none)
  bool own_deflate = false;      // deflate with context takeover: its own compressor
  std::uint8_t level = 0;        // zlib level of either
  std::uint32_t min_size = 0;    // smaller messages go uncompressed
  std::uint32_t frame_size = 0;  // send_frame_size (0: one frame per message)
};

// One wire form of a published message: its frames, header included.
struct frame_variant {
  std::uint8_t window_bits = 0;  // 0: uncompressed
  std::uint8_t level = 0;
  std::uint32_t frame_size = 0;  // 0: one frame
  std::size_t header = 0;        // one frame: the header's size (the payload follows)
  std::shared_ptr<const std::string> bytes;
  std::string_view payload() const noexcept { return std::string_view(*bytes).substr(header); }
};

// A published message, immutable once made; shared by the loops' tasks and,
// through its variants' buffers, by the write queues that hold it.
struct published {
  std::string topic;
  message_kind kind = message_kind::text;
  std::vector<frame_variant> variants;  // [0]: uncompressed, one frame
  std::string_view payload() const noexcept { return variants[0].payload(); }
};

// What a delivery to one subscriber came to.
enum class outcome : std::uint8_t { none, delivered, skipped, closed };

// Access to the session's sending internals (a friend of session).
struct pubsub_access {
  static subscriber_shape shape(const session& s);
  // A frame made by publish: checked as a send would be, then written or
  // queued by reference.
  static outcome send_frame(session& s, const shared_slice& frame);
  // A subscriber with context takeover: compressed by its own deflater.
  static outcome send_own(session& s, std::string_view payload, message_kind kind);
};

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct delivery_counts {
  std::uint64_t delivered = 0, skipped = 0, closed = 0;
};

// The subscriptions of one loop. Loop thread only.
class loop_topics {
 public:
  // False if s is already subscribed to `name`.
  bool add(session& s, std::string_view name, const subscriber_shape& shape);
  // False if s was not subscribed.
  bool remove(session& s, std::string_view name);
  // Every topic of s; calls gone(name, shape) for each.
  template <class F>
  void remove_all(session& s, F&& gone);
  delivery_counts deliver(const published& m);

 private:
  struct topic;
  struct place {  // a socket's entry in topic->members
    topic* t;
    std::uint32_t index;
  };
  using place_list = std::vector<place>;
  struct member {
    session* s;          // nullptr: removed while the topic was being delivered
    place_list* places;  // the socket's list (a node of by_session_: stable)
    std::uint32_t back;  // this topic's index in *places
    subscriber_shape shape;
  };
  struct topic {
    std::string name;
    std::vector<member> members;
    std::uint32_t delivering = 0;  // deliver() is walking members
    std::uint32_t holes = 0;       // members removed meanwhile (s == nullptr)
  };
  void unlink(topic& t, std::uint32_t index);
  void compact(topic& t);
  void drop_if_empty(topic& t);

  std::unordered_map<std::string, std::unique_ptr<topic>, string_hash, std::equal_to<>> topics_;
  std::unordered_map<const session*, place_list> by_session_;
};

// The pub/sub of one context (context::extension<registry>()).
class registry {
 public:
  explicit registry(context& ctx);
  ~registry();

  // The registry of the context that owns l, made on first use (nullptr: a
  // loop outside any context) / only if it exists.
  static registry* of(loop& l);
  static registry* existing(loop& l) noexcept;

  // The loop thread of s.
  bool subscribe(session& s, std::string_view topic);
  bool unsubscribe(session& s, std::string_view topic);
  void unsubscribe_all(session& s);

  // Any thread.
  std::size_t publish(std::string_view topic, std::string_view data, message_kind kind);
  std::size_t subscribers(std::string_view topic);
  pubsub_stats stats();

 private:
  struct deflate_use {  // subscribers of a topic sharing one compression
    std::uint8_t window_bits;
    std::uint8_t level;
    std::uint32_t min_size;
    std::uint32_t count;
  };
  struct topic_entry {
    std::vector<std::uint32_t> per_loop;  // subscribers on each loop
    std::size_t total = 0;
    std::vector<deflate_use> deflate;
  };
  struct plan;  // what publish read under the lock
  void counted_in(std::string_view topic, std::size_t loop, const subscriber_shape& sh);
  void counted_out(std::string_view topic, std::size_t loop, const subscriber_shape& sh);
  void deliver_on(std::size_t loop, std::shared_ptr<const published> m);
  void add_counts(const delivery_counts& c) noexcept;

  context& ctx_;
  std::vector<std::unique_ptr<loop_topics>> loops_;
  std::mutex m_;
  std::unordered_map<std::string, topic_entry, string_hash, std::equal_to<>> topics_;
  std::size_t subscriptions_ = 0;
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> skipped_{0};
  std::atomic<std::uint64_t> closed_{0};
};

// The hook of a closing session: leaves every topic (cheap when there is no
// pub/sub in its context, or it subscribed to nothing).
void leave_all_topics(session& s) noexcept;

// A published message's frames for one subscriber: made on demand when the
// publisher did not make them (a parameter set that subscribed meanwhile,
// frames split by send_frame_size). Used by publish and by loop_topics.
frame_variant make_variant(std::string_view payload, message_kind kind, std::uint8_t window_bits,
                           std::uint8_t level, std::uint32_t frame_size);

template <class F>
void loop_topics::remove_all(session& s, F&& gone) {
  auto it = by_session_.find(&s);
  if (it == by_session_.end()) return;
  // Unlink from each topic; the list itself goes at the end.
  place_list& places = it->second;
  for (const place& p : places) {
    topic& t = *p.t;
    const subscriber_shape shape = t.members[p.index].shape;
    const std::string name = t.name;
    unlink(t, p.index);
    drop_if_empty(t);
    gone(std::string_view(name), shape);
  }
  by_session_.erase(it);
}

}  // namespace lwspp::ws::detail
