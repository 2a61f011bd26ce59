// A TLS listening port and the vhosts that share it. The first vhost to
// listen on an address is the default; later TLS vhosts on the same address
// join it, and the client's SNI name picks among them (tls::sni_selector).
// The listeners of the port (one per loop) make their sessions here.
#pragma once

#include <memory>
#include <vector>

#include "lwspp/context.hpp"
#include "tls/context.hpp"

namespace lwspp::detail {

class tls_port {
 public:
  // The port of `first`, whose TLS context is already made.
  static result<std::shared_ptr<tls_port>> create(vhost& first);

  // Another vhost on this port; before run() (the selector is rebuilt).
  result<void> join(vhost& vh);

  std::unique_ptr<tls::session> new_session() const { return selector_->new_session(); }
  // The vhost a finished handshake chose (the default when it chose none).
  vhost& chosen(const tls::session& s) const noexcept;
  vhost& default_vhost() const noexcept { return *vhosts_.front(); }

 private:
  result<void> rebuild();

  std::vector<vhost*> vhosts_;  // in selector entry order
  std::shared_ptr<const tls::sni_selector> selector_;
};

}  // namespace lwspp::detail
