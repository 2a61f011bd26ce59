// sni_selector: which vhost of a listener serves a server name.
//
// Lookups run on every handshake that sends SNI, so the table is two sorted
// vectors searched by binary search, built once and never changed (which is
// also what makes the selector safe to share between loops without a lock).
#include <algorithm>

#include "tls/context.hpp"
#include "tls/names.hpp"

namespace lwspp::tls {
namespace {

template <class Key>
void sort_keys(std::vector<Key>& keys) {
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.name < b.name; });
}

template <class Key>
const Key* search(const std::vector<Key>& keys, std::string_view name) {
  auto it = std::lower_bound(keys.begin(), keys.end(), name,
                             [](const Key& k, std::string_view n) { return k.name < n; });
  return (it != keys.end() && it->name == name) ? &*it : nullptr;
}

}  // namespace

result<std::shared_ptr<const sni_selector>> sni_selector::create(std::vector<sni_entry> entries) {
  if (entries.empty()) return error_info(error::invalid_argument, "no TLS vhost for the listener");
  std::shared_ptr<sni_selector> s(new sni_selector());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].context) {
      return error_info(error::invalid_argument,
                        "TLS vhost " + std::to_string(i) + " has no server context");
    }
    for (const std::string& raw : entries[i].names) {
      const bool wild = std::string_view(raw).starts_with("*.");
      std::string base = normalize_host(wild ? std::string_view(raw).substr(2) : raw);
      // A wildcard needs two labels after it: "*.com" would claim a whole TLD.
      if (base.empty() || (wild && base.find('.') == std::string::npos)) {
        return error_info(make_error_code(tls_error::invalid_option),
                          "bad server name pattern \"" + raw + "\"");
      }
      auto& table = wild ? s->wildcard_ : s->exact_;
      if (std::any_of(table.begin(), table.end(), [&](const key& k) { return k.name == base; })) {
        return error_info(make_error_code(tls_error::invalid_option),
                          "server name \"" + raw + "\" is served by two TLS vhosts");
      }
      table.push_back({std::move(base), i});
    }
  }
  sort_keys(s->exact_);
  sort_keys(s->wildcard_);
  s->entries_ = std::move(entries);
  return std::shared_ptr<const sni_selector>(std::move(s));
}

result<std::shared_ptr<const sni_selector>> sni_selector::create(
    std::shared_ptr<server_context> one) {
  std::vector<sni_entry> entries;
  entries.push_back({.names = {}, .context = std::move(one)});
  return create(std::move(entries));
}

const sni_entry* sni_selector::find(std::string_view host) const noexcept {
  std::string name;
  try {
    name = normalize_host(host);
  } catch (...) {
    return nullptr;
  }
  if (name.empty()) return nullptr;
  if (const key* k = search(exact_, name)) return &entries_[k->index];
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos) return nullptr;
  if (const key* k = search(wildcard_, std::string_view(name).substr(dot + 1))) {
    return &entries_[k->index];
  }
  return nullptr;
}

std::unique_ptr<session> sni_selector::new_session() const {
  return entries_.front().context->new_session(shared_from_this());
}

}  // namespace lwspp::tls
