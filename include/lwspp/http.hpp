// lwspp::http — the HTTP message model shared by HTTP/1.1 and HTTP/2: a
// request a handler reads and a response it writes, whole or streamed.
//
// A handler gets `request&` and `response&` on the loop thread. Both stay
// valid until the response has ended or the exchange has been aborted (the
// peer went away: see response::on_abort). A handler may return before
// answering (a deferred response) and answer later on the loop thread, or
// from any thread through response::handle().
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lwspp/address.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/function.hpp"
#include "lwspp/http_method.hpp"

namespace lwspp::http {

class response;
namespace detail {
class exchange;
}

// A header field as received (name case kept) or as set.
struct header {
  std::string_view name;
  std::string_view value;
};

// The standard reason phrase of a status code ("Not Found"); "" if unknown.
std::string_view status_text(int code) noexcept;

class request {
 public:
  method verb() const noexcept { return method_; }
  std::string_view method_name() const noexcept { return method_name_; }
  // The request-target exactly as received ("/a%20b?x=1").
  std::string_view target() const noexcept { return target_; }
  // The path: percent-decoded once and normalised ("/a b"); never contains
  // "..", "." or empty segments. Routing uses this.
  std::string_view path() const noexcept { return path_; }
  // The path below the matched route or mount prefix ("/img/a.png" under
  // mount "/static" for "/static/img/a.png").
  std::string_view subpath() const noexcept;
  // The raw query, without '?' ("x=1&y=%20").
  std::string_view query() const noexcept { return query_; }
  // The first value of a query parameter, decoded ("" if absent).
  std::string query_param(std::string_view name) const;
  // 10, 11 or 20.
  int version() const noexcept { return version_; }
  std::string_view host() const noexcept { return host_; }
  // The first value of a header (case-insensitive name), "" if absent.
  std::string_view header(std::string_view name) const noexcept;
  std::span<const http::header> headers() const noexcept { return headers_; }
  // The whole body (handlers that did not ask for streaming).
  std::string_view body() const noexcept { return body_; }
  // The user name when the route is protected by basic auth.
  std::string_view user() const noexcept { return user_; }
  address peer() const;
  // The connection carrying this request (shared by all streams on HTTP/2).
  connection& conn() const noexcept;

  // Streaming handlers: stop and restart delivery of body chunks (the
  // transport stops reading, so the peer is held back by TCP or h2 flow control).
  void pause_body();
  void resume_body();

  // Per-request user state of type T (default-constructed on first use,
  // destroyed with the exchange): where a streaming handler keeps what it
  // builds from on_request to on_body_end. One type per request: asking for
  // a second type aborts with a message, as connection::state_as does.
  template <class T>
  T& state_as() {
    if (!user_state_) {
      user_state_ = {new T(), [](void* p) { delete static_cast<T*>(p); }};
      user_type_ = &type_tag<T>;
    }
    if (user_type_ != &type_tag<T>) bad_state_type();
    return *static_cast<T*>(user_state_.get());
  }

 private:
  friend class detail::exchange;
  template <class T>
  static constexpr char type_tag = 0;
  [[noreturn]] static void bad_state_type();
  // detail::exchange::reset() clears each member: add new ones there too.
  std::unique_ptr<void, void (*)(void*)> user_state_{nullptr, nullptr};
  const void* user_type_ = nullptr;
  detail::exchange* ex_ = nullptr;
  method method_ = method::other;
  std::uint8_t version_ = 11;
  std::uint16_t prefix_len_ = 0;  // length of the matched route prefix in path_
  std::string_view method_name_, target_, query_, host_, user_;
  std::string path_;
  std::string storage_;  // the head's bytes, which the views above point into
  std::vector<http::header> headers_;
  std::string body_;
};

// What a streamed write or a whole send reports (same as connection::send).
using http_send_result = send_result;

// Answers cross-thread: a weak reference to a response that has not ended.
// Every call posts to the response's loop and does nothing once the
// exchange is over (returns false when that is already known).
class response_handle {
 public:
  response_handle() = default;
  bool send(int status, std::string body, std::string content_type = "") const;
  bool write(std::string chunk) const;
  bool end() const;
  // Runs fn(response&) on the loop thread if the response is still open.
  bool dispatch(unique_function<void(response&)> fn) const;

 private:
  friend class response;
  response_handle(connection_handle c, std::uint64_t id) : conn_(std::move(c)), id_(id) {}
  connection_handle conn_;
  std::uint64_t id_ = 0;
};

class response {
 public:
  // --- the head (before anything is sent) --------------------------------
  response& status(int code) noexcept;
  int status() const noexcept { return status_; }
  // Adds a header. A name that is not a token, or a value with CR, LF or
  // NUL, is refused (logged and dropped): nothing a handler passes can split
  // the response. Framing headers (Content-Length, Transfer-Encoding,
  // Connection) are the library's; setting them is refused as well.
  response& header(std::string_view name, std::string_view value);
  response& content_type(std::string_view type) { return header("content-type", type); }
  // For a streamed response of known size: sent with Content-Length instead
  // of chunked framing. Writing more than this aborts the connection.
  response& content_length(std::uint64_t n) noexcept;

  // Adds a trailer field, sent after the body: any time before the response
  // ends (a checksum of what was streamed, gRPC's status). HTTP/2 always
  // carries them (a HEADERS frame after the DATA); HTTP/1.1 only on a chunked
  // response (streamed with no length to a 1.1 client) and drops them
  // otherwise, as it does on HEAD, 204 and 304 answers. Checked like
  // header(); framing, routing and the fields a head needs (content-type,
  // host, authorization, set-cookie...) are refused.
  response& trailer(std::string_view name, std::string_view value);

  // --- whole responses (end the exchange) --------------------------------
  // Sends the body with Content-Length (text/plain unless a type was set).
  void send(std::string_view body);
  void send(int status, std::string_view body);
  // An error page: the vhost's custom page for the status if configured, or
  // a short text body.
  void send_error(int status);
  void redirect(int status, std::string_view location);

  // --- streamed responses -------------------------------------------------
  // Sends the head (once) and a piece of the body. When the result reports
  // backpressure, wait for on_writable before writing more.
  send_result write(std::string_view chunk);
  // Ends a streamed response (the last chunk on chunked framing).
  void end();
  // Called once when the transport can take more after backpressure was
  // reported (or at once when it already can).
  void on_writable(unique_function<void(response&)> fn);
  // Called if the exchange dies before end(): the peer closed or reset, a
  // timeout, the server stopping. The request and response are gone after it.
  void on_abort(unique_function<void()> fn);

  bool headers_sent() const noexcept { return head_sent_; }
  bool ended() const noexcept { return ended_; }
  // For answering later from another thread.
  response_handle handle() const;

  // --- for library layers ---------------------------------------------------
  // The header fields set so far, "name: value\r\n" each.
  std::string_view fields() const noexcept { return fields_; }
  bool has_length() const noexcept { return has_length_; }
  std::uint64_t length() const noexcept { return length_; }
  bool has_content_type() const noexcept { return has_type_; }
  // The trailer fields, "name: value\r\n" each.
  std::string_view trailer_fields() const noexcept { return trailers_; }

 private:
  friend class detail::exchange;
  // detail::exchange::reset() clears each member: add new ones there too.
  detail::exchange* ex_ = nullptr;
  std::string fields_;
  std::string trailers_;
  std::uint64_t length_ = 0;
  std::uint16_t status_ = 200;
  bool has_length_ = false;
  bool has_type_ = false;
  bool head_sent_ = false;
  bool ended_ = false;
};

}  // namespace lwspp::http
