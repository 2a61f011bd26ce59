// The engine behind the key registry: type and range checks, unknown and
// misplaced keys, required keys, sections, and cross-key checks.
#include "config_schema.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace lwspp_server {
namespace {

using json = nlohmann::json;

// "a string", "an integer": how a value's kind reads in an error message.
std::string kind_of(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number with a fraction";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::null:
      return "null";
    default:
      return "an unsupported value";
  }
}

std::string_view wanted(value_type t) {
  switch (t) {
    case value_type::string:
      return "a string";
    case value_type::integer:
      return "an integer";
    case value_type::boolean:
      return "true or false";
    case value_type::array:
      return "an array";
    case value_type::object:
      return "an object";
  }
  return "?";
}

bool has_type(const json& v, value_type t) {
  switch (t) {
    case value_type::string:
      return v.is_string();
    case value_type::integer:
      return v.is_number_integer();
    case value_type::boolean:
      return v.is_boolean();
    case value_type::array:
      return v.is_array();
    case value_type::object:
      return v.is_object();
  }
  return false;
}

// A short rendering of a value for messages: scalars in full, containers by kind.
std::string shown(const json& v) {
  if (v.is_structured()) return kind_of(v);
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return kind_of(v) + " (" + text + ")";
}

std::string out_of_range(const key_spec& k, const json& v) {
  return "must be between " + std::to_string(k.min) + " and " + std::to_string(k.max) + ", got " +
         v.dump();
}

// Integers beyond 64 bits are parsed as floating point: still a range error.
bool huge_integer(const json& v) {
  if (!v.is_number_float()) return false;
  const double x = v.get<double>();
  return std::isfinite(x) && std::floor(x) == x && std::fabs(x) >= 9.2e18;
}

std::string check_value(const key_spec& k, const json& v) {
  if (k.type == value_type::integer && huge_integer(v)) return out_of_range(k, v);
  if (!has_type(v, k.type)) return "expected " + std::string(wanted(k.type)) + ", got " + shown(v);
  if (k.type != value_type::integer) return {};
  // Non-negative integers are stored unsigned and may exceed int64.
  const bool too_big =
      v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(k.max);
  if (too_big || v.get<std::int64_t>() < k.min || v.get<std::int64_t>() > k.max)
    return out_of_range(k, v);
  return {};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string_view place_phrase(place p) {
  switch (p) {
    case place::top:
      return "at the top level";
    case place::vhost:
      return "in a vhost";
    case place::mount:
      return "in a mount";
    case place::auth:
      return "in a mount's \"auth\"";
    case place::tls:
      return "in a vhost's \"tls\"";
    case place::certificate:
      return "in an item of \"certificates\"";
  }
  return "?";
}

}  // namespace

std::string_view to_string(place p) noexcept {
  switch (p) {
    case place::top:
      return "top";
    case place::vhost:
      return "vhost";
    case place::mount:
      return "mount";
    case place::auth:
      return "auth";
    case place::tls:
      return "tls";
    case place::certificate:
      return "certificate";
  }
  return "?";
}

std::string_view to_string(value_type t) noexcept {
  switch (t) {
    case value_type::string:
      return "string";
    case value_type::integer:
      return "integer";
    case value_type::boolean:
      return "boolean";
    case value_type::array:
      return "array";
    case value_type::object:
      return "object";
  }
  return "?";
}

void config_schema::add(key_spec k) {
  // Two features claiming one key is a programming error, caught in any test run.
  assert(!find(k.where, k.name) && "config key registered twice");
  keys_.push_back(std::move(k));
}

const key_spec* config_schema::find(place where, std::string_view name) const noexcept {
  for (const key_spec& k : keys_)
    if (k.where == where && k.name == name) return &k;
  return nullptr;
}

void config_schema::apply(const json& doc, server_settings& out, diagnostics& diag) const {
  if (!doc.is_object()) {
    diag.error("", "", "the config must be a JSON object, got " + kind_of(doc));
    return;
  }
  config_target target{out, nullptr};
  apply_object(doc, "", place::top, target, diag);
  for (const config_check& check : checks_)
    check(out, diag);
}

void config_schema::apply_object(const json& obj, const std::string& pointer, place where,
                                 config_target& target, diagnostics& diag) const {
  for (const auto& member : obj.items()) {
    const std::string& name = member.key();
    const std::string at = json_locator::child(pointer, name);
    const key_spec* k = find(where, name);
    if (!k) {
      diag.error(at, name, unknown_key(where, name));
      continue;
    }
    apply_key(*k, member.value(), at, target, diag);
  }
  for (const key_spec& k : keys_) {
    if (k.where == where && k.required && !obj.contains(std::string(k.name))) {
      diag.error(json_locator::child(pointer, k.name), k.name,
                 "missing (required " + std::string(place_phrase(where)) + ")");
    }
  }
  if (where == place::vhost) check_protocol(obj, pointer, target, diag);
}

void config_schema::apply_key(const key_spec& k, const json& value, const std::string& at,
                              config_target& target, diagnostics& diag) const {
  if (std::string why = check_value(k, value); !why.empty()) {
    diag.error(at, k.name, std::move(why));
    return;
  }
  if (k.apply) {
    if (std::string why = k.apply(value, target); !why.empty())
      diag.error(at, k.name, std::move(why));
  }
  if (k.items) apply_items(k, value, at, target, diag);
  if (k.fields) apply_object(value, at, *k.fields, target, diag);
  if (k.members) apply_members(k, value, at, target, diag);
}

void config_schema::apply_items(const key_spec& k, const json& list, const std::string& pointer,
                                config_target& target, diagnostics& diag) const {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = json_locator::child(pointer, i);
    const json& item = list[i];
    if (!item.is_object()) {
      diag.error(at, k.name,
                 "item " + std::to_string(i) + " must be an object, got " + shown(item));
      continue;
    }
    // Each kind of section is created where it belongs.
    switch (*k.items) {
      case place::vhost: {
        vhost_settings& vh = target.server.vhosts.emplace_back();
        vh.options.name = "vhost" + std::to_string(i);
        vh.pointer = at;
        config_target inner{target.server, &vh};
        apply_object(item, at, place::vhost, inner, diag);
        break;
      }
      case place::mount: {
        assert(target.vhost && "mounts are registered as a vhost key");
        mount_settings& m = target.vhost->http.mounts.emplace_back();
        m.pointer = at;
        config_target inner{target.server, target.vhost, &m};
        apply_object(item, at, place::mount, inner, diag);
        break;
      }
      case place::certificate: {
        assert(target.vhost && target.vhost->options.tls && "certificates sit in a vhost's tls");
        lwspp::tls_certificate& c = target.vhost->options.tls->certificates.emplace_back();
        config_target inner{target.server, target.vhost, nullptr, &c};
        apply_object(item, at, place::certificate, inner, diag);
        break;
      }
      case place::top:
      case place::auth:
      case place::tls:
        assert(!"no array holds this place");
        break;
    }
  }
}

void config_schema::apply_members(const key_spec& k, const json& map, const std::string& pointer,
                                  config_target& target, diagnostics& diag) const {
  for (const auto& member : map.items()) {
    const std::string at = json_locator::child(pointer, member.key());
    if (!has_type(member.value(), *k.members)) {
      diag.error(at, k.name,
                 "\"" + member.key() + "\": expected " + std::string(wanted(*k.members)) +
                     ", got " + shown(member.value()));
      continue;
    }
    if (!k.apply_member) continue;
    if (std::string why = k.apply_member(member.key(), member.value(), target); !why.empty())
      diag.error(at, k.name, std::move(why));
  }
}

// Keys of one protocol in a vhost speaking another: reported once the whole
// vhost is read (its "protocol" may come after them).
void config_schema::check_protocol(const json& obj, const std::string& pointer,
                                   const config_target& target, diagnostics& diag) const {
  // A "protocol" that was refused is reported already; guessing past it
  // would only add noise.
  const auto given = obj.find("protocol");
  if (given != obj.end() && !(given->is_string() && *given == target.vhost->protocol)) return;
  for (const auto& member : obj.items()) {
    const key_spec* k = find(place::vhost, member.key());
    if (!k || k->protocol.empty() || k->protocol == target.vhost->protocol) continue;
    diag.error(json_locator::child(pointer, member.key()), k->name,
               "only for vhosts with \"protocol\": \"" + std::string(k->protocol) +
                   "\" (this one speaks " + target.vhost->protocol + ")");
  }
}

std::string config_schema::unknown_key(place where, std::string_view name) const {
  for (const key_spec& k : keys_) {
    if (k.name == name)
      return "not allowed " + std::string(place_phrase(where)) + " (it belongs " +
             std::string(place_phrase(k.where)) + ")";
  }
  std::string best;
  std::size_t best_distance = 3;  // suggest only near misses
  std::string known;
  for (const key_spec& k : keys_) {
    if (k.where != where) continue;
    known += known.empty() ? "" : ", ";
    known += k.name;
    const std::size_t d = edit_distance(name, k.name);
    if (d < best_distance) {
      best_distance = d;
      best = k.name;
    }
  }
  if (!best.empty()) return "unknown key (did you mean \"" + best + "\"?)";
  return "unknown key " + std::string(place_phrase(where)) + " (known: " + known + ")";
}

std::string config_schema::describe() const {
  std::string out;
  for (const key_spec& k : keys_) {
    std::string type(to_string(k.type));
    if (k.type == value_type::integer)
      type += " " + std::to_string(k.min) + ".." + std::to_string(k.max);
    std::string name(k.name);
    if (k.required) name += " (required)";
    std::string description;
    if (!k.protocol.empty()) description = "(" + std::string(k.protocol) + ") ";
    description += k.description;
    char line[256];
    std::snprintf(line, sizeof line, "  %-6s %-27s %-24s ", std::string(to_string(k.where)).c_str(),
                  name.c_str(), type.c_str());
    out += line;
    out += description;
    out += '\n';
  }
  return out;
}

}  // namespace lwspp_server
