// The connections of one HTTP client to one origin (scheme, host, port or
// socket path, and the proxy used): idle ones kept for reuse (most recently
// used first, each closed after idle_timeout), at most
// max_connections_per_origin open or opening, and the requests waiting for
// one, first come first served. Loop thread only.
//
// A new connection is opened when a request waits and the cap allows; when
// it opens it takes the oldest waiting request. When an attempt to connect
// fails, the oldest waiting request fails with its reason (the others keep
// waiting, and a new attempt starts for them).
//
// HTTP/2: a connection that speaks h2 (ALPN over TLS, or prior knowledge)
// carries every request of the origin at once, so the pool keeps one: until
// the first connection tells which version the origin speaks, only one is
// opened; then h2 origins get another only when no open one takes requests
// any more (GOAWAY, stream ids used up), and requests beyond the server's
// MAX_CONCURRENT_STREAMS wait. HTTP/1.1 origins are pooled as before.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "http/client_url.hpp"
#include "lwspp/context.hpp"
#include "lwspp/http_client.hpp"

#include "http/pooled_session.hpp"

namespace lwspp::http::detail {

class client_core;
class client_fetch;

class origin_pool final : public session_owner, public std::enable_shared_from_this<origin_pool> {
 public:
  // Requests for `where` go to `target` (the origin itself, or a proxy with
  // `via` set in the connect options).
  origin_pool(const std::shared_ptr<client_core>& core, std::string key, client_url where,
              std::string target, connect_options co);
  ~origin_pool() override;

  const std::string& key() const noexcept { return key_; }
  // Whether u is of this pool's origin (scheme, host, port, socket path).
  bool same_origin(const client_url& u) const noexcept {
    return u.u.port == where_.u.port && u.u.host == where_.u.host &&
           u.u.scheme == where_.u.scheme && u.unix_path == where_.unix_path;
  }
  // Plain HTTP through an HTTP proxy: requests go in absolute form, with
  // this Proxy-Authorization value (may be empty).
  void use_absolute_form(std::string proxy_authorization);
  bool absolute_form() const noexcept { return absolute_form_; }
  const std::string& proxy_authorization() const noexcept { return proxy_auth_; }
  const client_options& opts() const noexcept override { return *opts_; }
  bool secure() const noexcept override { return where_.secure; }

  // A request for this origin: started on a connection now, or queued.
  void submit(std::shared_ptr<client_fetch> f);
  // A queued request gave up (cancel, total timeout): forget it.
  void withdraw(const client_fetch& f) noexcept;
  // Closes idle connections and drops the queue (the client is going away;
  // fetches were failed by their owner).
  void shut();
  bool empty() const noexcept { return sessions_.empty() && waiting_.empty(); }

  // From the sessions: open, has room for more requests (idle, or a
  // stream ended), closed.
  void session_open(pooled_session& s) override;
  void session_idle(pooled_session& s) override;
  void session_closed(pooled_session& s, const close_reason& why, bool was_open) override;
  // An HTTP/1.1 session whose connection negotiated "h2" (ALPN): an h2
  // session takes the connection over.
  void switch_to_h2(pooled_session& h1, connection& c);

  std::size_t open_count() const noexcept { return sessions_.size(); }
  std::size_t idle_count() const noexcept;

 private:
  void dispatch();  // pairs waiting requests with idle sessions, opens connections
  void open_connection();
  void give(pooled_session& s, std::shared_ptr<client_fetch> f);
  bool may_open() const noexcept;

  // The core owns the pool through its map; connections outlive both when
  // the client goes away, so the pool keeps what they read (options, the
  // context) itself and reaches the core weakly.
  std::weak_ptr<client_core> core_;
  std::shared_ptr<const client_options> opts_;
  context& ctx_;
  std::string key_;
  client_url where_;
  std::string target_;
  connect_options co_;
  std::vector<pooled_session*> sessions_;  // open or opening (owned by their connections)
  std::vector<pooled_session*> idle_;      // a stack: the last to go idle is reused first
  std::deque<std::shared_ptr<client_fetch>> waiting_;
  std::size_t opening_ = 0;  // connections not open yet
  std::uint64_t next_serial_ = 0;
  std::string proxy_auth_;
  bool absolute_form_ = false;
  // Which version the origin speaks: unknown until a connection opens when
  // h2 is possible (TLS with ALPN, or prior knowledge).
  enum class wire : std::uint8_t { unknown, h1, h2 };
  wire wire_ = wire::h1;
  bool prior_knowledge_ = false;  // cleartext h2 from the first byte
  bool shut_ = false;
};

}  // namespace lwspp::http::detail
