#include "core/tls_port.hpp"

namespace lwspp::detail {

result<std::shared_ptr<tls_port>> tls_port::create(vhost& first) {
  auto port = std::make_shared<tls_port>();
  port->vhosts_.push_back(&first);
  if (auto r = port->rebuild(); !r) return r.error();
  return port;
}

result<void> tls_port::join(vhost& vh) {
  vhosts_.push_back(&vh);
  auto r = rebuild();
  if (!r) vhosts_.pop_back();
  return r;
}

result<void> tls_port::rebuild() {
  std::vector<tls::sni_entry> entries;
  entries.reserve(vhosts_.size());
  for (vhost* vh : vhosts_) {
    tls::sni_entry e;
    e.names = vh->options().server_names;
    if (e.names.empty() && vh != vhosts_.front()) e.names.push_back(vh->name());
    e.context = vh->tls_;
    entries.push_back(std::move(e));
  }
  auto sel = tls::sni_selector::create(std::move(entries));
  if (!sel) return sel.error();
  selector_ = std::move(*sel);
  return {};
}

vhost& tls_port::chosen(const tls::session& s) const noexcept {
  const std::size_t i = s.selected_entry();
  return i < vhosts_.size() ? *vhosts_[i] : *vhosts_.front();
}

}  // namespace lwspp::detail
