// The pub/sub registry of a context (see ws/pubsub.hpp) and the public
// functions of <lwspp/ws_pubsub.hpp> and ws::socket's subscribe/publish.
#include "ws/pubsub.hpp"

#include <algorithm>

#include "lwspp/context.hpp"
#include "lwspp/loop.hpp"
#include "util/utf8.hpp"
#include "ws/session.hpp"

namespace lwspp::ws::detail {

registry::registry(context& ctx) : ctx_(ctx) {
  for (std::size_t i = 0; i < ctx.loop_count(); ++i)
    loops_.push_back(std::make_unique<loop_topics>());
}

registry::~registry() = default;

registry* registry::of(loop& l) {
  context* c = l.owner_context();
  return c ? &c->extension<registry>() : nullptr;
}

registry* registry::existing(loop& l) noexcept {
  context* c = l.owner_context();
  return c ? c->existing_extension<registry>() : nullptr;
}

// --- subscriptions (loop thread) ---------------------------------------------------------

bool registry::subscribe(session& s, std::string_view topic) {
  if (!s.open_for_messages()) return false;
  const std::size_t li = s.conn_ref().get_loop().index_in_context();
  const subscriber_shape sh = pubsub_access::shape(s);
  // The loop's own list first: a publish that sees the new count finds the
  // member when its task runs on this thread.
  if (!loops_[li]->add(s, topic, sh)) return false;
  counted_in(topic, li, sh);
  return true;
}

bool registry::unsubscribe(session& s, std::string_view topic) {
  const std::size_t li = s.conn_ref().get_loop().index_in_context();
  // The shape is the one given at subscribe: the same session, same route.
  const subscriber_shape sh = pubsub_access::shape(s);
  if (!loops_[li]->remove(s, topic)) return false;
  counted_out(topic, li, sh);
  return true;
}

void registry::unsubscribe_all(session& s) {
  const std::size_t li = s.conn_ref().get_loop().index_in_context();
  loops_[li]->remove_all(
      s, [&](std::string_view topic, const subscriber_shape& sh) { counted_out(topic, li, sh); });
}

void registry::counted_in(std::string_view topic, std::size_t loop, const subscriber_shape& sh) {
  std::lock_guard lock(m_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) it = topics_.emplace(std::string(topic), topic_entry{}).first;
  topic_entry& e = it->second;
  if (e.per_loop.empty()) e.per_loop.resize(loops_.size());
  ++e.per_loop[loop];
  ++e.total;
  ++subscriptions_;
  if (sh.window_bits == 0) return;
  for (deflate_use& d : e.deflate) {
    if (d.window_bits == sh.window_bits && d.level == sh.level && d.min_size == sh.min_size) {
      ++d.count;
      return;
    }
  }
  e.deflate.push_back({sh.window_bits, sh.level, sh.min_size, 1});
}

void registry::counted_out(std::string_view topic, std::size_t loop, const subscriber_shape& sh) {
  std::lock_guard lock(m_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  topic_entry& e = it->second;
  --e.per_loop[loop];
  --e.total;
  --subscriptions_;
  if (sh.window_bits != 0) {
    auto d = std::find_if(e.deflate.begin(), e.deflate.end(), [&](const deflate_use& u) {
      return u.window_bits == sh.window_bits && u.level == sh.level && u.min_size == sh.min_size;
    });
    if (d != e.deflate.end() && --d->count == 0) e.deflate.erase(d);
  }
  if (e.total == 0) topics_.erase(it);
}

// --- publishing (any thread) ---------------------------------------------------------------

struct registry::plan {
  std::size_t total = 0;
  std::vector<std::uint32_t> loops;  // indices of loops with subscribers
  std::vector<deflate_use> deflate;
};

std::size_t registry::publish(std::string_view topic, std::string_view data, message_kind kind) {
  if (kind == message_kind::text && !util::is_valid_utf8(data)) return 0;
  plan p;
  {
    std::lock_guard lock(m_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return 0;
    const topic_entry& e = it->second;
    p.total = e.total;
    for (std::uint32_t i = 0; i < e.per_loop.size(); ++i)
      if (e.per_loop[i] != 0) p.loops.push_back(i);
    p.deflate = e.deflate;
  }
  published_.fetch_add(1, std::memory_order_relaxed);

  // Framed once; compressed once per parameter set that applies to this size.
  auto m = std::make_shared<published>();
  m->topic.assign(topic);
  m->kind = kind;
  m->variants.push_back(make_variant(data, kind, 0, 0, 0));
  for (const deflate_use& d : p.deflate) {
    if (data.size() < d.min_size) continue;
    const bool made = std::any_of(m->variants.begin(), m->variants.end(), [&](const auto& v) {
      return v.window_bits == d.window_bits && v.level == d.level;
    });
    if (!made) m->variants.push_back(make_variant(data, kind, d.window_bits, d.level, 0));
  }
  std::shared_ptr<const published> shared = std::move(m);
  for (std::uint32_t li : p.loops)
    deliver_on(li, shared);
  return p.total;
}

// One task per loop (or, on that loop's own thread, at once).
void registry::deliver_on(std::size_t li, std::shared_ptr<const published> m) {
  loop& l = ctx_.get_loop(li);
  loop_topics* part = loops_[li].get();
  if (l.in_loop_thread()) {
    add_counts(part->deliver(*m));
    return;
  }
  // The registry outlives the loops (a context extension), so the task may
  // hold plain pointers; a task left when the loop goes is dropped unrun.
  l.post([this, part, m = std::move(m)] { add_counts(part->deliver(*m)); });
}

void registry::add_counts(const delivery_counts& c) noexcept {
  if (c.delivered) delivered_.fetch_add(c.delivered, std::memory_order_relaxed);
  if (c.skipped) skipped_.fetch_add(c.skipped, std::memory_order_relaxed);
  if (c.closed) closed_.fetch_add(c.closed, std::memory_order_relaxed);
}

std::size_t registry::subscribers(std::string_view topic) {
  std::lock_guard lock(m_);
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.total;
}

pubsub_stats registry::stats() {
  pubsub_stats s;
  s.published = published_.load(std::memory_order_relaxed);
  s.delivered = delivered_.load(std::memory_order_relaxed);
  s.skipped = skipped_.load(std::memory_order_relaxed);
  s.closed = closed_.load(std::memory_order_relaxed);
  std::lock_guard lock(m_);
  s.topics = topics_.size();
  s.subscriptions = subscriptions_;
  return s;
}

void leave_all_topics(session& s) noexcept {
  if (registry* r = registry::existing(s.conn_ref().get_loop())) r->unsubscribe_all(s);
}

}  // namespace lwspp::ws::detail

namespace lwspp::ws {

std::size_t publish(context& ctx, std::string_view topic, std::string_view data,
                    message_kind kind) {
  return ctx.extension<detail::registry>().publish(topic, data, kind);
}

std::size_t subscriber_count(context& ctx, std::string_view topic) {
  auto* r = ctx.existing_extension<detail::registry>();
  return r ? r->subscribers(topic) : 0;
}

pubsub_stats pubsub_counters(context& ctx) {
  auto* r = ctx.existing_extension<detail::registry>();
  return r ? r->stats() : pubsub_stats{};
}

namespace {
detail::session& session_of(socket* s) noexcept {
  return static_cast<detail::session&>(*s);
}
}  // namespace

bool socket::subscribe(std::string_view topic) {
  detail::session& s = session_of(this);
  // Shared frames are server frames (unmasked): a client socket's would
  // each need their own masking, so clients publish but do not subscribe.
  if (s.is_client()) return false;
  detail::registry* r = detail::registry::of(s.conn_ref().get_loop());
  if (!r || !r->subscribe(s, topic)) return false;
  s.mark_subscribed();
  return true;
}

bool socket::unsubscribe(std::string_view topic) {
  detail::session& s = session_of(this);
  detail::registry* r = detail::registry::existing(s.conn_ref().get_loop());
  return r && r->unsubscribe(s, topic);
}

std::size_t socket::publish(std::string_view topic, std::string_view data, message_kind kind) {
  detail::registry* r = detail::registry::existing(session_of(this).conn_ref().get_loop());
  return r ? r->publish(topic, data, kind) : 0;
}

}  // namespace lwspp::ws
