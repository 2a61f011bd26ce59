// sni_selector: several TLS vhosts on one port. The name lookup (exact,
// wildcard, case, final dot), the certificate, ALPN list and client-cert
// policy switching to the chosen vhost, the default and the reject policy,
// and the table checks. Also the pieces it uses: normalize_host,
// is_ip_literal and the server_name extension parser.
#include "tls/sni_extension.hpp"

#include <gmock/gmock.h>

#include "tls/names.hpp"
#include "tls_test_support.hpp"

namespace {

using lwspp::tls_error;
using lwspp::tls::sni_entry;
using lwspp::tls::sni_selector;
using namespace tls_test;

struct three_vhosts {
  std::shared_ptr<const sni_selector> sel;
  explicit three_vhosts(lwspp::tls_unknown_name unknown = lwspp::tls_unknown_name::use_default) {
    auto def = localhost_server();
    def.alpn = {"http/1.1"};
    def.unknown_name = unknown;
    lwspp::tls_server_options a{.certificates = {in_memory(test_pki().a_example)},
                                .alpn = {"h2", "http/1.1"},
                                .client_auth = lwspp::tls_client_auth::required,
                                .client_ca_pem = test_pki().ca.cert_pem};
    lwspp::tls_server_options b{.certificates = {in_memory(test_pki().b_wildcard)}, .alpn = {"h2"}};
    std::vector<sni_entry> entries;
    entries.push_back({.names = {"localhost"}, .context = server(def)});
    entries.push_back({.names = {"a.example.com", "A2.Example.com"}, .context = server(a)});
    entries.push_back({.names = {"*.b.example.com"}, .context = server(b)});
    auto r = sni_selector::create(std::move(entries));
    EXPECT_TRUE(r.ok());
    sel = r.value();
  }
};

pair connect(const sni_selector& sel, std::string_view name, const pem_pair* client_cert = nullptr,
             std::vector<std::string> alpn = {"h2", "http/1.1"}) {
  auto co = trusting_ca();
  co.alpn = std::move(alpn);
  if (client_cert) co.certificate = in_memory(*client_cert);
  auto cc = client(co);
  pair p;
  p.handshake(*cc, sel, name);
  if (p.cl.handshake_done && !p.cl.failed) {  // TLS 1.3 refusals come after the client's Finished
    p.c->write("x");
    pump(*p.c, *p.s, p.cl, p.sv);
  }
  return p;
}

TEST(SniSelector, Find) {
  three_vhosts v;
  const auto& e = v.sel->entries();
  EXPECT_EQ(v.sel->find("localhost"), &e[0]);
  EXPECT_EQ(v.sel->find("a.example.com"), &e[1]);
  EXPECT_EQ(v.sel->find("A.EXAMPLE.COM."), &e[1]);
  EXPECT_EQ(v.sel->find("a2.example.com"), &e[1]);
  EXPECT_EQ(v.sel->find("x.b.example.com"), &e[2]);
  EXPECT_EQ(v.sel->find("b.example.com"), nullptr);      // a wildcard needs its label
  EXPECT_EQ(v.sel->find("y.x.b.example.com"), nullptr);  // ... and only one
  EXPECT_EQ(v.sel->find("example.com"), nullptr);
  EXPECT_EQ(v.sel->find(""), nullptr);
  EXPECT_EQ(v.sel->find("bad name"), nullptr);
}

TEST(SniSelector, ChoosesCertificateAlpnAndPolicy) {
  three_vhosts v;
  pair d = connect(*v.sel, "localhost");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.s->selected_entry(), 0u);
  EXPECT_EQ(d.c->alpn(), "http/1.1");
  EXPECT_EQ(d.c->peer_identity().common_name, "localhost");

  pair a = connect(*v.sel, "a.example.com", &test_pki().alice);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.s->selected_entry(), 1u);
  EXPECT_EQ(a.s->server_name(), "a.example.com");
  EXPECT_EQ(a.c->alpn(), "h2");
  EXPECT_EQ(a.c->peer_identity().common_name, "a.example.com");
  EXPECT_EQ(a.s->peer_identity().common_name, "alice");

  pair b = connect(*v.sel, "www.b.example.com");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.s->selected_entry(), 2u);
  EXPECT_EQ(b.c->alpn(), "h2");
  EXPECT_EQ(b.c->peer_identity().common_name, "*.b.example.com");
}

TEST(SniSelector, ClientAuthOfChosenVhostApplies) {
  three_vhosts v;
  pair a = connect(*v.sel, "a.example.com");  // vhost a requires a certificate
  ASSERT_TRUE(a.sv.failed);
  EXPECT_EQ(a.s->failure().detail, "peer did not return a certificate");
  EXPECT_EQ(a.sv.data, "");
}

TEST(SniSelector, AlpnOfChosenVhostApplies) {
  three_vhosts v;
  pair b = connect(*v.sel, "x.b.example.com", nullptr, {"http/1.1"});  // b speaks only h2
  ASSERT_TRUE(b.cl.failed);
  EXPECT_EQ(b.c->failure().protocol_code, 120);
}

TEST(SniSelector, UnknownNameGetsDefault) {
  three_vhosts v;
  auto co = trusting_ca();
  auto cc = client(co);
  pair p;
  p.handshake(*cc, *v.sel, "other.example.org");
  // The default's certificate is not for that name: the client says so.
  ASSERT_TRUE(p.cl.failed);
  EXPECT_EQ(p.c->failure().detail, "hostname mismatch");
  EXPECT_EQ(p.s->selected_entry(), 0u);
}

TEST(SniSelector, UnknownNameRejected) {
  three_vhosts v(lwspp::tls_unknown_name::reject);
  pair p = connect(*v.sel, "other.example.org");
  ASSERT_TRUE(p.cl.failed);
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::alert_received));
  EXPECT_EQ(p.c->failure().protocol_code, 112);  // unrecognized_name
  EXPECT_TRUE(p.sv.failed);
  // Known names and connections without SNI still work.
  EXPECT_TRUE(connect(*v.sel, "localhost").ok());
  EXPECT_TRUE(connect(*v.sel, "127.0.0.1").ok());
}

TEST(SniSelector, TableChecks) {
  auto ctx = server(localhost_server());
  auto make = [&](std::vector<std::string> names, std::vector<std::string> more = {}) {
    std::vector<sni_entry> e;
    e.push_back({.names = std::move(names), .context = ctx});
    if (!more.empty()) e.push_back({.names = std::move(more), .context = ctx});
    return sni_selector::create(std::move(e));
  };
  EXPECT_TRUE(make({"a.com", "*.a.com"}).ok());
  EXPECT_FALSE(make({"a.com"}, {"A.com."}).ok());
  EXPECT_FALSE(make({"*.com"}).ok());
  EXPECT_FALSE(make({"a..com"}).ok());
  EXPECT_FALSE(make({"a.*.com"}).ok());
  EXPECT_FALSE(make({"*"}).ok());
  EXPECT_FALSE(sni_selector::create(std::vector<sni_entry>{}).ok());
  EXPECT_FALSE(sni_selector::create(std::vector<sni_entry>{{.names = {"x.com"}}}).ok());
}

TEST(TlsNames, NormalizeHost) {
  using lwspp::tls::normalize_host;
  EXPECT_EQ(normalize_host("Example.COM."), "example.com");
  EXPECT_EQ(normalize_host("a-b_c.d"), "a-b_c.d");
  EXPECT_EQ(normalize_host(""), "");
  EXPECT_EQ(normalize_host("."), "");
  EXPECT_EQ(normalize_host("a..b"), "");
  EXPECT_EQ(normalize_host(".a"), "");
  EXPECT_EQ(normalize_host("a b"), "");
  EXPECT_EQ(normalize_host(std::string("a\0b", 3)), "");
  EXPECT_EQ(normalize_host(std::string(63, 'x') + ".com").size(), 67u);
  EXPECT_EQ(normalize_host(std::string(64, 'x') + ".com"), "");
}

TEST(TlsNames, IpLiteral) {
  using lwspp::tls::is_ip_literal;
  std::string out;
  EXPECT_TRUE(is_ip_literal("127.0.0.1", &out));
  EXPECT_EQ(out, "127.0.0.1");
  EXPECT_TRUE(is_ip_literal("[::1]", &out));
  EXPECT_EQ(out, "::1");
  EXPECT_TRUE(is_ip_literal("fe80::1"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("1.2.3"));
  EXPECT_FALSE(is_ip_literal("[]"));
}

std::string_view parse(const std::string& body, bool* ok = nullptr) {
  static std::string keep;
  keep = body;
  std::string_view host;
  const bool r = lwspp::tls::parse_sni_extension(
      reinterpret_cast<const unsigned char*>(keep.data()), keep.size(), host);
  if (ok) *ok = r;
  return host;
}

TEST(SniExtension, Parse) {
  bool ok = false;
  EXPECT_EQ(parse(std::string("\x00\x06\x00\x00\x03"
                              "abc",
                              8),
                  &ok),
            "abc");
  EXPECT_TRUE(ok);
  // A name of another type first, then the host name.
  EXPECT_EQ(parse(std::string("\x00\x0a\x07\x00\x01z\x00\x00\x03"
                              "abc",
                              12),
                  &ok),
            "abc");
  EXPECT_TRUE(ok);
  for (const std::string& bad :
       {std::string(), std::string("\x00", 1), std::string("\x00\x00", 2),
        std::string("\x00\x05\x00\x00\x03"
                    "ab",
                    7),
        std::string("\x00\x04\x00\x00\x03"
                    "abc",
                    8),
        std::string("\x00\x03\x00\x00\x00", 5), std::string("\x00\x02\x00\x00", 4)}) {
    parse(bad, &ok);
    EXPECT_FALSE(ok) << bad.size();
  }
}

}  // namespace
