// libFuzzer target for address::parse and split_host_port.
//
// Round trip: whatever parse() accepts, to_string() must print as text that
// parses back to an equal address, and printing that again must give the same
// text. split_host_port must never crash, and what it returns must survive
// being put back together.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lwspp/address.hpp"

namespace {

void check_parse(std::string_view text) {
  auto parsed = lwspp::address::parse(text);
  if (!parsed) return;
  const lwspp::address& a = parsed.value();
  const std::string printed = a.to_string();
  auto again = lwspp::address::parse(printed);
  if (!again || !(again.value() == a)) std::abort();
  if (again.value().to_string() != printed) std::abort();
}

void check_split(std::string_view text, std::uint16_t default_port) {
  auto split = lwspp::split_host_port(text, default_port);
  if (!split) return;
  const lwspp::host_port& hp = split.value();
  if (hp.host.empty()) std::abort();
  const bool v6 = hp.host.find(':') != std::string::npos;
  const std::string joined = (v6 ? "[" + hp.host + "]" : hp.host) + ":" + std::to_string(hp.port);
  auto again = lwspp::split_host_port(joined, default_port);
  if (!again || again.value().host != hp.host || again.value().port != hp.port) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_parse(text);
  check_split(text, 0);
  check_split(text, 443);
  // The same bytes as a kernel sockaddr: must never read past `size`.
  const lwspp::address raw = lwspp::address::from_sockaddr(data, size);
  (void)raw.to_string();
  return 0;
}
