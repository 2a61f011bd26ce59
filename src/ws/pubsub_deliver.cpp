// Pub/sub delivery on a loop: a published message's frames to each local
// subscriber, the same buffer for all that share a wire form; and the
// making of those frames (compressed without context takeover).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ws/deflate.hpp"
#include "ws/frame.hpp"
#include "ws/pubsub.hpp"
#include "ws/session.hpp"

namespace lwspp::ws::detail {

namespace {

// Compressors without context takeover, kept per thread and reused (zlib's
// state for a 15-bit window is about 260 KiB to set up): one per parameter
// set, the least recently added dropped past a few.
deflater& shared_deflater(std::uint8_t window_bits, std::uint8_t level) {
  constexpr std::size_t kept = 4;
  thread_local std::vector<std::unique_ptr<deflater>> cache;
  for (auto& d : cache)
    if (d->settings().window_bits == window_bits && d->settings().level == level) return *d;
  if (cache.size() == kept) cache.erase(cache.begin());
  cache.push_back(std::make_unique<deflater>(
      deflater_settings{.window_bits = window_bits, .no_context_takeover = true, .level = level}));
  return *cache.back();
}

void append_frame(std::string& out, opcode op, bool fin, bool rsv1, std::string_view payload) {
  char head[max_header_size];
  const std::size_t n = write_header({.op = op, .fin = fin, .rsv1 = rsv1, .length = payload.size()},
                                     std::span<char, max_header_size>(head));
  out.append(head, n);
  out.append(payload);
}

}  // namespace

frame_variant make_variant(std::string_view payload, message_kind kind, std::uint8_t window_bits,
                           std::uint8_t level, std::uint32_t frame_size) {
  frame_variant v;
  v.window_bits = window_bits;
  v.level = level;
  v.frame_size = frame_size;
  std::string z;
  if (window_bits != 0) {
    // A compressor that cannot allocate: the message goes uncompressed
    // (RSV1 clear), which every deflate peer accepts.
    if (shared_deflater(window_bits, level).compress(payload, z, true)) {
      payload = z;
    } else {
      v.window_bits = 0;
    }
  }
  const bool rsv1 = v.window_bits != 0;
  const opcode op = kind == message_kind::text ? opcode::text : opcode::binary;
  auto bytes = std::make_shared<std::string>();
  if (frame_size == 0 || payload.size() <= frame_size) {
    bytes->reserve(max_header_size + payload.size());
    append_frame(*bytes, op, true, rsv1, payload);
    v.header = bytes->size() - payload.size();
  } else {
    bool first = true;
    while (!payload.empty()) {
      const std::string_view part = payload.substr(0, frame_size);
      payload.remove_prefix(part.size());
      append_frame(*bytes, first ? op : opcode::continuation, payload.empty(), first && rsv1, part);
      first = false;
    }
  }
  v.bytes = std::move(bytes);
  return v;
}

// --- the session side ---------------------------------------------------------------------

subscriber_shape pubsub_access::shape(const session& s) {
  subscriber_shape sh;
  sh.frame_size =
      static_cast<std::uint32_t>(std::min<std::size_t>(s.cfg_->opts.send_frame_size, UINT32_MAX));
  if (s.deflater_) {
    const deflater_settings& d = s.deflater_->settings();
    sh.level = static_cast<std::uint8_t>(d.level);
    sh.min_size = static_cast<std::uint32_t>(
        std::min<std::size_t>(s.cfg_->opts.deflate.min_size, UINT32_MAX));
    if (d.no_context_takeover)
      sh.window_bits = static_cast<std::uint8_t>(d.window_bits);
    else
      sh.own_deflate = true;
  }
  return sh;
}

namespace {

// The backpressure check's answer (as socket::send would get it) as an outcome.
outcome over_limit(const std::optional<send_result>& over) {
  if (!over) return outcome::none;
  // refuse: backpressure set (drain comes later); a closing policy has closed it.
  return over->backpressure ? outcome::skipped : outcome::closed;
}

}  // namespace

outcome pubsub_access::send_frame(session& s, const shared_slice& frame) {
  if (s.out_streaming_) return outcome::skipped;
  if (const outcome o = over_limit(s.check_backpressure()); o != outcome::none) return o;
  connection& c = *s.conn_;
  // Whole or not at all, as write_frame.
  if (c.buffered() + frame.bytes.size() > c.options().write_limit) return outcome::skipped;
  return c.send(frame) ? outcome::delivered : outcome::skipped;
}

outcome pubsub_access::send_own(session& s, std::string_view payload, message_kind kind) {
  if (s.out_streaming_) return outcome::skipped;
  if (const outcome o = over_limit(s.check_backpressure()); o != outcome::none) return o;
  return s.send_message(payload, kind) ? outcome::delivered : outcome::skipped;
}

// --- one loop's delivery -----------------------------------------------------------------

namespace {

// The frames one subscriber takes: the publisher's, or ones made here (and
// kept for the rest of this delivery in `local`).
const frame_variant& pick(const published& m, std::vector<frame_variant>& local,
                          std::uint8_t window_bits, std::uint8_t level, std::uint32_t frame_size) {
  auto match = [&](const frame_variant& v) {
    return v.window_bits == window_bits && v.level == level && v.frame_size == frame_size;
  };
  for (const frame_variant& v : m.variants)
    if (match(v)) return v;
  for (const frame_variant& v : local)
    if (match(v)) return v;
  local.push_back(make_variant(m.payload(), m.kind, window_bits, level, frame_size));
  return local.back();
}

}  // namespace

delivery_counts loop_topics::deliver(const published& m) {
  delivery_counts counts;
  auto it = topics_.find(std::string_view(m.topic));
  if (it == topics_.end()) return counts;
  topic& t = *it->second;
  ++t.delivering;
  std::vector<frame_variant> local;
  const std::size_t size = m.payload().size();
  // Members added meanwhile (none today: sending runs no handler) wait for the next message.
  const std::size_t n = t.members.size();
  for (std::size_t i = 0; i < n; ++i) {
    const member mb = t.members[i];
    if (!mb.s || !mb.s->open_for_messages()) continue;  // closing: leaves at its on_close
    const subscriber_shape& sh = mb.shape;
    const bool compress = (sh.window_bits != 0 || sh.own_deflate) && size >= sh.min_size;
    outcome o;
    if (compress && sh.own_deflate) {
      o = pubsub_access::send_own(*mb.s, m.payload(), m.kind);
    } else {
      const std::uint8_t wb = compress ? sh.window_bits : 0;
      const std::uint8_t level = compress ? sh.level : 0;
      const frame_variant* v = &pick(m, local, wb, level, 0);
      if (sh.frame_size != 0 && v->payload().size() > sh.frame_size)
        v = &pick(m, local, v->window_bits, v->level, sh.frame_size);
      o = pubsub_access::send_frame(*mb.s, shared_slice{v->bytes, *v->bytes});
    }
    switch (o) {
      case outcome::delivered:
        ++counts.delivered;
        break;
      case outcome::skipped:
        ++counts.skipped;
        break;
      case outcome::closed:
        ++counts.closed;
        break;
      case outcome::none:
        break;
    }
  }
  --t.delivering;
  drop_if_empty(t);
  return counts;
}

}  // namespace lwspp::ws::detail
