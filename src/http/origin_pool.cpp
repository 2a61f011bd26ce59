// The connections of one client to one origin. See origin_pool.hpp.
#include "http/origin_pool.hpp"

#include <algorithm>

#include "h1/client_session.hpp"
#include "http/client_core.hpp"
#include "http/client_fetch.hpp"

namespace lwspp::http::detail {

origin_pool::origin_pool(const std::shared_ptr<client_core>& core, std::string key,
                         client_url where, std::string target, connect_options co)
    : core_(core),
      opts_(core->shared_opts()),
      ctx_(core->ctx()),
      key_(std::move(key)),
      where_(std::move(where)),
      target_(std::move(target)),
      co_(std::move(co)) {}

origin_pool::~origin_pool() = default;

std::size_t origin_pool::idle_count() const noexcept {
  return idle_.size();
}

void origin_pool::submit(std::shared_ptr<client_fetch> f) {
  if (waiting_.size() >= opts().max_queued) {
    f->fail_queued(error_info(
        make_error_code(client_error::queue_full),
        std::to_string(waiting_.size()) + " requests already wait for " + where_.origin_key()));
    return;
  }
  waiting_.push_back(std::move(f));
  dispatch();
}

void origin_pool::withdraw(const client_fetch& f) noexcept {
  const auto it =
      std::find_if(waiting_.begin(), waiting_.end(),
                   [&](const std::shared_ptr<client_fetch>& w) { return w.get() == &f; });
  if (it != waiting_.end()) waiting_.erase(it);
}

void origin_pool::dispatch() {
  while (!waiting_.empty() && !shut_) {
    h1::client_session* s = nullptr;
    // The most recently idle connection first (its TCP window is warm, the
    // older ones may time out), else a busy one with room in its pipeline.
    while (!idle_.empty() && !s) {
      h1::client_session* c = idle_.back();
      idle_.pop_back();
      if (c->can_take(*waiting_.front())) s = c;
    }
    if (!s && opts().pipeline_depth > 1) {
      for (h1::client_session* c : sessions_)
        if (c->can_take(*waiting_.front())) {
          s = c;
          break;
        }
    }
    if (s) {
      std::shared_ptr<client_fetch> f = std::move(waiting_.front());
      waiting_.pop_front();
      give(*s, std::move(f));
      continue;
    }
    // No connection can take it: open one if the cap allows, for the oldest
    // requests not yet covered by a connection being opened.
    if (opening_ < waiting_.size() && sessions_.size() < opts().max_connections_per_origin) {
      open_connection();
      continue;
    }
    return;
  }
}

void origin_pool::open_connection() {
  ++opening_;
  auto self = shared_from_this();
  const std::uint64_t serial = next_serial_++;
  role_factory roles{.shared = {}, .make = [self, serial](connection&) -> std::unique_ptr<role> {
                       auto s = std::make_unique<h1::client_session>(self, serial);
                       self->sessions_.push_back(s.get());
                       return s;
                     }};
  if (auto core = core_.lock()) core->count_connection();
  ctx_.connect(target_, std::move(roles), co_);
}

void origin_pool::give(h1::client_session& s, std::shared_ptr<client_fetch> f) {
  f->attach(s, s.served() > 0);
  s.start(std::move(f));
}

void origin_pool::session_open(h1::client_session& s) {
  if (opening_ > 0) --opening_;
  if (shut_) {
    s.close_connection(close_reason(error::closed_locally, "the client is gone"));
    return;
  }
  idle_.push_back(&s);
  dispatch();
  if (s.idle()) s.rest();
}

void origin_pool::session_idle(h1::client_session& s) {
  if (shut_) {
    s.close_connection(close_reason(error::closed_locally, "the client is gone"));
    return;
  }
  if (std::find(idle_.begin(), idle_.end(), &s) == idle_.end()) idle_.push_back(&s);
  dispatch();
  if (s.idle()) s.rest();
  if (auto core = core_.lock()) core->refresh_gauges();
}

void origin_pool::session_closed(h1::client_session& s, const close_reason& why, bool was_open) {
  auto self = shared_from_this();  // the core may drop its entry below
  std::erase(sessions_, &s);
  std::erase(idle_, &s);
  if (!was_open) {
    if (opening_ > 0) --opening_;
    // The attempt to connect failed: the oldest waiting request hears why.
    if (!waiting_.empty()) {
      std::shared_ptr<client_fetch> f = std::move(waiting_.front());
      waiting_.pop_front();
      f->fail_queued(why);
    }
  }
  dispatch();
  if (auto core = core_.lock()) {
    if (empty())
      core->drop_pool(*this);
    else
      core->refresh_gauges();
  }
}

void origin_pool::shut() {
  shut_ = true;
  waiting_.clear();
  const std::vector<h1::client_session*> all = sessions_;
  for (h1::client_session* s : all)
    s->close_connection(close_reason(error::closed_locally, "the client is gone"));
}

}  // namespace lwspp::http::detail
