// An HTTP/2 response head: the response's status and fields (kept by the
// HTTP layer as HTTP/1.1 field lines) as an HPACK block (RFC 9113 §8.3.2):
// :status first, names lower-cased, connection-specific fields left out.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "h2/hpack/encoder.hpp"

namespace lwspp::h2 {

struct response_head {
  int status = 200;
  std::string_view fixed_fields;  // the server's own ("server: lwspp\r\n")
  std::string_view fields;        // the handler's, "name: value\r\n" each
  bool has_length = false;
  std::uint64_t length = 0;
};

// Appends the header block to out.
void encode_response_head(hpack::encoder& enc, const response_head& h, std::string& out);
// Appends the block of a trailer section ("name: value\r\n" lines) to out.
void encode_trailers(hpack::encoder& enc, std::string_view lines, std::string& out);

}  // namespace lwspp::h2
