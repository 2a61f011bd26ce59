// Shared by the TLS unit tests: a test PKI made at run time with the
// OpenSSL API (no key is committed), and a pump that moves bytes between a
// client and a server session in memory until both are quiet.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tls/cert_maker.hpp"
#include "tls/context.hpp"
#include "tls/session.hpp"

namespace tls_test {

using lwspp::tls::pem_pair;

// Every certificate the tests use; made once per test program.
struct pki {
  pem_pair ca;            // "lwspp test CA" (EC)
  pem_pair other_ca;      // a CA the clients do not trust
  pem_pair localhost_ec;  // localhost, 127.0.0.1, ::1; signed by ca
  pem_pair localhost_rsa;
  pem_pair a_example;    // a.example.com
  pem_pair b_wildcard;   // *.b.example.com
  pem_pair expired;      // localhost, expired yesterday
  pem_pair self_signed;  // localhost, self-signed
  pem_pair untrusted;    // localhost, signed by other_ca
  pem_pair alice;        // client certificate, CN=alice, signed by ca
  pem_pair mallory;      // client certificate signed by other_ca
};

inline pem_pair make(const lwspp::tls::cert_spec& spec, const pem_pair* issuer) {
  auto r = lwspp::tls::make_certificate(spec, issuer);
  if (!r) {
    ADD_FAILURE() << r.error().message();
    std::abort();
  }
  return std::move(r.value());
}

inline const pki& test_pki() {
  using lwspp::tls::cert_spec;
  using lwspp::tls::key_kind;
  static const pki p = [] {
    pki k;
    const std::vector<std::string> local = {"localhost", "127.0.0.1", "::1"};
    k.ca = make({.common_name = "lwspp test CA", .is_ca = true}, nullptr);
    k.other_ca = make({.common_name = "other CA", .is_ca = true}, nullptr);
    k.localhost_ec = make({.common_name = "localhost", .alt_names = local}, &k.ca);
    k.localhost_rsa =
        make({.common_name = "localhost rsa", .alt_names = local, .key = key_kind::rsa2048}, &k.ca);
    k.a_example = make({.common_name = "a.example.com", .alt_names = {"a.example.com"}}, &k.ca);
    k.b_wildcard =
        make({.common_name = "*.b.example.com", .alt_names = {"*.b.example.com"}}, &k.ca);
    k.expired = make({.common_name = "localhost",
                      .alt_names = local,
                      .not_before = std::chrono::hours(-48),
                      .not_after = std::chrono::hours(-24)},
                     &k.ca);
    k.self_signed = make({.common_name = "localhost", .alt_names = local}, nullptr);
    k.untrusted = make({.common_name = "localhost", .alt_names = local}, &k.other_ca);
    k.alice = make({.common_name = "alice"}, &k.ca);
    k.mallory = make({.common_name = "mallory"}, &k.other_ca);
    return k;
  }();
  return p;
}

inline lwspp::tls_certificate in_memory(const pem_pair& p) {
  return {.cert_pem = p.cert_pem, .key_pem = p.key_pem};
}

// A directory removed with everything in it when the object dies.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lwspp-tls.XXXXXX").string();
    path = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& data) const {
    std::ofstream(file(name), std::ios::binary | std::ios::trunc) << data;
    return file(name);
  }
};

inline std::shared_ptr<lwspp::tls::server_context> server(const lwspp::tls_server_options& o) {
  auto r = lwspp::tls::server_context::create(o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? r.value() : nullptr;
}

inline std::shared_ptr<const lwspp::tls::sni_selector> one_vhost(
    const lwspp::tls_server_options& o) {
  auto r = lwspp::tls::sni_selector::create(server(o));
  EXPECT_TRUE(r.ok());
  return r.ok() ? r.value() : nullptr;
}

inline std::shared_ptr<lwspp::tls::client_context> client(const lwspp::tls_client_options& o) {
  auto r = lwspp::tls::client_context::create(o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? r.value() : nullptr;
}

inline std::unique_ptr<lwspp::tls::session> client_session(lwspp::tls::client_context& c,
                                                           std::string_view name = "localhost") {
  auto r = c.new_session(name);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(r.value()) : nullptr;
}

// What one side saw.
struct side {
  bool handshake_done = false;
  bool closed = false;  // close_notify received
  bool failed = false;
  std::string data;
  std::size_t events = 0;
};

// Feeds `bytes` to `s` until everything is consumed or the session stops.
inline void drive(lwspp::tls::session& s, std::string_view bytes, side& log,
                  std::size_t plain_size = 16 * 1024) {
  using lwspp::tls::event_kind;
  std::vector<char> plain(plain_size);
  for (;;) {
    const auto ev = s.feed(bytes, plain);
    EXPECT_LE(ev.consumed, bytes.size());
    bytes.remove_prefix(ev.consumed);
    ++log.events;
    switch (ev.kind) {
      case event_kind::handshake_done:
        EXPECT_FALSE(log.handshake_done);
        log.handshake_done = true;
        continue;
      case event_kind::data:
        EXPECT_GT(ev.size, 0u);
        log.data.append(plain.data(), ev.size);
        continue;
      case event_kind::need_more:
        EXPECT_TRUE(bytes.empty());
        return;
      case event_kind::closed:
        log.closed = true;
        return;
      case event_kind::failed:
        log.failed = true;
        return;
    }
  }
}

// Moves output between the two until neither has any. Each side's output is
// fed to the other in pieces of at most `piece` bytes.
inline void pump(lwspp::tls::session& c, lwspp::tls::session& s, side& cl, side& sv,
                 std::size_t piece = SIZE_MAX) {
  for (int round = 0; round < 1000; ++round) {
    bool moved = false;
    for (int dir = 0; dir < 2; ++dir) {
      auto& from = dir == 0 ? c : s;
      auto& to = dir == 0 ? s : c;
      auto& log = dir == 0 ? sv : cl;
      if (from.output().empty()) continue;
      const std::string bytes = from.take_output();
      moved = true;
      if (to.state() == lwspp::tls::session_state::failed) continue;  // the peer is gone
      for (std::size_t at = 0; at < bytes.size(); at += piece) {
        drive(to, std::string_view(bytes).substr(at, piece), log);
        if (log.failed) break;
      }
    }
    if (!moved) return;
  }
  ADD_FAILURE() << "pump: the sessions never went quiet";
}

// A client and a server session that completed their handshake.
struct pair {
  std::unique_ptr<lwspp::tls::session> c, s;
  side cl, sv;
  void handshake(lwspp::tls::client_context& cc, const lwspp::tls::sni_selector& sel,
                 std::string_view name = "localhost") {
    c = client_session(cc, name);
    s = sel.new_session();
    ASSERT_TRUE(c && s);
    pump(*c, *s, cl, sv);
  }
  bool ok() const { return cl.handshake_done && sv.handshake_done && !cl.failed && !sv.failed; }
};

inline lwspp::tls_client_options trusting_ca() {
  return {.ca_pem = test_pki().ca.cert_pem};
}

inline lwspp::tls_server_options localhost_server() {
  return {.certificates = {in_memory(test_pki().localhost_ec)}};
}

}  // namespace tls_test
