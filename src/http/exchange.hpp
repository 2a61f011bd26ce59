// One request/response exchange, as the transport-independent HTTP layer
// sees it. A transport (the h1 server session today, an h2 stream later)
// derives from it: it fills the request, calls into the server's dispatcher,
// and implements the hooks the response uses to go out on the wire.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>

#include "lwspp/function.hpp"
#include "lwspp/http.hpp"

#include "lwspp/http_server.hpp"

namespace lwspp::http::detail {

class route_entry;
// An accepted WebSocket upgrade, from begin() (body_plan::upgrade) until the
// transport hands the connection over (http/ws_upgrade.hpp).
struct ws_upgrade;
struct ws_upgrade_deleter {
  void operator()(ws_upgrade* u) const noexcept;
};

class exchange {
 public:
  exchange() {
    req.ex_ = this;
    res.ex_ = this;
  }
  exchange(const exchange&) = delete;
  exchange& operator=(const exchange&) = delete;
  virtual ~exchange() = default;

  request req;
  response res;

  // --- transport hooks ----------------------------------------------------
  virtual connection& conn() noexcept = 0;
  // Writes a piece of the body; the first call sends the head (framing from
  // the response: has_length(), or `last` with nothing sent yet → exact
  // length, else chunked). `last` ends the response.
  virtual send_result write_body(std::string_view data, bool last) = 0;
  // Sends len bytes of an open file from offset as the body (the head goes
  // first). The transport owns fd from here on and closes it; the response
  // has ended when this returns from the handler's point of view.
  virtual void write_file(int fd, std::uint64_t offset, std::uint64_t len) = 0;
  // Ask for on_writable (the callback is stored below).
  virtual void want_writable() = 0;
  virtual void pause_body(bool pause) = 0;
  // A handler misused the API (a header refused, a write after end): logged.
  virtual void warn(std::string_view what) = 0;

  // --- state the HTTP layer keeps per exchange ---------------------------
  unique_function<void(response&)> writable_cb;
  unique_function<void()> abort_cb;
  const handler* route_handler = nullptr;                   // streaming handlers get body pieces
  const server::impl* srv = nullptr;                        // routes, error pages, settings
  std::uint64_t id = 0;                                     // for response_handle
  std::uint64_t body_bytes_out = 0;                         // for the access log
  std::unique_ptr<ws_upgrade, ws_upgrade_deleter> upgrade;  // body_plan::upgrade
  bool extended_connect = false;  // an HTTP/2 CONNECT with :protocol websocket (RFC 8441)

  // Access to the private parts of request and response for transports.
  static void set_head(request& r, method m, std::string_view method_name, std::string_view target,
                       std::string_view query, std::string_view host, int version) noexcept {
    r.method_ = m;
    r.method_name_ = method_name;
    r.target_ = target;
    r.query_ = query;
    r.host_ = host;
    r.version_ = static_cast<std::uint8_t>(version);
  }
  static std::string& storage(request& r) noexcept { return r.storage_; }
  static std::string& path(request& r) noexcept { return r.path_; }
  static std::string& body(request& r) noexcept { return r.body_; }
  static std::vector<http::header>& headers(request& r) noexcept { return r.headers_; }
  static void set_prefix(request& r, std::size_t n) noexcept {
    r.prefix_len_ = static_cast<std::uint16_t>(n);
  }
  static void set_user(request& r, std::string_view u) noexcept { r.user_ = u; }
  static void mark_head_sent(response& r) noexcept { r.head_sent_ = true; }
  static void mark_ended(response& r) noexcept { r.ended_ = true; }
  // A field the response API refuses to handlers ("upgrade: websocket\r\n").
  static void add_field(response& r, std::string_view line) { r.fields_.append(line); }

  // Forget the previous exchange (keeps capacity for the next one). Field by
  // field: this runs once per request, and rebuilding request{} and
  // response{} (then moving the kept buffers back) cost more than the rest
  // of the exchange's bookkeeping together.
  void reset() noexcept {
    request& r = req;
    r.user_state_.reset();
    r.user_type_ = nullptr;
    r.method_ = method::other;
    r.version_ = 11;
    r.prefix_len_ = 0;
    r.method_name_ = r.target_ = r.query_ = r.host_ = r.user_ = {};
    r.path_.clear();
    r.storage_.clear();
    r.headers_.clear();
    r.body_.clear();
    response& s = res;
    s.fields_.clear();
    s.trailers_.clear();
    s.length_ = 0;
    s.status_ = 200;
    s.has_length_ = s.has_type_ = s.head_sent_ = s.ended_ = false;
    if (writable_cb) writable_cb = nullptr;
    if (abort_cb) abort_cb = nullptr;
    route_handler = nullptr;
    body_bytes_out = 0;
    if (upgrade) upgrade.reset();
    extended_connect = false;
  }
};

// The exchange a response belongs to (used by response_handle).
class exchange_host {
 public:
  virtual ~exchange_host() = default;
  virtual exchange* find_exchange(std::uint64_t id) noexcept = 0;
};

}  // namespace lwspp::http::detail
