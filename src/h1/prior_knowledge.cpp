// See prior_knowledge.hpp.
#include "h1/prior_knowledge.hpp"

#include <algorithm>
#include <memory>

#include "h2/frame_types.hpp"

namespace lwspp::h1 {

namespace {
// "PRI ": the shortest prefix of the preface that no HTTP/1.1 request shares.
constexpr std::size_t decisive_bytes = 4;
}  // namespace

first_bytes classify_first_bytes(std::string_view bytes) noexcept {
  const std::string_view preface = h2::client_preface;
  if (!preface.starts_with(bytes.substr(0, std::min(bytes.size(), preface.size()))))
    return first_bytes::http1;
  return bytes.size() >= decisive_bytes ? first_bytes::http2 : first_bytes::undecided;
}

void preface_wait::start(role& idle, connection& c, std::string_view bytes,
                         std::chrono::milliseconds header_timeout) {
  auto w = std::make_unique<preface_wait>(idle, bytes);
  preface_wait& ref = *w;
  c.switch_role(ref, std::move(w));
  // From the first byte, as the HTTP/1.1 head's deadline is (0: none).
  c.set_role_timer(header_timeout, false);
}

void preface_wait::on_data(connection& c, std::string_view bytes) {
  seen_.append(bytes);
  if (classify_first_bytes(seen_) == first_bytes::undecided) return;
  c.set_role_timer(std::chrono::milliseconds(0), false);
  // switch_role keeps this role (and seen_) alive until the loop's next
  // deferred step, so the idle role may read seen_ after the switch.
  c.switch_role(idle_);
  idle_.on_data(c, seen_);
}

void preface_wait::on_role_timer(connection& c) {
  c.close(close_reason(error::idle_timeout, "request head not received in time"));
}

}  // namespace lwspp::h1
