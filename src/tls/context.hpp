// The shared TLS configuration objects, made once and used by many sessions:
//
//   server_context  one per vhost: its certificates, ALPN list, client-cert
//                   policy, versions and ciphers. reload() swaps in new
//                   certificates while sessions go on.
//   sni_selector    one per listening socket: the vhosts that share the port,
//                   by server name, and the default. It makes the sessions.
//   client_context  one per client configuration: trust anchors, ALPN,
//                   client certificate, the session cache for resumption.
//
// Thread rules. All three may be shared by several loops. new_session() may
// be called from any thread, at the same time as reload() on another: a
// session takes the configuration current when it starts (or when SNI picks
// its vhost) and keeps it to its end. An sni_selector is immutable.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lwspp/log.hpp"
#include "lwspp/result.hpp"
#include "lwspp/tls.hpp"
#include "tls/session.hpp"

namespace lwspp::tls {

class sni_selector;

class server_context {
 public:
  // Loads everything the options name; a missing or bad file, a key that
  // does not match its certificate, or a refused setting is an error.
  static result<std::shared_ptr<server_context>> create(const tls_server_options& options);

  virtual ~server_context() = default;
  server_context(const server_context&) = delete;
  server_context& operator=(const server_context&) = delete;

  // Reads the certificate, key and CA files again (in-memory PEM is reused
  // as it is). On success new sessions use the new certificates; on error
  // nothing changes and the error says which file and why.
  virtual result<void> reload() = 0;
  // Same, with new options (for example a new in-memory certificate).
  virtual result<void> reload(const tls_server_options& options) = 0;
  // How many times a reload succeeded.
  virtual std::size_t generation() const noexcept = 0;

 protected:
  server_context() = default;

 private:
  friend class sni_selector;
  // A server session that starts with this context's configuration.
  virtual std::unique_ptr<session> new_session(std::shared_ptr<const sni_selector> selector) = 0;
};

// One name pattern set and its vhost. Names are exact ("example.com") or a
// wildcard for one label ("*.example.com" matches "a.example.com", not
// "example.com" nor "a.b.example.com"); case does not matter.
struct sni_entry {
  std::vector<std::string> names = {};
  std::shared_ptr<server_context> context = {};
};

class sni_selector : public std::enable_shared_from_this<sni_selector> {
 public:
  // entries[0] is the default vhost: used without SNI and, unless its
  // unknown_name is reject, for names no entry has. A name given twice, an
  // empty context or a malformed pattern is an error.
  static result<std::shared_ptr<const sni_selector>> create(std::vector<sni_entry> entries);
  // The usual case: one vhost on its own port.
  static result<std::shared_ptr<const sni_selector>> create(std::shared_ptr<server_context> one);

  // The entry serving `host` (exact match first, then wildcard); nullptr
  // when none does. `host` is compared without case and a final dot.
  const sni_entry* find(std::string_view host) const noexcept;
  std::size_t index_of(const sni_entry* e) const noexcept {
    return static_cast<std::size_t>(e - entries_.data());
  }
  const sni_entry& default_entry() const noexcept { return entries_.front(); }
  const std::vector<sni_entry>& entries() const noexcept { return entries_; }

  std::unique_ptr<session> new_session() const;

 private:
  struct key {
    std::string name;
    std::size_t index;
  };
  sni_selector() = default;
  std::vector<sni_entry> entries_;
  std::vector<key> exact_;     // sorted by name
  std::vector<key> wildcard_;  // the part after "*.", sorted
};

class client_context {
 public:
  // `log` receives the warning for insecure_skip_verify (default: stderr).
  static result<std::shared_ptr<client_context>> create(const tls_client_options& options,
                                                        const logger* log = nullptr);

  virtual ~client_context() = default;
  client_context(const client_context&) = delete;
  client_context& operator=(const client_context&) = delete;

  // A client session whose ClientHello is already in output(). server_name
  // (a DNS name or IP address, IPv6 with or without brackets) overrides
  // options.server_name; with verification on one of them must be set.
  virtual result<std::unique_ptr<session>> new_session(std::string_view server_name = {}) = 0;

 protected:
  client_context() = default;
};

}  // namespace lwspp::tls
