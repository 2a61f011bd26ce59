// lwspp::address: parse and format IPv4, IPv6 and Unix socket addresses.
//
// The opaque storage holds a real sockaddr_in / sockaddr_in6 / sockaddr_un.
// It is read and written through memcpy into typed locals, never through a
// cast pointer, so there is no aliasing question and no alignment question.
#include "lwspp/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace lwspp {
namespace {

static_assert(address::capacity == sizeof(sockaddr_storage));
static_assert(alignof(sockaddr_storage) <= 8);  // the storage is alignas(8)

constexpr std::size_t sun_path_offset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t sun_path_size = sizeof(sockaddr_un::sun_path);
constexpr std::string_view unix_prefix = "unix:";
constexpr std::string_view forms = "expected 1.2.3.4:port, [v6]:port or unix:path";

error_info bad(std::string detail) {
  return {error::invalid_address, std::move(detail)};
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal with an upper bound; no sign, no spaces, no empty string.
bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (!all_digits(s) || s.size() > 10) return false;  // 10 digits cannot overflow uint64
  std::uint64_t v = 0;
  for (char c : s)
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  if (v > max) return false;
  out = v;
  return true;
}

result<std::uint16_t> parse_port(std::string_view s, std::string_view text) {
  std::uint64_t v = 0;
  if (s.empty()) return bad("missing port in " + quoted(text));
  if (!parse_decimal(s, 65535, v)) {
    return bad("bad port " + quoted(s) + " in " + quoted(text) + " (0 to 65535)");
  }
  return static_cast<std::uint16_t>(v);
}

// inet_pton wants a NUL-terminated string; an embedded NUL would silently cut
// the input short, so reject it together with anything too long to be valid.
bool to_c_string(std::string_view s, char* buf, std::size_t buf_size) {
  if (s.size() >= buf_size || s.find('\0') != std::string_view::npos) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return true;
}

// "lo", "eth0" or a numeric index; 0 is "no scope", not an interface.
result<std::uint32_t> parse_scope(std::string_view s) {
  std::uint64_t index = 0;
  if (all_digits(s)) {
    if (!parse_decimal(s, UINT32_MAX, index) || index == 0) {
      return bad("bad IPv6 scope id " + quoted(s) + " (1 to 4294967295 or an interface name)");
    }
    return static_cast<std::uint32_t>(index);
  }
  char name[IF_NAMESIZE];
  if (s.empty() || !to_c_string(s, name, sizeof name)) {
    return bad("bad IPv6 scope " + quoted(s) + " (an interface name or index)");
  }
  index = if_nametoindex(name);
  if (index == 0) return bad("no network interface named " + quoted(s));
  return static_cast<std::uint32_t>(index);
}

result<address> make_ipv4(std::string_view ip, std::uint16_t port) {
  char text[INET_ADDRSTRLEN];
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  if (!to_c_string(ip, text, sizeof text) || inet_pton(AF_INET, text, &sin.sin_addr) != 1) {
    const bool looks_v4 =
        !ip.empty() && ip.find_first_not_of("0123456789.") == std::string_view::npos;
    if (looks_v4) return bad("bad IPv4 address " + quoted(ip) + " (expected a.b.c.d, each 0-255)");
    return bad("not an IP address: " + quoted(ip) + "; resolve host names first");
  }
  return address::from_sockaddr(&sin, sizeof sin);
}

// "::1" or "fe80::1%lo", without brackets.
result<address> make_ipv6(std::string_view ip, std::uint16_t port) {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  const std::size_t percent = ip.find('%');
  const std::string_view bare = ip.substr(0, percent);
  char text[INET6_ADDRSTRLEN];
  if (!to_c_string(bare, text, sizeof text) || inet_pton(AF_INET6, text, &sin6.sin6_addr) != 1) {
    if (bare.find(':') == std::string_view::npos) {
      return bad("not an IPv6 address: " + quoted(bare) + " (brackets hold IPv6 only)");
    }
    return bad("bad IPv6 address " + quoted(bare));
  }
  // The scope last: looking up an interface name costs a system call.
  if (percent != std::string_view::npos) {
    auto scope = parse_scope(ip.substr(percent + 1));
    if (!scope) return scope.error();
    sin6.sin6_scope_id = *scope;
  }
  return address::from_sockaddr(&sin6, sizeof sin6);
}

// if_indextoname when the interface exists and its name would parse back to
// the same index; the number otherwise.
std::string scope_text(std::uint32_t scope) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(scope, name) != nullptr && name[0] != '\0' && !all_digits(name)) return name;
  return std::to_string(scope);
}

// Bytes that never belong in a host: a NUL would cut the name short in
// getaddrinfo, spaces and controls come from a pasted line, brackets from a
// mangled IPv6 form.
bool bad_host_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || c == '[' || c == ']';
}

// An unbracketed text with several ':' is an IPv6 literal without a port.
// When it only parses with its last ":digits" removed, the user meant a port.
result<void> check_bare_ipv6(std::string_view text) {
  auto v6 = make_ipv6(text, 0);
  if (v6) return {};
  const std::size_t last = text.rfind(':');
  if (all_digits(text.substr(last + 1)) && make_ipv6(text.substr(0, last), 0)) {
    return bad("an IPv6 address with a port needs brackets: [" + std::string(text.substr(0, last)) +
               "]:" + std::string(text.substr(last + 1)));
  }
  if (text.find('%') != std::string_view::npos) return v6.error();  // it did try to be IPv6
  return bad("bad host " + quoted(text) + " (a host with several ':' must be an IPv6 address)");
}

}  // namespace

result<host_port> split_host_port(std::string_view text, std::uint16_t default_port) {
  if (text.empty()) return bad("empty host (expected host, host:port or [v6]:port)");
  std::string_view host = text;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']' in " + quoted(text));
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':' after ']' in " + quoted(text));
      port_text = rest.substr(1);
      has_port = true;
    }
    if (host.empty()) return bad("empty host in " + quoted(text));
    if (auto v6 = make_ipv6(host, 0); !v6) return v6.error();  // brackets mean IPv6
  } else {
    const std::size_t first = text.find(':');
    const std::size_t last = text.rfind(':');
    if (first != std::string_view::npos && first == last) {
      host = text.substr(0, first);
      port_text = text.substr(first + 1);
      has_port = true;
    } else if (first != std::string_view::npos) {
      if (auto v6 = check_bare_ipv6(text); !v6) return v6.error();
    }
    if (host.empty()) return bad("empty host in " + quoted(text));
    if (std::any_of(host.begin(), host.end(), bad_host_byte)) {
      return bad("invalid character in host " + quoted(host));
    }
  }

  std::uint16_t port = default_port;
  if (has_port) {
    auto parsed = parse_port(port_text, text);
    if (!parsed) return parsed.error();
    port = *parsed;
  } else if (default_port == 0) {
    return bad("no port in " + quoted(text) + " and no default port");
  }
  return host_port{std::string(host), port};
}

result<address> address::parse(std::string_view text) {
  if (text.empty()) return bad("empty address (" + std::string(forms) + ")");
  if (text.substr(0, unix_prefix.size()) == unix_prefix) {
    return unix_socket(text.substr(unix_prefix.size()));
  }
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']' in " + quoted(text));
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return bad("missing port in " + quoted(text) + " (expected [v6]:port)");
    if (rest.front() != ':') return bad("expected ':' after ']' in " + quoted(text));
    auto port = parse_port(rest.substr(1), text);
    if (!port) return port.error();
    return make_ipv6(text.substr(1, close - 1), *port);
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return bad("missing port in " + quoted(text) + " (" + std::string(forms) + ")");
  }
  if (text.find(':') != colon) {
    return bad("IPv6 address needs brackets and a port: " + quoted(text) + " (expected [v6]:port)");
  }
  auto port = parse_port(text.substr(colon + 1), text);
  if (!port) return port.error();
  return make_ipv4(text.substr(0, colon), *port);
}

result<address> address::from_ip(std::string_view ip, std::uint16_t port) {
  if (ip.find(':') != std::string_view::npos) return make_ipv6(ip, port);
  return make_ipv4(ip, port);
}

result<address> address::unix_socket(std::string_view path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty()) return bad("empty unix socket path (expected unix:/path or unix:@name)");
  std::size_t len = 0;
  if (path.front() == '@') {
    // Abstract names are raw bytes after a leading NUL; the length says
    // where they end, so they may contain anything (even NUL).
    const std::string_view name = path.substr(1);
    if (name.empty()) return bad("empty abstract unix socket name in " + quoted(path));
    if (name.size() > sun_path_size - 1) {
      return bad("abstract unix socket name is " + std::to_string(name.size()) +
                 " bytes; too long for sun_path (at most " + std::to_string(sun_path_size - 1) +
                 ")");
    }
    std::memcpy(sun.sun_path + 1, name.data(), name.size());
    len = sun_path_offset + 1 + name.size();
  } else {
    // The kernel stops at the first NUL, so a NUL would name another file.
    if (path.find('\0') != std::string_view::npos) {
      return bad("unix socket path contains a NUL byte");
    }
    if (path.size() > sun_path_size - 1) {
      return bad("unix socket path is " + std::to_string(path.size()) +
                 " bytes; too long for sun_path (at most " + std::to_string(sun_path_size - 1) +
                 "): use a shorter or relative path, or an abstract name: " + quoted(path));
    }
    std::memcpy(sun.sun_path, path.data(), path.size());
    len = sun_path_offset + path.size() + 1;  // with the NUL, as getsockname() reports it
  }
  return from_sockaddr(&sun, len);
}

address address::from_sockaddr(const void* sa, std::size_t len) {
  address a;
  sa_family_t fam = AF_UNSPEC;
  if (sa == nullptr || len < sizeof fam || len > capacity) return a;
  std::memcpy(&fam, static_cast<const char*>(sa) + offsetof(sockaddr, sa_family), sizeof fam);
  if (fam == AF_INET && len >= sizeof(sockaddr_in)) {
    len = sizeof(sockaddr_in);
    a.family_ = family::ipv4;
  } else if (fam == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    len = sizeof(sockaddr_in6);
    a.family_ = family::ipv6;
  } else if (fam == AF_UNIX && len >= sun_path_offset && len <= sizeof(sockaddr_un)) {
    const char* path = static_cast<const char*>(sa) + sun_path_offset;
    const std::size_t path_len = len - sun_path_offset;
    if (path_len >= 2 && path[0] == '\0') {
      a.family_ = family::unix_abstract;
    } else if (path_len == 0 || path[0] == '\0') {
      // An unnamed socket (socketpair, the client end of an accept()).
      a.family_ = family::unix_path;
      len = sun_path_offset;
    } else {
      // Keep exactly "path + NUL" (what getsockname() reports) so that equal
      // paths compare equal whatever length the caller passed. The NUL may
      // lie past the caller's bytes: the zeroed storage supplies it.
      a.family_ = family::unix_path;
      const std::size_t n = strnlen(path, path_len);
      const std::size_t normal = sun_path_offset + std::min(n + 1, sun_path_size);
      std::memcpy(a.storage_, sa, std::min(len, normal));
      a.len_ = static_cast<std::uint32_t>(normal);
      return a;
    }
  } else {
    return a;
  }
  std::memcpy(a.storage_, sa, len);
  a.len_ = static_cast<std::uint32_t>(len);
  return a;
}

std::uint16_t address::port() const noexcept {
  if (family_ == family::ipv4) {
    sockaddr_in sin;
    std::memcpy(&sin, storage_, sizeof sin);
    return ntohs(sin.sin_port);
  }
  if (family_ == family::ipv6) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, storage_, sizeof sin6);
    return ntohs(sin6.sin6_port);
  }
  return 0;
}

void address::set_port(std::uint16_t port) noexcept {
  const std::uint16_t net = htons(port);
  // sin_port and sin6_port sit at the same offset, but say which one we mean.
  if (family_ == family::ipv4) {
    std::memcpy(storage_ + offsetof(sockaddr_in, sin_port), &net, sizeof net);
  } else if (family_ == family::ipv6) {
    std::memcpy(storage_ + offsetof(sockaddr_in6, sin6_port), &net, sizeof net);
  }
}

std::string address::ip() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family_ == family::ipv4) {
    sockaddr_in sin;
    std::memcpy(&sin, storage_, sizeof sin);
    inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text);
    return text;
  }
  if (family_ == family::ipv6) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, storage_, sizeof sin6);
    inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof text);
    std::string out = text;
    if (sin6.sin6_scope_id != 0) out += "%" + scope_text(sin6.sin6_scope_id);
    return out;
  }
  return {};
}

std::string address::unix_path() const {
  const char* path = reinterpret_cast<const char*>(storage_) + sun_path_offset;
  if (family_ == family::unix_abstract) {
    return "@" + std::string(path + 1, len_ - sun_path_offset - 1);
  }
  if (family_ == family::unix_path && len_ > sun_path_offset) {
    return std::string(path, strnlen(path, len_ - sun_path_offset));
  }
  return {};
}

std::string address::to_string() const {
  switch (family_) {
    case family::ipv4:
      return ip() + ":" + std::to_string(port());
    case family::ipv6:
      return "[" + ip() + "]:" + std::to_string(port());
    case family::unix_path:
    case family::unix_abstract:
      return std::string(unix_prefix) + unix_path();
    case family::none:
      break;
  }
  return {};
}

bool operator==(const address& a, const address& b) noexcept {
  if (a.family_ != b.family_) return false;
  if (a.family_ == address::family::ipv4) {
    sockaddr_in x, y;
    std::memcpy(&x, a.storage_, sizeof x);
    std::memcpy(&y, b.storage_, sizeof y);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (a.family_ == address::family::ipv6) {
    // Flow info is a per-packet hint, not part of the endpoint.
    sockaddr_in6 x, y;
    std::memcpy(&x, a.storage_, sizeof x);
    std::memcpy(&y, b.storage_, sizeof y);
    return x.sin6_port == y.sin6_port && x.sin6_scope_id == y.sin6_scope_id &&
           std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
  }
  return a.len_ == b.len_ && std::memcmp(a.storage_, b.storage_, a.len_) == 0;
}

}  // namespace lwspp
