// Errors of the HPACK codec (category "lwspp.hpack", RFC 7541). Every one
// but header_list_too_large leaves the decoder's dynamic table unusable: the
// connection must end with COMPRESSION_ERROR (RFC 9113 §4.3).
// header_list_too_large is not a compression error: the block was decoded
// in full and the table is in step, only the fields were dropped; the server
// answers 431 (or resets that stream) and the connection goes on.
#pragma once
#include <cstdint>
#include <string_view>
#include <system_error>

namespace lwspp::h2::hpack {

enum class error {
  // 0 is "no error" for std::error_code.
  truncated = 1,             // an integer or string runs past the end of the block
  integer_overflow,          // an integer over 2^32-1, or with more continuation bytes
                             // than any such value needs
  string_too_long,           // a string literal longer than max_string_length
  bad_huffman,               // Huffman data with EOS in it, padding over 7 bits, or
                             // padding that is not all ones (RFC 7541 §5.2)
  bad_index,                 // index 0, or past the end of the static + dynamic table
  size_update_too_large,     // a dynamic table size update over the SETTINGS maximum
  size_update_not_at_start,  // a dynamic table size update after a field (§4.2)
  size_update_missing,       // the maximum was lowered below the table's size and the
                             // next block did not start with an update (§4.2)
  header_list_too_large,     // the decoded list (name + value + 32 per field, RFC 9113
                             // §6.5.2) exceeds max_header_list_size: 431, not fatal
};

// RFC 9113 §7 error codes this codec's errors map to.
inline constexpr std::uint32_t compression_error_code = 0x9;  // COMPRESSION_ERROR

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// True when the connection must end with COMPRESSION_ERROR (all errors but
// header_list_too_large).
constexpr bool is_connection_error(error e) noexcept {
  return e != error::header_list_too_large;
}

// A short fixed reason ("bad Huffman padding", ...), for GOAWAY debug data.
std::string_view reason_for(error e) noexcept;

}  // namespace lwspp::h2::hpack

template <>
struct std::is_error_code_enum<lwspp::h2::hpack::error> : std::true_type {};
