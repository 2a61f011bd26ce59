// Client certificates (mTLS): required, optional, none; a certificate from
// a CA the server does not trust; the verified identity the server sees.
#include <gmock/gmock.h>

#include "tls_test_support.hpp"

namespace {

using lwspp::tls_client_auth;
using lwspp::tls_error;
using namespace tls_test;

pair run(tls_client_auth mode, const pem_pair* client_cert,
         lwspp::tls_version v = lwspp::tls_version::tls1_3) {
  auto so = localhost_server();
  so.client_auth = mode;
  so.client_ca_pem = test_pki().ca.cert_pem;
  auto sel = one_vhost(so);
  auto co = trusting_ca();
  co.max_version = v;
  if (client_cert) co.certificate = in_memory(*client_cert);
  auto cc = client(co);
  pair p;
  p.handshake(*cc, *sel);
  // TLS 1.3: the client finishes first and hears of a refusal afterwards.
  if (p.cl.handshake_done && !p.cl.failed) {
    p.c->write("hi");
    pump(*p.c, *p.s, p.cl, p.sv);
  }
  return p;
}

TEST(TlsClientAuth, RequiredAndGiven) {
  for (auto v : {lwspp::tls_version::tls1_2, lwspp::tls_version::tls1_3}) {
    pair p = run(tls_client_auth::required, &test_pki().alice, v);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.sv.data, "hi");
    const auto id = p.s->peer_identity();
    EXPECT_TRUE(id.verified);
    EXPECT_EQ(id.common_name, "alice");
    EXPECT_EQ(id.issuer, "CN=lwspp test CA");
  }
}

TEST(TlsClientAuth, RequiredButMissing) {
  pair p = run(tls_client_auth::required, nullptr);
  ASSERT_TRUE(p.sv.failed);
  EXPECT_EQ(p.s->failure().code, make_error_code(tls_error::handshake_failed));
  EXPECT_EQ(p.s->failure().detail, "peer did not return a certificate");
  ASSERT_TRUE(p.cl.failed);
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::alert_received));
  EXPECT_EQ(p.c->failure().protocol_code, 116);  // certificate_required (TLS 1.3)
  EXPECT_EQ(p.sv.data, "");
}

TEST(TlsClientAuth, OptionalAndMissing) {
  pair p = run(tls_client_auth::optional, nullptr);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.sv.data, "hi");
  EXPECT_TRUE(p.s->peer_identity().empty());
}

TEST(TlsClientAuth, UntrustedCertificateRefused) {
  for (auto mode : {tls_client_auth::optional, tls_client_auth::required}) {
    pair p = run(mode, &test_pki().mallory);
    ASSERT_TRUE(p.sv.failed);
    EXPECT_EQ(p.s->failure().code, make_error_code(tls_error::verify_failed));
    EXPECT_EQ(p.s->failure().detail, "unable to get local issuer certificate");
    ASSERT_TRUE(p.cl.failed);
    EXPECT_EQ(p.c->failure().protocol_code, 48);  // unknown_ca
    EXPECT_EQ(p.sv.data, "");
  }
}

TEST(TlsClientAuth, NoneDoesNotAsk) {
  pair p = run(tls_client_auth::none, &test_pki().alice);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.s->peer_identity().empty());
}

TEST(TlsClientAuth, NeedsCaBundle) {
  auto so = localhost_server();
  so.client_auth = tls_client_auth::required;
  auto r = lwspp::tls::server_context::create(so);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(tls_error::invalid_option));
  EXPECT_THAT(r.error().detail, ::testing::HasSubstr("client_ca_file"));
}

}  // namespace
