// The heads of an HTTP/2 client's exchange (RFC 9113 §8.3): the request as
// an HPACK block (pseudo-header fields :method [:protocol] :scheme
// :authority :path first, names lower-cased, connection-specific fields left out, a
// content-length when the body's length is known), and the response's
// decoded fields checked and turned into a client_response.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "h2/hpack/encoder.hpp"
#include "h2/hpack/header_list.hpp"
#include "http/client_exchange.hpp"

namespace lwspp::h2 {

// Appends the request's header block to out.
void encode_request_head(hpack::encoder& enc, const http::detail::outgoing_request& r,
                         std::string_view scheme, std::string& out);

struct response_head_result {
  const char* error = nullptr;  // malformed (§8.1.1): why; nullptr when well-formed
  int status = 0;
  std::int64_t content_length = -1;  // -1: none sent
};

// Checks a response head (one :status, 100-999, before any regular field;
// no other pseudo-field; names lower-case tokens; values without NUL, CR,
// LF or edge whitespace; no connection-specific field; content-length
// values that agree) and fills r's status, version (20) and headers.
response_head_result read_response_head(const hpack::header_list& fields, http::client_response& r);
// Trailers: regular fields only, each well-formed. nullptr when they are.
const char* check_trailers(const hpack::header_list& fields);

}  // namespace lwspp::h2
