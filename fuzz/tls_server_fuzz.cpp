// libFuzzer target for a TLS server session (src/tls/): arbitrary bytes fed
// as ciphertext from a client. The server has two SNI vhosts (one a
// wildcard), ALPN lists and optional client certificates, so that our own
// callbacks (client hello and SNI switch, ALPN choice, server_name parsing)
// and OpenSSL's parsing of a TLS 1.2 client Certificate are reached.
//
// The first byte picks the piece size the rest is fed in (low 6 bits; 0 is
// whole), whether the listener rejects unknown names (bit 6) and whether
// end of input follows (bit 7). Checked along the way: consumed never
// exceeds the input, need_more consumes everything, plaintext comes only
// after handshake_done, a failed session stays failed with a reason.
// Seeds: ClientHellos captured from lwspp's own client (TLS 1.3 and 1.2,
// SNI for each vhost, ALPN), and a few non-TLS openings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tls/cert_maker.hpp"
#include "tls/context.hpp"

namespace {

using namespace lwspp::tls;

void check(bool ok) {
  if (!ok) std::abort();
}

std::shared_ptr<const sni_selector> make_selector(lwspp::tls_unknown_name unknown) {
  static const pem_pair ca = make_certificate({.common_name = "fuzz CA", .is_ca = true}).value();
  static const pem_pair leaf =
      make_certificate({.common_name = "localhost", .alt_names = {"localhost"}}, &ca).value();
  static const pem_pair other =
      make_certificate({.common_name = "*.b.example.com", .alt_names = {"*.b.example.com"}}, &ca)
          .value();
  const lwspp::tls_certificate leaf_cert{.cert_pem = leaf.cert_pem, .key_pem = leaf.key_pem};
  const lwspp::tls_certificate other_cert{.cert_pem = other.cert_pem, .key_pem = other.key_pem};
  auto def = server_context::create({.certificates = {leaf_cert},
                                     .alpn = {"h2", "http/1.1"},
                                     .client_auth = lwspp::tls_client_auth::optional,
                                     .client_ca_pem = ca.cert_pem,
                                     .unknown_name = unknown});
  auto b = server_context::create({.certificates = {other_cert}, .alpn = {"mqtt"}});
  check(def.ok() && b.ok());
  std::vector<sni_entry> entries;
  entries.push_back({.names = {"localhost"}, .context = def.value()});
  entries.push_back({.names = {"*.b.example.com"}, .context = b.value()});
  return sni_selector::create(std::move(entries)).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static const auto lenient = make_selector(lwspp::tls_unknown_name::use_default);
  static const auto strict = make_selector(lwspp::tls_unknown_name::reject);
  if (size == 0) return 0;
  const std::size_t piece = bytes[0] & 0x3f;
  const auto& selector = (bytes[0] & 0x40) ? strict : lenient;
  const bool eof = (bytes[0] & 0x80) != 0;
  std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);

  auto s = selector->new_session();
  check(s != nullptr);
  char plain[4096];
  bool handshake_done = false;
  bool stopped = false;
  while (!data.empty() && !stopped) {
    std::string_view in = data.substr(0, piece ? piece : data.size());
    data.remove_prefix(in.size());
    for (;;) {
      const event ev = s->feed(in, plain);
      check(ev.consumed <= in.size());
      in.remove_prefix(ev.consumed);
      if (ev.kind == event_kind::handshake_done) {
        check(!handshake_done);
        handshake_done = true;
        continue;
      }
      if (ev.kind == event_kind::data) {
        check(handshake_done && ev.size > 0 && ev.size <= sizeof plain);
        continue;
      }
      if (ev.kind == event_kind::need_more) check(in.empty());
      if (ev.kind == event_kind::failed) {
        check(s->state() == session_state::failed && !s->failure().detail.empty());
      }
      stopped = ev.kind != event_kind::need_more;
      break;
    }
    s->consume_output(s->output().size());
  }
  if (eof) {
    const auto why = s->end_of_input();
    check(why.code.value() != 0);
  }
  return 0;
}
