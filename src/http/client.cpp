// lwspp::http::client, its request handles, and the client core: the pools
// by origin and the requests in flight on the client's loop. See
// client_core.hpp and docs/http-client.md.
#include <algorithm>

#include "http/client_core.hpp"
#include "http/client_fetch.hpp"
#include "http/content_coding.hpp"
#include "http/origin_pool.hpp"
#include "util/ascii.hpp"
#include "util/base64.hpp"

namespace lwspp::http {
namespace detail {

namespace {

client_options normalised(client_options o, const loop& l) {
  o.connect.loop_index = static_cast<unsigned>(l.index_in_context());
  o.max_connections_per_origin = std::max(1u, o.max_connections_per_origin);
  o.pipeline_depth = std::max(1u, o.pipeline_depth);
  return o;
}

}  // namespace

void append_client_fields(std::string& out, const client_options& o, bool user_agent_set,
                          bool accept_set, bool accept_encoding_set) {
  if (!user_agent_set && !o.user_agent.empty()) {
    out += "User-Agent: ";
    out += o.user_agent;
    out += "\r\n";
  }
  if (!accept_set) out += "Accept: */*\r\n";
  if (o.decompress && !accept_encoding_set)
    out += coding_available(content_coding::br) ? "Accept-Encoding: gzip, br\r\n"
                                                : "Accept-Encoding: gzip\r\n";
}

client_core::client_core(context& ctx, client_options o)
    : ctx_(ctx),
      loop_(ctx.get_loop(std::min<std::size_t>(o.connect.loop_index, ctx.loop_count() - 1))),
      opts_(std::make_shared<const client_options>(normalised(std::move(o), loop_))),
      env_(opts_->proxy_from_environment && !opts_->via ? proxy_environment::from_process()
                                                        : proxy_environment{}) {
  append_client_fields(default_fields_, *opts_, false, false, false);
}

client_core::~client_core() = default;

void client_core::run(unique_function<void(client_core&)> fn) {
  if (loop_.in_loop_thread()) {
    fn(*this);
    return;
  }
  loop_.post([self = shared_from_this(), f = std::move(fn)]() mutable { f(*self); });
}

void client_core::start(std::shared_ptr<client_fetch> f) {
  client_fetch& r = *f;
  // Linked in front of the list of requests in flight, kept alive by its entry.
  r.keep_ = std::move(f);
  r.next_active_ = active_;
  if (active_) active_->prev_active_ = &r;
  active_ = &r;
  if (shut_) {
    r.cancel();
    return;
  }
  r.begin();
}

result<std::optional<proxy>> client_core::proxy_for_url(const client_url& u) const {
  if (!u.unix_path.empty()) return std::optional<proxy>();
  if (opts_->via) return opts_->via;
  if (!opts_->proxy_from_environment) return std::optional<proxy>();
  return lwspp::proxy_for(env_, u.secure, u.u.host, u.u.port);
}

result<std::shared_ptr<origin_pool>> client_core::pool_for(const client_url& u,
                                                           const std::optional<proxy>& via) {
  if (!via && last_pool_ && last_pool_->same_origin(u)) return last_pool_->shared_from_this();
  std::string key = u.origin_key();
  if (via) {
    key += via->kind == proxy_kind::socks5 ? " via socks5://" : " via http://";
    key += via->user;
    key += '@';
    key += via->address();
  }
  auto it = pools_.find(key);
  if (it != pools_.end()) {
    if (!via) last_pool_ = it->second.get();
    return it->second;
  }
  connect_options co = opts_->connect;
  if (u.secure) {
    if (!co.tls) co.tls.emplace();
    if (co.tls->server_name.empty() && !u.unix_path.empty()) co.tls->server_name = "localhost";
  } else {
    co.tls.reset();
  }
  std::string target = u.connect_target();
  std::string proxy_auth;
  const bool absolute_form = via && via->kind == proxy_kind::http && !u.secure;
  if (absolute_form) {
    // Plain HTTP through an HTTP proxy: the proxy gets the requests itself.
    target = via->address();
    if (via->has_credentials()) {
      proxy_auth = "Basic ";
      util::base64_encode(via->user + ":" + via->password, proxy_auth);
    }
  } else if (via) {
    auto routed = route_via(co, *via, u.u.host, u.u.port);
    if (!routed) return routed.error();
    target = std::move(*routed);
  }
  auto p =
      std::make_shared<origin_pool>(shared_from_this(), key, u, std::move(target), std::move(co));
  if (absolute_form) p->use_absolute_form(std::move(proxy_auth));
  pools_.emplace(std::move(key), p);
  if (!via) last_pool_ = p.get();
  return p;
}

void client_core::drop_pool(const origin_pool& p) {
  const auto it = pools_.find(p.key());
  if (it != pools_.end() && it->second.get() == &p) pools_.erase(it);
  if (last_pool_ == &p) last_pool_ = nullptr;
  refresh_gauges();
}

void client_core::fetch_done(client_fetch& f) {
  if (!f.keep_) return;  // not in flight (already done)
  if (f.prev_active_)
    f.prev_active_->next_active_ = f.next_active_;
  else
    active_ = f.next_active_;
  if (f.next_active_) f.next_active_->prev_active_ = f.prev_active_;
  f.prev_active_ = f.next_active_ = nullptr;
  // Released after this event: f may still be on the stack.
  loop_.defer([keep = std::move(f.keep_)] {});
  refresh_gauges();
}

void client_core::refresh_gauges() {
  std::size_t open = 0, idle = 0;
  for (const auto& [key, p] : pools_) {
    open += p->open_count();
    idle += p->idle_count();
  }
  open_.store(open, std::memory_order_relaxed);
  idle_.store(idle, std::memory_order_relaxed);
}

void client_core::shut() {
  shut_ = true;
  std::vector<std::shared_ptr<client_fetch>> all;
  for (client_fetch* f = active_; f; f = f->next_active_)
    all.push_back(f->keep_);
  for (auto& f : all)
    f->cancel();
  const auto pools = pools_;
  for (const auto& [key, p] : pools)
    p->shut();
}

client_stats client_core::stats() const {
  return client_stats{.requests = requests_.load(std::memory_order_relaxed),
                      .connections = connections_.load(std::memory_order_relaxed),
                      .reused = reused_.load(std::memory_order_relaxed),
                      .open = open_.load(std::memory_order_relaxed),
                      .idle = idle_.load(std::memory_order_relaxed)};
}

}  // namespace detail

std::string_view client_response::header(std::string_view name) const noexcept {
  for (const response_field& f : headers)
    if (util::iequals(f.name, name)) return f.value;
  return {};
}

client::client(context& ctx, client_options opts)
    : core_(std::make_shared<detail::client_core>(ctx, std::move(opts))) {}

client::~client() {
  core_->run([](detail::client_core& c) { c.shut(); });
}

request_handle client::submit(client_request req, response_callback whole,
                              response_handlers streamed) {
  auto f = std::make_shared<detail::client_fetch>(core_, std::move(req), std::move(whole),
                                                  std::move(streamed));
  request_handle h(f);
  core_->run([f = std::move(f)](detail::client_core& c) mutable { c.start(std::move(f)); });
  return h;
}

request_handle client::request(client_request req, response_callback done) {
  return submit(std::move(req), std::move(done), {});
}

request_handle client::request(client_request req, response_handlers h) {
  return submit(std::move(req), {}, std::move(h));
}

request_handle client::get(std::string url, response_callback done) {
  client_request req;
  req.url = std::move(url);
  return request(std::move(req), std::move(done));
}

response_awaiter client::get(std::string url) {
  client_request req;
  req.url = std::move(url);
  return response_awaiter(*this, std::move(req));
}

response_awaiter client::request(client_request req) {
  return response_awaiter(*this, std::move(req));
}

void response_awaiter::await_suspend(std::coroutine_handle<> h) {
  client_.request(std::move(req_), [this, h](result<client_response> r) {
    result_.emplace(std::move(r));
    h.resume();
  });
}

client_stats client::stats() const {
  return core_->stats();
}

const client_options& client::options() const noexcept {
  return core_->opts();
}

namespace {

// Runs fn on the request's loop (at once when called there) if it is alive.
template <class Fn>
void with_fetch(const std::weak_ptr<detail::client_fetch>& w, Fn fn) {
  auto f = w.lock();
  if (!f) return;
  f->core().run([weak = w, fn = std::move(fn)](detail::client_core&) mutable {
    if (auto g = weak.lock()) fn(*g);
  });
}

}  // namespace

void request_handle::cancel() const {
  with_fetch(fetch_, [](detail::client_fetch& f) { f.cancel(); });
}
void request_handle::pause() const {
  with_fetch(fetch_, [](detail::client_fetch& f) { f.pause(true); });
}
void request_handle::resume() const {
  with_fetch(fetch_, [](detail::client_fetch& f) { f.pause(false); });
}
void request_handle::resume_body() const {
  with_fetch(fetch_, [](detail::client_fetch& f) { f.resume_body(); });
}

}  // namespace lwspp::http
