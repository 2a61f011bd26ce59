// ALPN wire lists and the server's choice (see alpn.hpp).
#include "tls/alpn.hpp"

#include "lwspp/tls.hpp"

namespace lwspp::tls {
namespace {

// Calls fn(name) for each entry of a wire list; false if it is malformed.
template <class Fn>
bool for_each_entry(std::string_view wire, Fn fn) {
  while (!wire.empty()) {
    const std::size_t n = static_cast<unsigned char>(wire.front());
    if (n == 0 || n + 1 > wire.size()) return false;
    if (fn(wire.substr(1, n))) return true;
    wire.remove_prefix(n + 1);
  }
  return true;
}

}  // namespace

result<std::string> alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) {
      return error_info(make_error_code(tls_error::invalid_option),
                        "ALPN protocol name must be 1 to 255 bytes: \"" + p + "\"");
    }
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

std::string_view alpn_choose(std::string_view ours, std::string_view offered) noexcept {
  std::string_view chosen;
  for_each_entry(ours, [&](std::string_view mine) {
    bool found = false;
    const bool well_formed = for_each_entry(offered, [&](std::string_view theirs) {
      found = theirs == mine;
      return found;
    });
    if (!well_formed) return true;  // stop: nothing is offered
    if (found) chosen = mine;
    return found;
  });
  return chosen;
}

}  // namespace lwspp::tls
