// Fault injection for the test suite: with the LWSPP_FAULT_INJECTION build
// switch (on in the dev preset, off in release), the Nth read, write,
// accept, TLS call or allocation made on a thread after arm() fails as the
// kernel, OpenSSL or operator new could make it fail. Tests walk N over a whole exchange and check
// that every failure ends in a clean close (tests/integration/fault_test.cpp).
//
// Counters are per thread: arming the loop's thread leaves a client that
// runs on another thread of the same process untouched. Without the switch
// hit() is a constant false and the hooks compile away.
#pragma once
#include <cerrno>
#include <cstdint>

#include "lwspp_fault_config.hpp"  // generated: LWSPP_FAULT_INJECTION or not

namespace lwspp::fault {

enum class site : std::uint8_t {
  read,    // read(2) of a connection: fails with ECONNRESET
  write,   // send/sendmsg/writev/sendfile of a connection: fails with EPIPE
  accept,  // accept4(2) of a listener: fails with EMFILE
  tls,     // a TLS handshake, read or write step: fails as a bad record
  alloc,   // the global operator new: throws std::bad_alloc. Only in a program
           // that links tests/integration/fault_new.cpp (never the library)
};
inline constexpr int site_count = 5;

#ifdef LWSPP_FAULT_INJECTION
inline constexpr bool enabled = true;

struct counters {
  std::uint64_t left[site_count] = {};   // fail when this reaches 0 (0: disarmed)
  std::uint64_t calls[site_count] = {};  // calls seen since arm()
  bool fired[site_count] = {};
};
inline thread_local counters on_this_thread;

// This call is the one to fail.
inline bool hit(site s) noexcept {
  counters& c = on_this_thread;
  const int i = static_cast<int>(s);
  ++c.calls[i];
  if (c.left[i] == 0 || --c.left[i] != 0) return false;
  c.fired[i] = true;
  return true;
}
// The nth call (1-based) of `s` on this thread from now fails, once.
inline void arm(site s, std::uint64_t nth) noexcept {
  counters& c = on_this_thread;
  const int i = static_cast<int>(s);
  c.left[i] = nth;
  c.calls[i] = 0;
  c.fired[i] = false;
}
inline void disarm(site s) noexcept {
  on_this_thread.left[static_cast<int>(s)] = 0;
}
inline bool fired(site s) noexcept {
  return on_this_thread.fired[static_cast<int>(s)];
}
inline std::uint64_t calls(site s) noexcept {
  return on_this_thread.calls[static_cast<int>(s)];
}
#else
inline constexpr bool enabled = false;
constexpr bool hit(site) noexcept {
  return false;
}
#endif

// For system calls: true, with errno set to err, when this call is to fail.
inline bool inject(site s, int err) noexcept {
  if (!hit(s)) return false;
  errno = err;
  return true;
}

}  // namespace lwspp::fault
