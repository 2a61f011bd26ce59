// lwspp::ws::connect, the client handle, and the client core: attempts,
// redirects, reconnecting with jittered exponential backoff. See
// client_core.hpp and docs/websocket.md ("Clients").
#include <algorithm>

#include "core/post_queue.hpp"
#include "util/backoff.hpp"
#include "ws/client_core.hpp"
#include "ws/client_handshake.hpp"
#include "ws/client_session.hpp"
#include "ws/options_check.hpp"

namespace lwspp::ws {
namespace detail {

client_core::client_core(context& ctx, url u, handlers h, client_options o)
    : loop_member(ctx.get_loop(std::min<std::size_t>(o.connect.loop_index, ctx.loop_count() - 1))),
      ctx_(ctx),
      loop_(owner()),
      queue_(loop_.queue()),
      opts_(std::move(o)),
      url_(u),
      origin_(std::move(u)),
      retry_(loop_, [this] { start_attempt(); }) {
  cfg_.h = std::move(h);
  cfg_.opts = std::move(opts_.ws);
  const deflate_options& d = cfg_.opts.deflate;
  if (d.enabled) {
    offer_ = deflate_client_settings{
        .client_max_window_bits = d.client_max_window_bits,
        .server_max_window_bits = d.server_max_window_bits,
        .client_no_context_takeover = d.client_no_context_takeover,
        .server_no_context_takeover = d.server_no_context_takeover,
    };
  }
}

client_core::~client_core() = default;

bool client_core::post(unique_function<void(client_core&)> fn) {
  return queue_->push([self = shared_from_this(), f = std::move(fn)]() mutable { f(*self); });
}

url client_core::current_url() const {
  std::lock_guard lock(url_mutex_);
  return url_;
}

session* client_core::open_session() const noexcept {
  return session_ && session_->open_for_messages() ? session_ : nullptr;
}

void client_core::start_attempt() {
  auto self = shared_from_this();  // self_ may be the last owner: keep us for this call
  if (self_) {                     // the wait is over
    leave();
    self_.reset();
  }
  if (stopped_) return;
  const url u = current_url();
  connect_options co = opts_.connect;
  if (u.secure) {
    if (!co.tls) co.tls.emplace();
    // ALPN (RFC 7301): the server's pick decides (use_h2).
    if (opts_.http2 != http::http2_mode::off && !h1_only_ && co.tls->alpn.empty())
      co.tls->alpn = {"h2", "http/1.1"};
  } else {
    co.tls.reset();
  }
  role_factory roles{.shared = {}, .make = [self](connection& c) -> std::unique_ptr<role> {
                       return std::make_unique<client_session>(self, c);
                     }};
  conn_ = ctx_.connect(u.target(), std::move(roles), std::move(co));
}

bool client_core::use_h2(const connection& c) const noexcept {
  if (h1_only_ || opts_.http2 == http::http2_mode::off) return false;
  if (c.is_tls()) return c.tls_alpn() == "h2";
  return opts_.http2 == http::http2_mode::prior_knowledge;
}

void client_core::fall_back_to_h1() {
  h1_only_ = true;
  redirect_ = current_url();
}

bool client_core::redirect_to(url next) {
  if (redirects_ >= opts_.follow_redirects) return false;
  ++redirects_;
  redirect_ = std::move(next);
  return true;
}

void client_core::closing(bool was_open, const close_reason& why) {
  session_ = nullptr;
  if (redirect_) return;
  if (!was_open) ++failures_;
  const reconnect_options& r = opts_.reconnect;
  // A stopping context (graceful or not) ends reconnecting too.
  const bool stopping = loop_.shutting_down() || why.is(lwspp::error::server_stopping);
  retry_next_ =
      r.enabled && !stopped_ && !stopping && (r.max_attempts == 0 || failures_ < r.max_attempts);
  if (!retry_next_) finished_.store(true, std::memory_order_release);
}

void client_core::after_close() {
  conn_ = {};
  if (redirect_) {
    {
      std::lock_guard lock(url_mutex_);
      url_ = std::move(*redirect_);
    }
    redirect_.reset();
    start_attempt();  // at once: a redirect is an answer, not a failure
    return;
  }
  if (retry_next_) schedule_retry();
}

std::chrono::milliseconds client_core::next_delay() {
  const reconnect_options& r = opts_.reconnect;
  // failures_: 0 after a drop, 1 after the first failed attempt, ...
  return util::jittered_backoff(r.initial_delay, r.max_delay, r.multiplier, r.jitter, failures_);
}

void client_core::schedule_retry() {
  // Every reconnect starts from the URL connect() was given.
  {
    std::lock_guard lock(url_mutex_);
    url_ = origin_;
  }
  redirects_ = 0;
  self_ = shared_from_this();
  join();  // a stopping loop ends the wait (on_loop_shutdown)
  retry_.arm(next_delay());
}

// Ends a wait to reconnect: no attempt follows.
void client_core::end() {
  retry_.cancel();
  leave();
  finished_.store(true, std::memory_order_release);
  // Released after this event: the loop may be iterating its members.
  if (self_) loop_.defer([self = std::move(self_)] {});
}

void client_core::stop(std::optional<std::pair<close_code, std::string>> close_with) {
  stopped_ = true;
  if (session_ && session_->handshake_done()) {  // open, or already closing
    if (session_->open_for_messages()) {
      const auto& [code, reason] =
          close_with ? *close_with
                     : std::pair<close_code, std::string>{close_code::normal, "going away"};
      session_->start_close(code, reason, close_reason(lwspp::error::closed_locally));
    }
    return;
  }
  if (connection* c = conn_.get()) {  // an attempt under way
    c->close(close_reason(lwspp::error::closed_locally, "stopped before the WebSocket opened"));
    return;
  }
  if (self_) end();  // waiting to reconnect
}

void client_core::on_loop_shutdown() {
  stopped_ = true;
  end();
}

void client_core::on_loop_force_close() {
  stopped_ = true;
  end();
}

}  // namespace detail

// --- the public API --------------------------------------------------------------------

namespace {

error_info bad_option(std::string why) {
  return error_info(make_error_code(client_error::bad_option), std::move(why));
}

result<void> check(const client_options& o) {
  if (!o.ws.origins.empty() || !o.ws.response_headers.empty())
    return bad_option("origins and response_headers are for servers");
  if (std::string p = ws::detail::check_common_options(o.ws); !p.empty()) return bad_option(p);
  if (std::string p = check_client_fields(o.headers, o.ws.protocols, o.origin); !p.empty())
    return bad_option(p);
  if (o.handshake_timeout.count() <= 0) return bad_option("handshake_timeout must be positive");
  if (o.max_response_head < 64) return bad_option("max_response_head under 64 bytes");
  const reconnect_options& r = o.reconnect;
  if (r.enabled && (r.initial_delay.count() < 0 || r.max_delay < r.initial_delay ||
                    !(r.multiplier >= 1.0) || !(r.jitter >= 0.0 && r.jitter <= 1.0)))
    return bad_option("reconnect: delays must be 0 <= initial <= max, multiplier >= 1, jitter 0-1");
  return {};
}

}  // namespace

result<client> connect(context& ctx, std::string_view url_text, handlers h, client_options opts) {
  auto u = parse_url(url_text);
  if (!u) return u.error();
  if (auto ok = check(opts); !ok) return ok.error();
  auto core =
      std::make_shared<detail::client_core>(ctx, std::move(*u), std::move(h), std::move(opts));
  if (!core->post([](detail::client_core& c) { c.start_attempt(); }))
    return error_info(lwspp::error::server_stopping, "the context's loop is gone");
  return client(std::move(core));
}

bool client::send(std::string data, message_kind kind) const {
  return core_ && core_->post([d = std::move(data), kind](detail::client_core& c) {
    if (detail::session* s = c.open_session()) s->send_message(d, kind);
  });
}

bool client::dispatch(unique_function<void(socket&)> fn) const {
  return core_ && core_->post([f = std::move(fn)](detail::client_core& c) mutable {
    if (detail::session* s = c.open_session()) f(*s);
  });
}

bool client::close(close_code code, std::string reason) const {
  return core_ && core_->post([code, r = std::move(reason)](detail::client_core& c) mutable {
    c.stop(std::pair<close_code, std::string>(code, std::move(r)));
  });
}

void client::stop() const {
  if (core_) core_->post([](detail::client_core& c) { c.stop(std::nullopt); });
}

bool client::finished() const noexcept {
  return !core_ || core_->finished();
}

std::string client::url() const {
  return core_ ? core_->current_url().to_string() : std::string();
}

}  // namespace lwspp::ws
