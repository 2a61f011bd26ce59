// The control block of one lwspp::ws::client: its configuration, the URL
// (after redirects), the current attempt, and reconnecting. Co-owned by the
// `client` handles and by the attempt's session; while it waits to
// reconnect it owns itself and is a member of its loop (so that a stopping
// loop ends the wait).
//
// Threads: everything but the atomics, the URL (under its mutex) and
// post() belongs to the loop thread.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "lwspp/context.hpp"
#include "lwspp/timer.hpp"
#include "lwspp/ws_client.hpp"
#include "ws/deflate_offer.hpp"
#include "ws/session.hpp"
#include "ws/url.hpp"

namespace lwspp::detail {
struct post_queue;
}

namespace lwspp::ws::detail {

class client_core final : public std::enable_shared_from_this<client_core>,
                          private lwspp::detail::loop_member {
 public:
  client_core(context& ctx, url u, handlers h, client_options o);
  ~client_core();

  // Any thread: runs fn on the loop thread (false once the loop is gone).
  bool post(unique_function<void(client_core&)> fn);

  // Loop thread.
  void start_attempt();
  void stop(std::optional<std::pair<close_code, std::string>> close_with);
  session* open_session() const noexcept;

  // For the attempt's session (loop thread).
  endpoint_config& config() noexcept { return cfg_; }
  const client_options& options() const noexcept { return opts_; }
  const std::optional<deflate_client_settings>& deflate_offer() const noexcept { return offer_; }
  url current_url() const;
  void attached(session& s) noexcept { session_ = &s; }
  void opened() noexcept { failures_ = 0; }
  // A redirect to follow: false when over the limit (the caller fails).
  bool redirect_to(url next);
  // The attempt's connection has closed. Called before handlers::close
  // (so that finished() is true there when nothing follows); after_close()
  // then starts what follows.
  void closing(bool was_open, const close_reason& why);
  void after_close();
  bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }
  // Whether the close of the current attempt is a redirect's (no report).
  bool redirecting() const noexcept { return redirect_.has_value(); }
  // HTTP/2 (RFC 8441): whether the attempt's connection c, just open, goes
  // on in HTTP/2 (ALPN chose "h2", or prior knowledge in cleartext).
  bool use_h2(const connection& c) const noexcept;
  // The server's SETTINGS do not enable extended CONNECT: the current
  // attempt ends quietly (as for a redirect) and the next one, at once, and
  // every later one use HTTP/1.1.
  void fall_back_to_h1();

 private:
  void on_loop_shutdown() override;
  void on_loop_force_close() override;
  void on_io(std::uint32_t) override {}
  void schedule_retry();
  void end();
  std::chrono::milliseconds next_delay();

  context& ctx_;
  loop& loop_;
  std::shared_ptr<lwspp::detail::post_queue> queue_;
  endpoint_config cfg_;  // handlers and ws options (protocols: the ones we offer)
  client_options opts_;
  std::optional<deflate_client_settings> offer_;
  mutable std::mutex url_mutex_;
  url url_;     // under url_mutex_
  url origin_;  // the URL connect() was given: every reconnect starts there
  std::optional<url> redirect_;
  session* session_ = nullptr;  // the attempt's, from its on_open to its on_close
  connection_handle conn_;
  std::shared_ptr<client_core> self_;  // while waiting to reconnect
  timer retry_;
  unsigned failures_ = 0;   // attempts in a row that did not open
  unsigned redirects_ = 0;  // redirects followed in this attempt
  bool stopped_ = false;
  bool h1_only_ = false;     // the server has no extended CONNECT (fall_back_to_h1)
  bool retry_next_ = false;  // closing() decided that a new attempt follows
  std::atomic<bool> finished_{false};
};

// A client failure as a close reason: what went wrong, and the HTTP status
// when the server answered with one.
inline close_reason client_failure(client_error e, std::string detail, int code = 0) {
  return close_reason(make_error_code(e), std::move(detail), code);
}

// The opening handshake got no answer to `request` within the timeout.
inline close_reason handshake_timed_out(const client_options& o, std::string_view request) {
  return client_failure(client_error::handshake_timeout,
                        "no answer to " + std::string(request) + " within " +
                            std::to_string(o.handshake_timeout.count()) + " ms");
}

}  // namespace lwspp::ws::detail
