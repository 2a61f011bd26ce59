// One request of the HTTP client. See client_fetch.hpp.
#include "http/client_fetch.hpp"

#include "h2/frame_error.hpp"
#include "http/auth_challenge.hpp"
#include "http/basic_auth.hpp"
#include "http/client_core.hpp"
#include "http/cookie_jar.hpp"
#include "http/digest_auth.hpp"
#include "http/origin_pool.hpp"
#include "util/ascii.hpp"
#include "util/backoff.hpp"

namespace lwspp::http::detail {
namespace {

error_info client_failure(client_error e, std::string detail) {
  return error_info(make_error_code(e), std::move(detail));
}

bool is_redirect(int status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// RFC 9110 §9.2.2.
bool idempotent(std::string_view m) noexcept {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" || m == "DELETE";
}

// Methods whose requests carry a body by convention: Content-Length: 0
// when it is empty (some servers answer 411 otherwise).
bool expects_body(std::string_view m) noexcept {
  return m == "POST" || m == "PUT" || m == "PATCH";
}

// The fields the client writes itself: refused from the caller.
bool client_owned(std::string_view name) noexcept {
  return util::iequals(name, "host") || util::iequals(name, "content-length") ||
         util::iequals(name, "transfer-encoding") || util::iequals(name, "connection");
}

std::chrono::microseconds since(clock_type::time_point from, clock_type::time_point to) {
  if (from == clock_type::time_point{} || to < from) return std::chrono::microseconds(0);
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from);
}

// The Content-Encoding of a response as a coding we decode; nullopt for one
// we cannot (named in `what`).
std::optional<content_coding> coding_of(std::string_view v, std::string& what) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  if (v.empty() || util::iequals(v, "identity")) return content_coding::identity;
  if (util::iequals(v, "gzip") || util::iequals(v, "x-gzip")) return content_coding::gzip;
  if (util::iequals(v, "br") && coding_available(content_coding::br)) return content_coding::br;
  what.assign(v);
  return std::nullopt;
}

}  // namespace

client_fetch::client_fetch(std::shared_ptr<client_core> core, client_request req,
                           response_callback whole, response_handlers streamed)
    : core_(std::move(core)),
      req_(std::move(req)),
      whole_(std::move(whole)),
      streamed_(std::move(streamed)),
      // The allocation-free timer form: a lambda would be stored on the heap,
      // two allocations for every request though these timers rarely fire.
      total_(core_->get_loop(), &client_fetch::total_timed_out, this),
      retry_(
          core_->get_loop(), [](void* f) { static_cast<client_fetch*>(f)->attempt(); }, this) {}

void client_fetch::total_timed_out(void* self) {
  auto* f = static_cast<client_fetch*>(self);
  f->complete(client_failure(client_error::total_timeout,
                             "the request took more than " +
                                 std::to_string(f->core_->opts().total_timeout.count()) + " ms"));
}

client_fetch::~client_fetch() = default;

void client_fetch::begin() {
  started_ = core_->get_loop().refresh_now();
  if (auto ok = prepare(); !ok) {
    complete(ok.error());
    return;
  }
  if (core_->opts().total_timeout.count() > 0) total_.arm(core_->opts().total_timeout);
  attempt();
}

result<void> client_fetch::prepare() {
  auto u = parse_client_url(req_.url);
  if (!u) return u.error();
  url_ = std::move(*u);
  if (url_.u.has_userinfo) {
    user_ = url_.u.user;
    password_ = url_.u.password;
  }
  if (!util::is_token(req_.method))
    return client_failure(client_error::bad_request, "the method is not a token");
  method_ = req_.method;
  for (const auto& [name, value] : req_.headers) {
    if (!util::is_token(name))
      return client_failure(client_error::bad_request,
                            "a header name that is not a token: \"" + name + "\"");
    if (!util::is_field_value(value))
      return client_failure(client_error::bad_request,
                            "the value of " + name + " holds CR, LF, NUL or another control");
    if (client_owned(name))
      return client_failure(client_error::bad_request, name + " is the client's to write");
    user_agent_set_ |= util::iequals(name, "user-agent");
    accept_encoding_set_ |= util::iequals(name, "accept-encoding");
    authorization_set_ |= util::iequals(name, "authorization");
    accept_set_ |= util::iequals(name, "accept");
    cookie_set_ |= util::iequals(name, "cookie");
    user_fields_ += name;
    user_fields_ += ": ";
    user_fields_ += value;
    user_fields_ += "\r\n";
  }
  return {};
}

void client_fetch::build_outgoing() {
  const bool proxy_auth = pool_->absolute_form() && !pool_->proxy_authorization().empty();
  std::string cookies;
  if (cookie_jar* jar = core_->cookies(); jar && !cookie_set_) {
    const request_url u{.scheme = url_.u.scheme, .host = url_.u.host, .path = url_.u.resource};
    cookies = jar->header_for(u, cookie_jar::clock::now());
  }
  // A request that adds no field of its own sends the client's, built once.
  const bool plain = user_fields_.empty() && auth_field_.empty() && !proxy_auth && cookies.empty();
  fields_.clear();
  if (!plain) {
    fields_ = user_fields_;
    append_client_fields(fields_, core_->opts(), user_agent_set_, accept_set_,
                         accept_encoding_set_);
  }
  if (!cookies.empty()) {
    fields_ += "Cookie: ";
    fields_ += cookies;
    fields_ += "\r\n";
  }
  if (!auth_field_.empty() && !authorization_set_) {
    fields_ += "Authorization: ";
    fields_ += auth_field_;
    fields_ += "\r\n";
  }
  if (pool_->absolute_form()) {
    target_ = url_.to_string();
    if (!pool_->proxy_authorization().empty()) {
      fields_ += "Proxy-Authorization: ";
      fields_ += pool_->proxy_authorization();
      fields_ += "\r\n";
    }
  } else {
    target_ = url_.u.resource;
  }
  authority_ = url_.authority();
  const bool streamed = static_cast<bool>(req_.source);
  out_ = outgoing_request{
      .method = method_,
      .target = target_,
      .authority = authority_,
      .fields = plain ? std::string_view(core_->default_fields()) : std::string_view(fields_),
      .body = streamed ? std::string_view() : std::string_view(req_.body),
      .streamed = streamed,
      .send_length = expects_body(method_),
      .has_length = streamed && req_.content_length.has_value(),
      .length = req_.content_length.value_or(0),
      .head = method_ == "HEAD",
      .idempotent = idempotent(method_),
  };
}

void client_fetch::attempt() {
  if (done_) return;
  auto via = core_->proxy_for_url(url_);
  if (!via) {
    complete(via.error());
    return;
  }
  auto pool = core_->pool_for(url_, *via);
  if (!pool) {
    complete(pool.error());
    return;
  }
  pool_ = std::move(*pool);
  build_outgoing();
  response = client_response{};
  decoder_.reset();
  after_ = after::deliver;
  pool_->submit(shared_from_this());
}

void client_fetch::attach(pooled_session& s, bool reused) {
  session_ = &s;
  attached_at_ = core_->get_loop().refresh_now();
  response.timings.reused = reused;
  if (reused) {
    core_->count_reuse();
  } else {
    const clock_type::time_point from = std::max(started_, s.created_at());
    response.timings.connect = since(from, s.opened_at());
  }
  if (paused_) s.pause(*this, true);
}

void client_fetch::fail_queued(const error_info& why) {
  pool_.reset();
  if (may_retry(why, false)) {
    schedule_retry();
    return;
  }
  complete(why);
}

source_status client_fetch::pull(body_sink& sink) {
  return req_.source ? req_.source(sink) : source_status::done;
}

void client_fetch::on_sent() {
  sent_at_ = core_->get_loop().refresh_now();
}

void client_fetch::on_head(client_response& r) {
  r.timings.first_byte = since(sent_at_, core_->get_loop().refresh_now());
  if (cookie_jar* jar = core_->cookies()) {
    // Every response stores its cookies: a redirect's and a challenge's too.
    const request_url u{.scheme = url_.u.scheme, .host = url_.u.host, .path = url_.u.resource};
    const auto now = cookie_jar::clock::now();
    for (const response_field& f : r.headers)
      if (util::iequals(f.name, "set-cookie")) jar->store(f.value, u, now);
  }
  decide(r);
}

// The Authorization value answering a 401's challenges with the URL's
// credentials: Digest (the strongest algorithm offered) over Basic.
// nullopt when none can be answered (the 401 is then the response).
std::optional<std::string> client_fetch::answer_challenge(const client_response& r) {
  std::string joined;
  for (const response_field& f : r.headers) {
    if (!util::iequals(f.name, "www-authenticate")) continue;
    if (!joined.empty()) joined += ", ";
    joined += f.value;
  }
  auto challenges = parse_challenges(joined);
  if (!challenges) return std::nullopt;
  const auth_challenge* c = pick_challenge(*challenges);
  if (!c) return std::nullopt;
  if (util::iequals(c->scheme, "basic")) {
    auto v = basic_authorization(user_, password_);
    return v ? std::optional<std::string>(std::move(*v)) : std::nullopt;
  }
  auto d = parse_digest_challenge(*c);
  if (!d) return std::nullopt;
  digest_session session(std::move(*d));
  auto v = session.authorization(user_, password_, method_, target_);
  return v ? std::optional<std::string>(std::move(*v)) : std::nullopt;
}

void client_fetch::decide(client_response& r) {
  const client_options& o = core_->opts();
  const bool replayable = !req_.source;
  if (is_redirect(r.status) && o.max_redirects > 0) {
    const std::string_view location = r.header("location");
    const bool keeps_body = r.status == 307 || r.status == 308;
    if (!location.empty() && (replayable || !keeps_body)) {
      if (redirects_ >= o.max_redirects) {
        complete(client_failure(client_error::too_many_redirects,
                                std::to_string(r.status) + " to " + std::string(location) +
                                    " after " + std::to_string(redirects_) + " redirects"));
        return;
      }
      auto next = resolve_redirect(url_, location);
      if (!next) {
        complete(next.error());
        return;
      }
      redirect_to_ = next->to_string();
      after_ = after::redirect;
      return;
    }
  }
  if (r.status == 401 && !user_.empty() && auth_field_.empty() && !authorization_set_ &&
      replayable) {
    if (auto a = answer_challenge(r)) {
      auth_field_ = std::move(*a);
      after_ = after::authenticate;
      return;
    }
  }
  if ((r.status == 503 || r.status == 429) && retries_ < o.retry.attempts && replayable &&
      idempotent(method_)) {
    after_ = after::retry;
    return;
  }
  start_delivery(r);
}

void client_fetch::start_delivery(client_response& r) {
  const client_options& o = core_->opts();
  r.url = url_.to_string(authority_);  // authority_ is url_'s, made for this attempt's Host
  r.redirects = redirects_;
  if (o.decompress && !out_.head && r.status != 204 && r.status != 304) {
    std::string what;
    const auto c = coding_of(r.header("content-encoding"), what);
    if (!c) {
      complete(
          client_failure(client_error::decode_failed, "unsupported Content-Encoding: " + what));
      return;
    }
    if (*c != content_coding::identity) {
      const bool whole = static_cast<bool>(whole_);
      decoder_ = decompressor::make(*c, whole ? o.max_body + 1 : UINT64_MAX);
      if (!decoder_) {
        complete(client_failure(client_error::decode_failed, "cannot decode " + what));
        return;
      }
    }
  }
  headers_delivered_ = true;
  if (whole_) {
    const std::string_view cl = r.header("content-length");
    std::uint64_t n = 0;
    for (char ch : cl)
      n = ch >= '0' && ch <= '9' ? n * 10 + static_cast<unsigned>(ch - '0') : n;
    if (!decoder_ && n > 0 && n <= o.max_body) r.body.reserve(n);
  } else if (streamed_.on_headers) {
    streamed_.on_headers(r);
  }
}

void client_fetch::on_body(std::string_view piece) {
  if (done_ || after_ != after::deliver || piece.empty()) return;  // a redirect's body drains
  if (!decoder_) {
    deliver_body(piece);
    return;
  }
  decoded_.clear();
  if (auto ok = decoder_->write(piece, decoded_); !ok) {
    if (ok.error().code == make_error_code(coding_error::too_large)) {
      complete(client_failure(client_error::body_too_large,
                              "the decoded body passed max_body (" +
                                  std::to_string(core_->opts().max_body) + " bytes)"));
    } else {
      complete(client_failure(client_error::decode_failed, ok.error().message()));
    }
    return;
  }
  if (!decoded_.empty()) deliver_body(decoded_);
}

void client_fetch::deliver_body(std::string_view piece) {
  if (whole_) {
    if (response.body.size() + piece.size() > core_->opts().max_body) {
      complete(client_failure(
          client_error::body_too_large,
          "the body passed max_body (" + std::to_string(core_->opts().max_body) + " bytes)"));
      return;
    }
    response.body.append(piece);
  } else if (streamed_.on_body) {
    streamed_.on_body(piece);
  }
}

void client_fetch::on_end() {
  session_ = nullptr;
  pool_.reset();
  if (done_) return;
  switch (after_) {
    case after::redirect: {
      ++redirects_;
      auto next = resolve_redirect(url_, redirect_to_);
      // The method rules (RFC 9110 §15.4): 303 makes a GET of anything but
      // HEAD; 301 and 302 make a GET of a POST (as every browser does);
      // 307 and 308 keep both method and body.
      const int status = response.status;
      if ((status == 303 && method_ != "HEAD") ||
          ((status == 301 || status == 302) && method_ == "POST")) {
        method_ = "GET";
        req_.body.clear();
        req_.source = {};
      }
      if (next->unix_path != url_.unix_path || next->u.scheme != url_.u.scheme ||
          next->u.host != url_.u.host || next->u.port != url_.u.port) {
        // Another origin: credentials stay with the one they were given for.
        user_.clear();
        password_.clear();
        auth_field_.clear();
      }
      if (next->u.has_userinfo) {
        user_ = next->u.user;
        password_ = next->u.password;
      }
      url_ = std::move(*next);
      attempt();
      return;
    }
    case after::authenticate:
      attempt();
      return;
    case after::retry:
      ++retries_;
      schedule_retry();
      return;
    case after::deliver:
      break;
  }
  if (decoder_) {
    if (auto ok = decoder_->finish(); !ok) {
      complete(client_failure(client_error::decode_failed, ok.error().message()));
      return;
    }
  }
  complete({});
}

bool client_fetch::may_retry(const error_info& why, bool anything_received) const {
  if (req_.source || !idempotent(method_) || retries_ >= core_->opts().retry.attempts) return false;
  if (why.code.category() == client_error_category()) {
    const auto e = static_cast<client_error>(why.code.value());
    return e == client_error::first_byte_timeout || e == client_error::read_timeout ||
           e == client_error::truncated;
  }
  (void)anything_received;
  return why.code != make_error_code(error::invalid_address);  // DNS, connect, TLS, reset
}

void client_fetch::schedule_retry() {
  const retry_options& r = core_->opts().retry;
  retry_.arm(util::jittered_backoff(r.initial_delay, r.max_delay, r.multiplier, r.jitter,
                                    retries_ > 0 ? retries_ - 1 : 0));
}

void client_fetch::on_fail(const error_info& why, bool anything_received) {
  const bool reused = response.timings.reused;
  session_ = nullptr;
  pool_.reset();
  if (done_) return;
  // A reused connection the server had closed while it sat idle: the
  // request never reached it. Or an HTTP/2 server said it did not process
  // the request (REFUSED_STREAM, or a GOAWAY below its stream). Send it
  // once more on a new connection. A timeout is no sign of either (on
  // HTTP/2 the connection is alive and carries other streams): the retry
  // options decide about it, below.
  const bool refused = why.code == make_error_code(h2::error::refused_stream);
  const bool timed_out = why.code == make_error_code(client_error::first_byte_timeout) ||
                         why.code == make_error_code(client_error::read_timeout);
  if (!anything_received && !stale_retried_ && !req_.source && !timed_out &&
      (refused ||
       (reused && (idempotent(method_) || why.code == make_error_code(client_error::truncated))))) {
    stale_retried_ = true;
    attempt();
    return;
  }
  if (may_retry(why, anything_received)) {
    ++retries_;
    schedule_retry();
    return;
  }
  complete(why);
}

void client_fetch::detach() {
  if (session_) {
    pooled_session* s = session_;
    session_ = nullptr;
    s->abandon(*this);
  }
  if (pool_) {
    pool_->withdraw(*this);
    pool_.reset();
  }
}

void client_fetch::cancel() {
  complete(client_failure(client_error::cancelled, "cancelled"));
}

void client_fetch::pause(bool on) {
  paused_ = on;
  if (session_) session_->pause(*this, on);
}

void client_fetch::resume_body() {
  if (session_) session_->body_ready(*this);
}

void client_fetch::complete(error_info why) {
  if (done_) return;
  done_ = true;
  auto self = shared_from_this();  // the core drops its reference below
  total_.cancel();
  retry_.cancel();
  detach();
  const clock_type::time_point now = core_->get_loop().refresh_now();
  response.timings.total = since(started_, now);
  if (attached_at_ != clock_type::time_point{})
    response.timings.queued = since(started_, attached_at_) - response.timings.connect;
  if (!headers_delivered_) response.url = url_.to_string();
  core_->count_request();  // before the callback: stats() there counts this request
  if (whole_) {
    response_callback cb = std::move(whole_);
    if (why.code)
      cb(std::move(why));
    else
      cb(std::move(response));
  } else if (streamed_.on_complete) {
    auto cb = std::move(streamed_.on_complete);
    cb(response, why);
  }
  core_->fetch_done(*this);
}

}  // namespace lwspp::http::detail
