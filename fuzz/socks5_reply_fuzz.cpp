// libFuzzer target for the SOCKS5 client's reply parsing (src/net/socks5.cpp).
//
// The first byte picks the request (credentials or not; a name, an IPv4 or
// an IPv6 destination) and where to split the rest, which is what the proxy
// sends: the method selection, the auth status, the connect reply. It is
// fed whole, split in two there, and byte by byte: every run must give the
// same outcome (status, bytes consumed, bytes sent back, the failure's code,
// protocol code and text). The tunnel contract is checked along the way:
// consumed never exceeds the span, need_more consumes everything, nothing
// is consumed past the end of a successful reply, a failure has a reason.
// Each span lives in its own exact-size heap block, so ASan reports any
// read past it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/socks5.hpp"

namespace {

using lwspp::tunnel_status;
using lwspp::detail::socks5_client;
using lwspp::detail::socks5_request;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string run(const socks5_request& r, std::string_view data,
                const std::vector<std::size_t>& cuts) {
  socks5_client c(r);
  std::string sent;
  check(c.start(sent) == tunnel_status::need_more);
  check(!c.on_eof().message().empty());
  std::size_t from = 0, taken = 0;
  tunnel_status status = tunnel_status::need_more;
  for (std::size_t k = 0; k <= cuts.size() && status == tunnel_status::need_more; ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : data.size();
    const std::size_t n = to - from;
    if (n == 0) continue;
    std::unique_ptr<char[]> span(new char[n]);
    std::copy(data.data() + from, data.data() + to, span.get());
    from = to;
    const auto s = c.on_data(std::string_view(span.get(), n), sent);
    check(s.consumed <= n);
    if (s.status == tunnel_status::need_more) check(s.consumed == n);
    taken += s.consumed;
    status = s.status;
  }
  std::string out =
      std::to_string(static_cast<int>(status)) + " " + std::to_string(taken) + " " + sent;
  if (status == tunnel_status::failed) {
    const auto why = c.failure();
    check(why.code.value() != 0 && !why.detail.empty());
    out += " " + why.message() + " " + std::to_string(why.protocol_code);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  static const char* hosts[] = {"example.com", "192.0.2.1", "2001:db8::1", "h"};
  socks5_request r{.host = hosts[bytes[0] & 3],
                   .port = 443,
                   .user = (bytes[0] & 4) ? "user" : "",
                   .password = (bytes[0] & 4) ? "pass" : "",
                   .proxy_name = "proxy:1080"};
  const std::size_t split = static_cast<std::size_t>(bytes[0] >> 3) * data.size() / 31;
  const std::string whole = run(r, data, {});
  check(run(r, data, {split}) == whole);
  if (data.size() <= 512) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < data.size(); ++i)
      cuts.push_back(i);
    check(run(r, data, cuts) == whole);
  }
  return 0;
}
