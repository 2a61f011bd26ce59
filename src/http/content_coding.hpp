// lwspp::http::content_coding — the content codings (RFC 9110 §8.4.1) the
// library can produce and decode. Shared by the compressor, the
// Accept-Encoding negotiation and (later) the HTTP client.
#pragma once
#include <cstdint>
#include <string_view>

namespace lwspp::http {

enum class content_coding : std::uint8_t {
  identity,  // no coding
  gzip,      // RFC 1952 (deflate in a gzip wrapper), via zlib
  br,        // RFC 7932 brotli, via libbrotli when the build has it
};

// The token used in Content-Encoding / Accept-Encoding: "identity", "gzip", "br".
constexpr std::string_view to_string(content_coding c) noexcept {
  switch (c) {
    case content_coding::identity:
      return "identity";
    case content_coding::gzip:
      return "gzip";
    case content_coding::br:
      return "br";
  }
  return "identity";
}

}  // namespace lwspp::http
