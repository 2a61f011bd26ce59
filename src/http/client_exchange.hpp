// One request on one client connection, as the transport sees it: what to
// write, and where to report what comes back. The HTTP client's request
// state (http/client_fetch.hpp) implements it; a transport (the h1 client
// session today, an h2 stream later) drives it. Loop thread only.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "lwspp/error.hpp"
#include "lwspp/http_client.hpp"

namespace lwspp::http::detail {

// The request as it goes on the wire, version-independent.
struct outgoing_request {
  std::string_view method;
  std::string_view target;     // origin-form "/p?q", or absolute-form through an HTTP proxy
  std::string_view authority;  // the Host field / :authority
  std::string_view fields;     // "name: value\r\n" each, already checked
  std::string_view body;       // the whole body (when !streamed)
  bool streamed = false;       // the body comes from pull()
  bool send_length = false;    // a Content-Length for the whole body (also 0)
  bool has_length = false;     // a streamed body of known length...
  std::uint64_t length = 0;    // ...this one (else chunked)
  bool head = false;           // HEAD: the response has no body
  bool idempotent = false;     // may be pipelined and sent again
  // RFC 8441 extended CONNECT (HTTP/2 only): ":protocol" ("websocket"). The
  // stream is then a tunnel: its response body runs as long as the request's.
  std::string_view protocol = {};
};

class client_exchange {
 public:
  virtual ~client_exchange() = default;

  virtual const outgoing_request& outgoing() const noexcept = 0;
  // A streamed body: writes what it has through the sink.
  virtual source_status pull(body_sink& sink) = 0;

  // The transport's reports, in order: sent (the request is out), head
  // (the final response's status and fields in `r`), body pieces, end —
  // or fail at any point, after which nothing more comes. `reused` says the
  // connection had served requests before; `anything_received` whether any
  // byte of the response arrived (a request that failed on a reused
  // connection before any answer can be sent again).
  virtual void on_sent() {}
  virtual void on_head(client_response& r) = 0;
  virtual void on_body(std::string_view piece) = 0;
  virtual void on_end() = 0;
  virtual void on_fail(const error_info& why, bool anything_received) = 0;

  // Where the transport keeps the response head it fills for on_head.
  client_response response;
};

// The transport's side, for the request's owner: stop delivery, restart it,
// give up on the request (the connection cannot carry a half-read
// response: it is closed), a deferred body has more.
class client_transport {
 public:
  virtual ~client_transport() = default;
  virtual void pause(client_exchange& x, bool on) = 0;
  virtual void abandon(client_exchange& x) = 0;
  virtual void body_ready(client_exchange& x) = 0;
};

}  // namespace lwspp::http::detail
