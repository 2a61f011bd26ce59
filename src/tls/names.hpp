// Host names as TLS uses them: normalising for SNI lookups and patterns,
// and telling IP literals from DNS names (IPs are verified but never sent
// as SNI).
#pragma once

#include <string>
#include <string_view>

namespace lwspp::tls {

// Lower case, without one final dot. Empty if `host` is not a plausible DNS
// name (empty, a label over 63 bytes, longer than 253 bytes, a byte outside
// letters, digits, '-', '_' and '.', or an empty label).
std::string normalize_host(std::string_view host);

// "127.0.0.1", "::1" or "[::1]" (brackets are removed into `out`).
bool is_ip_literal(std::string_view host, std::string* out = nullptr);

}  // namespace lwspp::tls
