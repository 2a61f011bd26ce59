// An HTTP/2 response head: the response's status and fields (kept by the
// HTTP layer as HTTP/1.1 field lines) as an HPACK block (RFC 9113 §8.3.2):
// :status first, names lower-cased, connection-specific fields left out.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "h2/hpack/encoder.hpp"
#include "http/http_date.hpp"

namespace lwspp::h2 {

struct response_head {
  int status = 200;
  std::string_view fixed_fields;  // the server's own ("server: lwspp\r\n")
  std::string_view fields;        // the handler's, "name: value\r\n" each
  bool has_length = false;
  std::uint64_t length = 0;
};

// The session's HPACK encoder for response heads, with the last block kept:
// a server mostly answers with the head it just sent (same status, fields,
// length and date second). When the head is the same, the encoder's table
// has not changed since, and that block inserted nothing into the table
// (replaying it then leaves both tables as they are), the block's bytes are
// the ones the encoder would produce again: they are copied instead of the
// field lines being parsed and encoded anew.
class head_encoder {
 public:
  hpack::encoder& hpack() noexcept { return enc_; }
  // Appends the header block of h to out.
  void response(const response_head& h, std::string& out);
  // Appends the block of a trailer section ("name: value\r\n" lines) to out.
  void trailers(std::string_view lines, std::string& out);

 private:
  bool same_as_last(const response_head& h, std::string_view date) const noexcept;

  hpack::encoder enc_;
  // The last response block, valid while enc_.generation() == last_generation_.
  std::string last_block_;
  std::string last_fixed_, last_fields_;
  char last_date_[http::http_date_length] = {};
  std::uint64_t last_length_ = 0;
  std::uint64_t last_generation_ = ~std::uint64_t{0};
  int last_status_ = 0;
  bool last_has_length_ = false;
};

}  // namespace lwspp::h2
