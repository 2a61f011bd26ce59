// Choosing a content coding from Accept-Encoding (RFC 9110 §12.5.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/content_coding.hpp"  // content_coding and its to_string

namespace lwspp::http {

// What the server can send for this file (a precompressed sibling, or an
// encoder). identity is always available.
struct available_codings {
  bool br = false;
  bool gzip = false;
};

// Picks the coding to send for the Accept-Encoding field value
// `accept_encoding` (pass "" when the field is absent: then, as for an empty
// field, only identity is chosen).
//
//  - Members: a coding name (case-insensitive; "x-gzip" is gzip), "identity"
//    or "*", each with an optional ";q=" weight (0 to 1, at most three
//    decimals), separated by commas with optional blanks; empty members are
//    allowed. A name given twice counts the first time.
//  - A coding's weight is its own, else that of "*", else 0. identity's is
//    its own, else that of "*", else it is acceptable with the lowest weight,
//    so any coding the client asked for is preferred to it.
//  - The highest non-zero weight among the available codings wins; ties go
//    to br, then gzip, then identity.
//  - A field that is not valid syntax (a bad weight, another parameter, a
//    stray character) is treated as absent: identity.
//
// std::nullopt when nothing available is acceptable ("identity;q=0" or
// "*;q=0" without a coding we have): the caller answers 406, or sends
// identity anyway (RFC 9110 §12.5.3 allows both).
std::optional<content_coding> choose_content_coding(std::string_view accept_encoding,
                                                    available_codings have) noexcept;

}  // namespace lwspp::http
