// The config key registry: each feature registers its own keys, with the
// place they may appear, their type, a one-line description and a function
// that writes the value into the settings. The engine checks every key of a
// document against the registry and reports every problem, not just the
// first. (h2o's configurator; the opposite is lws's position-matched key
// list and a switch over every key.)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "diagnostics.hpp"
#include "settings.hpp"

namespace lwspp_server {

enum class place : std::uint8_t {
  top,          // the root object
  vhost,        // an item of "vhosts"
  mount,        // an item of a vhost's "mounts"
  auth,         // a mount's "auth" object
  tls,          // a vhost's "tls" object
  certificate,  // an item of "tls"'s "certificates"
};

enum class value_type : std::uint8_t { string, integer, boolean, array, object };

std::string_view to_string(place p) noexcept;
std::string_view to_string(value_type t) noexcept;

// What a key writes into: the server, and the vhost being read when the key
// sits in a vhost (nullptr at the top level).
struct config_target {
  server_settings& server;
  vhost_settings* vhost = nullptr;
  mount_settings* mount = nullptr;                // inside a mount (and its "auth")
  lwspp::tls_certificate* certificate = nullptr;  // inside an item of "certificates"
};

struct key_spec {
  std::string_view name = {};
  place where = place::top;
  value_type type = value_type::string;
  std::string_view description = {};  // one line, shown by --help
  std::int64_t min = 0;               // integers: allowed range, inclusive
  std::int64_t max = 0;
  bool required = false;
  // For arrays of sections: each item is an object whose keys belong to this
  // place ("vhosts" holds vhosts, "mounts" holds mounts).
  std::optional<place> items = std::nullopt;
  // For one section: the value is an object whose keys belong to this place
  // (a mount's "auth").
  std::optional<place> fields = std::nullopt;
  // Vhost keys that only mean something for one protocol ("http"): given in
  // a vhost speaking another one, they are an error.
  std::string_view protocol = {};
  // Called with a value already checked for type and range. Writes it into
  // the target and returns what is still wrong with it ("" when nothing).
  std::function<std::string(const nlohmann::json&, config_target&)> apply = {};
  // For objects used as maps (names chosen by the user, like
  // "response_headers"): each member's value must have type `members`, and
  // apply_member is called for it. Its errors are reported at the member's
  // line, under this key's name.
  std::optional<value_type> members = std::nullopt;
  std::function<std::string(const std::string& name, const nlohmann::json&, config_target&)>
      apply_member = {};
};

// A check across keys, run once every key has been applied.
using config_check = std::function<void(const server_settings&, diagnostics&)>;

class config_schema {
 public:
  void add(key_spec k);
  void add_check(config_check check) { checks_.push_back(std::move(check)); }

  const std::vector<key_spec>& keys() const noexcept { return keys_; }
  const key_spec* find(place where, std::string_view name) const noexcept;

  // Checks the document against the registry, applies the valid values to
  // out and reports the rest to diag.
  void apply(const nlohmann::json& doc, server_settings& out, diagnostics& diag) const;

  // One line per key, for --help.
  std::string describe() const;

 private:
  void apply_object(const nlohmann::json& obj, const std::string& pointer, place where,
                    config_target& target, diagnostics& diag) const;
  void apply_key(const key_spec& k, const nlohmann::json& value, const std::string& at,
                 config_target& target, diagnostics& diag) const;
  void apply_items(const key_spec& k, const nlohmann::json& list, const std::string& pointer,
                   config_target& target, diagnostics& diag) const;
  void apply_members(const key_spec& k, const nlohmann::json& map, const std::string& pointer,
                     config_target& target, diagnostics& diag) const;
  void check_protocol(const nlohmann::json& obj, const std::string& pointer,
                      const config_target& target, diagnostics& diag) const;
  std::string unknown_key(place where, std::string_view name) const;

  std::vector<key_spec> keys_;
  std::vector<config_check> checks_;
};

}  // namespace lwspp_server
