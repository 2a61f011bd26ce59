// One request of the HTTP client from start to on_complete: its URL after
// redirects, its attempts (retries, a stale keep-alive connection), the
// total timeout, content decoding, and delivery to the user's callback
// (whole) or handlers (streamed). Each attempt is one exchange on one
// connection (http/client_exchange.hpp). Loop thread only, except the
// request_handle's entry points, which post here.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "http/client_exchange.hpp"
#include "http/client_url.hpp"
#include "http/compressor.hpp"
#include "http/pooled_session.hpp"
#include "lwspp/timer.hpp"

namespace lwspp::http::detail {

class client_core;
class origin_pool;

class client_fetch final : public client_exchange,
                           public std::enable_shared_from_this<client_fetch> {
 public:
  client_fetch(std::shared_ptr<client_core> core, client_request req, response_callback whole,
               response_handlers streamed);
  ~client_fetch() override;

  client_core& core() const noexcept { return *core_; }

  // Loop thread: checks the request and starts the first attempt.
  void begin();
  void cancel();
  void pause(bool on);
  void resume_body();

  // From the pool.
  void attach(pooled_session& s, bool reused);
  void fail_queued(const error_info& why);

  // client_exchange
  const outgoing_request& outgoing() const noexcept override { return out_; }
  source_status pull(body_sink& sink) override;
  void on_sent() override;
  void on_head(client_response& r) override;
  void on_body(std::string_view piece) override;
  void on_end() override;
  void on_fail(const error_info& why, bool anything_received) override;

 private:
  enum class after : std::uint8_t { deliver, redirect, retry, authenticate };

  result<void> prepare();  // checks the request, builds the fixed fields
  void attempt();          // sends the request for url_ to its pool
  void build_outgoing();
  bool may_retry(const error_info& why, bool anything_received) const;
  void schedule_retry();
  void decide(client_response& r);  // what to do with a final response head
  std::optional<std::string> answer_challenge(const client_response& r);
  void start_delivery(client_response& r);
  void deliver_body(std::string_view piece);
  void complete(error_info why);
  void detach();
  static void total_timed_out(void* self);

  // The core's list of requests in flight (client_core::start, fetch_done):
  // the entry that keeps this request alive, and its neighbours.
  friend class client_core;
  std::shared_ptr<client_fetch> keep_;
  client_fetch* prev_active_ = nullptr;
  client_fetch* next_active_ = nullptr;

  std::shared_ptr<client_core> core_;
  client_request req_;
  response_callback whole_;
  response_handlers streamed_;
  client_url url_;
  std::string method_;       // after redirects that change it
  std::string user_fields_;  // the request's own fields, checked, "name: value\r\n"
  std::string fields_;       // user_fields_ and the client's for this attempt
  std::string target_;
  std::string authority_;
  outgoing_request out_;
  std::string user_, password_;        // from the URL, for its origin only
  std::string auth_field_;             // an Authorization answering a challenge
  std::string redirect_to_;            // resolved Location while the redirect's body drains
  std::shared_ptr<origin_pool> pool_;  // while queued or attached
  pooled_session* session_ = nullptr;  // while attached
  std::unique_ptr<decompressor> decoder_;
  std::string decoded_;
  timer total_;
  timer retry_;
  clock_type::time_point started_{}, attached_at_{}, sent_at_{};
  unsigned redirects_ = 0;
  unsigned retries_ = 0;
  after after_ = after::deliver;
  bool stale_retried_ = false;  // sent again once after a reused connection closed
  bool headers_delivered_ = false;
  bool paused_ = false;
  bool done_ = false;
  bool user_agent_set_ = false, accept_encoding_set_ = false, authorization_set_ = false,
       accept_set_ = false, cookie_set_ = false;
};

}  // namespace lwspp::http::detail
