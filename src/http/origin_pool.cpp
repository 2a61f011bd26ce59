// The connections of one client to one origin. See origin_pool.hpp.
#include "http/origin_pool.hpp"

#include <algorithm>

#include "h1/client_session.hpp"
#include "h2/client_session.hpp"
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
      co_(std::move(co)) {
  const http2_mode mode = opts_->http2;
  if (where_.secure && mode != http2_mode::off && co_.tls) {
    // ALPN (RFC 7301): h2 first; the server's pick decides (switch_to_h2).
    auto& alpn = co_.tls->alpn;
    if (alpn.empty()) alpn = {"h2", "http/1.1"};
    if (std::find(alpn.begin(), alpn.end(), "h2") != alpn.end()) wire_ = wire::unknown;
  } else if (!where_.secure && mode == http2_mode::prior_knowledge) {
    wire_ = wire::h2;
    prior_knowledge_ = true;
  }
}

void origin_pool::use_absolute_form(std::string proxy_authorization) {
  // Requests in absolute form are HTTP/1.1's (a proxy that forwards them).
  absolute_form_ = true;
  proxy_auth_ = std::move(proxy_authorization);
  wire_ = wire::h1;
  prior_knowledge_ = false;
}

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
    pooled_session* s = nullptr;
    // The most recently idle connection first (its TCP window is warm, the
    // older ones may time out), else a busy one with room: an h2 connection
    // below its stream limit, or an h1 pipeline.
    while (!idle_.empty() && !s) {
      pooled_session* c = idle_.back();
      idle_.pop_back();
      if (c->can_take(*waiting_.front())) s = c;
    }
    if (!s) {
      for (pooled_session* c : sessions_)
        if ((c->multiplexed() || opts().pipeline_depth > 1) && c->can_take(*waiting_.front())) {
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
    if (may_open()) {
      open_connection();
      continue;
    }
    return;
  }
}

// Whether no connection can take the oldest waiting request and a new one
// should be opened for it.
bool origin_pool::may_open() const noexcept {
  if (sessions_.size() >= opts().max_connections_per_origin) return false;
  switch (wire_) {
    case wire::h1:
      // One for each of the oldest requests not yet covered by a connection
      // being opened.
      return opening_ < waiting_.size();
    case wire::unknown:
      return opening_ == 0;  // the first connection tells which version
    case wire::h2:
      if (opening_ > 0) return false;
      // One connection carries them all; another only when none takes more.
      return std::none_of(sessions_.begin(), sessions_.end(),
                          [](const pooled_session* c) { return c->accepting(); });
  }
  return false;
}

void origin_pool::open_connection() {
  ++opening_;
  auto self = shared_from_this();
  const std::uint64_t serial = next_serial_++;
  const bool h2 = prior_knowledge_;
  role_factory roles{.shared = {},
                     .make = [self, serial, h2](connection&) -> std::unique_ptr<role> {
                       if (h2) {
                         auto s = std::make_unique<h2::client_session>(self, serial);
                         self->sessions_.push_back(s.get());
                         return s;
                       }
                       auto s = std::make_unique<h1::client_session>(self, serial);
                       self->sessions_.push_back(s.get());
                       return s;
                     }};
  if (auto core = core_.lock()) core->count_connection();
  ctx_.connect(target_, std::move(roles), co_);
}

void origin_pool::switch_to_h2(pooled_session& h1, connection& c) {
  auto owned = std::make_unique<h2::client_session>(shared_from_this(), h1.serial());
  h2::client_session& s = *owned;
  s.adopt_created_at(h1.created_at());
  std::replace(sessions_.begin(), sessions_.end(), &h1, static_cast<pooled_session*>(&s));
  c.switch_role(s, std::move(owned));  // h1 is freed after this callback
  s.on_open(c);
}

void origin_pool::give(pooled_session& s, std::shared_ptr<client_fetch> f) {
  f->attach(s, s.served() > 0);
  s.start(std::move(f));
}

void origin_pool::session_open(pooled_session& s) {
  if (opening_ > 0) --opening_;
  if (wire_ == wire::unknown) wire_ = s.multiplexed() ? wire::h2 : wire::h1;
  if (shut_) {
    s.close_connection(close_reason(error::closed_locally, "the client is gone"));
    return;
  }
  idle_.push_back(&s);
  dispatch();
  if (s.idle()) s.rest();
}

void origin_pool::session_idle(pooled_session& s) {
  if (shut_) {
    s.close_connection(close_reason(error::closed_locally, "the client is gone"));
    return;
  }
  if (s.idle() && std::find(idle_.begin(), idle_.end(), &s) == idle_.end()) idle_.push_back(&s);
  dispatch();
  if (s.idle()) s.rest();
  if (auto core = core_.lock()) core->refresh_gauges();
}

void origin_pool::session_closed(pooled_session& s, const close_reason& why, bool was_open) {
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
  const std::vector<pooled_session*> all = sessions_;
  for (pooled_session* s : all)
    s->close_connection(close_reason(error::closed_locally, "the client is gone"));
}

}  // namespace lwspp::http::detail
