// The subscriptions of one loop (loop_topics, see ws/pubsub.hpp): topics as
// vectors of members, sockets as lists of places, each pointing at the
// other so that removal is a swap with the last entry on both sides.
#include <cassert>

#include "ws/pubsub.hpp"

namespace lwspp::ws::detail {

bool loop_topics::add(session& s, std::string_view name, const subscriber_shape& shape) {
  place_list& places = by_session_[&s];
  for (const place& p : places)
    if (p.t->name == name) return false;
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    auto t = std::make_unique<topic>();
    t->name.assign(name);
    it = topics_.emplace(t->name, std::move(t)).first;
  }
  topic& t = *it->second;
  t.members.push_back(member{&s, &places, static_cast<std::uint32_t>(places.size()), shape});
  places.push_back(place{&t, static_cast<std::uint32_t>(t.members.size() - 1)});
  return true;
}

bool loop_topics::remove(session& s, std::string_view name) {
  auto it = by_session_.find(&s);
  if (it == by_session_.end()) return false;
  place_list& places = it->second;
  for (std::size_t i = 0; i < places.size(); ++i) {
    if (places[i].t->name != name) continue;
    topic& t = *places[i].t;
    unlink(t, places[i].index);
    // The socket's own list: the last place fills the gap.
    if (i + 1 != places.size()) {
      places[i] = places.back();
      member& moved = places[i].t->members[places[i].index];
      moved.back = static_cast<std::uint32_t>(i);
    }
    places.pop_back();
    if (places.empty()) by_session_.erase(it);
    drop_if_empty(t);
    return true;
  }
  return false;
}

// Takes members[index] out of the topic (not out of its socket's list).
void loop_topics::unlink(topic& t, std::uint32_t index) {
  assert(index < t.members.size());
  if (t.delivering != 0) {
    // deliver() walks the vector: leave a hole, compact afterwards.
    t.members[index].s = nullptr;
    ++t.holes;
    return;
  }
  if (index + 1 != t.members.size()) {
    t.members[index] = t.members.back();
    const member& moved = t.members[index];
    (*moved.places)[moved.back].index = index;
  }
  t.members.pop_back();
}

void loop_topics::compact(topic& t) {
  std::uint32_t out = 0;
  for (std::uint32_t i = 0; i < t.members.size(); ++i) {
    if (!t.members[i].s) continue;
    if (out != i) {
      t.members[out] = t.members[i];
      const member& moved = t.members[out];
      (*moved.places)[moved.back].index = out;
    }
    ++out;
  }
  t.members.resize(out);
  t.holes = 0;
}

void loop_topics::drop_if_empty(topic& t) {
  if (t.delivering != 0) return;
  if (t.holes != 0) compact(t);
  if (t.members.empty()) topics_.erase(topics_.find(std::string_view(t.name)));  // destroys t
}

}  // namespace lwspp::ws::detail
