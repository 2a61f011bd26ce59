// Telling an HTTP/2 prior-knowledge client (RFC 9113 §3.3) from an HTTP/1.1
// one by the first bytes of a cleartext connection, when those bytes may
// arrive a few at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "lwspp/connection.hpp"

namespace lwspp::h1 {

enum class first_bytes : std::uint8_t {
  http1,      // not the start of the HTTP/2 preface: an HTTP/1.1 request
  http2,      // at least "PRI " of the preface, and nothing that differs from it
  undecided,  // fewer than four bytes, all a prefix of the preface: wait for more
};

// Four bytes decide: "PRI " (with the space) begins the preface, and no
// HTTP/1.1 request this server takes starts so ("PRI" is no method here; a
// longer token such as "PRIX" differs at the fourth byte). No copy, no
// allocation: this runs on every new cleartext connection's first read.
first_bytes classify_first_bytes(std::string_view bytes) noexcept;

// The role of a cleartext connection whose first read was a strict prefix of
// "PRI " ("P", "PR", "PRI"): it keeps those bytes (never more than a read's
// worth) and, once more arrive and decide, gives the connection back to
// `idle` with all of them, which then starts the h1 or h2 session as it
// would have for one read. The wait is bounded by header_timeout from the
// first byte (error::idle_timeout, "request head not received in time"); a
// peer that closes meanwhile gets the default on_peer_eof (close). Only this
// rare path allocates (the role itself, owned by the connection).
class preface_wait final : public role {
 public:
  // Switches c to a new preface_wait holding `bytes`.
  static void start(role& idle, connection& c, std::string_view bytes,
                    std::chrono::milliseconds header_timeout);

  preface_wait(role& idle, std::string_view bytes) : idle_(idle), seen_(bytes) {}
  void on_data(connection& c, std::string_view bytes) override;
  void on_role_timer(connection& c) override;

 private:
  role& idle_;
  std::string seen_;
};

}  // namespace lwspp::h1
