// An HTTP/2 request head (RFC 9113 §8.2-8.3) checked and turned into the
// transport-independent request: pseudo-header fields first and each once,
// the required ones present, names lower-case, no connection-specific
// fields. A malformed head is a stream PROTOCOL_ERROR (§8.1.1).
#pragma once
#include <cstdint>

#include "h2/frame_error.hpp"
#include "h2/hpack/header_list.hpp"
#include "h2/priority.hpp"
#include "http/exchange.hpp"

namespace lwspp::h2 {

struct request_head_result {
  // protocol_error: malformed, reset the stream (reason says why).
  error code = error::no_error;
  const char* reason = "";
  // Well-formed but to be answered without a handler: 400 (a path that
  // cannot be normalised), 501 (CONNECT: this is an origin server).
  int status = 0;
  // The content-length field, when sent (-1: none); DATA must add up to it.
  std::int64_t content_length = -1;
  // RFC 9218: from the priority field(s), defaults when none.
  priority prio;
};

// Fills ex.req from the decoded fields. The fields' bytes become the
// request's storage (no copy) and the list is left empty.
request_head_result read_request_head(hpack::header_list& fields, http::detail::exchange& ex);

}  // namespace lwspp::h2
