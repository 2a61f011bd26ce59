// The shared state of one lwspp::http::client on its loop: options, the
// per-origin pools, the requests in flight, counters. Co-owned by the
// client object and by what runs on the loop (requests, pools), so that
// destroying the client from any thread is safe: the loop finishes the job.
//
// Threads: the counters are atomics; everything else belongs to the loop
// thread.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include "http/client_url.hpp"
#include "http/cookie_jar.hpp"
#include "lwspp/context.hpp"
#include "lwspp/http_client.hpp"
#include "lwspp/proxy.hpp"

namespace lwspp::http::detail {

class client_fetch;
class origin_pool;

// Appends the client's own fields that the request did not set itself.
void append_client_fields(std::string& out, const client_options& o, bool user_agent_set,
                          bool accept_set, bool accept_encoding_set);

class client_core final : public std::enable_shared_from_this<client_core> {
 public:
  client_core(context& ctx, client_options o);
  ~client_core();

  context& ctx() noexcept { return ctx_; }
  loop& get_loop() noexcept { return loop_; }
  const client_options& opts() const noexcept { return *opts_; }
  std::shared_ptr<const client_options> shared_opts() const noexcept { return opts_; }

  // Any thread: runs fn on the loop thread (at once when called there).
  void run(unique_function<void(client_core&)> fn);

  // Loop thread.
  void start(std::shared_ptr<client_fetch> f);
  // The proxy for a URL: the client's, the environment's, or none.
  result<std::optional<proxy>> proxy_for_url(const client_url& u) const;
  // The pool for a URL through a proxy or not (made on first use).
  result<std::shared_ptr<origin_pool>> pool_for(const client_url& u,
                                                const std::optional<proxy>& via);
  void drop_pool(const origin_pool& p);
  void fetch_done(client_fetch& f);
  // The client object is gone: cancel everything, close the pools.
  void shut();
  bool shut_down() const noexcept { return shut_; }
  // The client's cookies (client_options::cookies), else nullptr.
  cookie_jar* cookies() noexcept { return opts_->cookies ? &jar_ : nullptr; }

  void count_connection() noexcept { connections_.fetch_add(1, std::memory_order_relaxed); }
  void count_request() noexcept { requests_.fetch_add(1, std::memory_order_relaxed); }
  void count_reuse() noexcept { reused_.fetch_add(1, std::memory_order_relaxed); }
  client_stats stats() const;

  void refresh_gauges();

  // The fields the client adds to a request that sets none of them itself
  // (User-Agent, Accept, Accept-Encoding), "name: value\r\n" each, built
  // once: most requests send exactly these.
  const std::string& default_fields() const noexcept { return default_fields_; }

 private:
  context& ctx_;
  loop& loop_;
  std::shared_ptr<const client_options> opts_;
  proxy_environment env_;
  cookie_jar jar_;
  std::string default_fields_;
  std::unordered_map<std::string, std::shared_ptr<origin_pool>> pools_;
  // The direct (proxy-less) pool of the last lookup, one of pools_: most
  // requests go where the one before went, found without building and
  // hashing the key.
  origin_pool* last_pool_ = nullptr;
  // The requests in flight: a list through the requests themselves
  // (client_fetch::keep_ holds each), so starting one allocates nothing here.
  client_fetch* active_ = nullptr;
  bool shut_ = false;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> reused_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> idle_{0};
};

}  // namespace lwspp::http::detail
