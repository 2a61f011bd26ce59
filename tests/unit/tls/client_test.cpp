// tls::client_context: verification on by default, each failure giving the
// X.509 text a person can act on; names (DNS, IPv4, IPv6) checked; the loud
// opt-out; settings refused with a reason.
#include <gmock/gmock.h>

#include "tls_test_support.hpp"

namespace {

using lwspp::tls_error;
using namespace tls_test;
using ::testing::HasSubstr;

// Handshake of a client trusting the test CA with a server using `cert`.
pair connect(const pem_pair& cert, std::string_view name = "localhost",
             lwspp::tls_client_options co = trusting_ca()) {
  auto sel = one_vhost({.certificates = {in_memory(cert)}});
  auto cc = client(co);
  pair p;
  p.handshake(*cc, *sel, name);
  return p;
}

void expect_verify_failure(const pair& p, const std::string& x509_text, int alert) {
  ASSERT_TRUE(p.cl.failed);
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::verify_failed));
  EXPECT_EQ(p.c->failure().detail, x509_text);
  EXPECT_EQ(p.c->failure().message(), "TLS certificate verification failed: " + x509_text);
  EXPECT_EQ(p.c->failure().protocol_code, alert);  // the alert the client sent
  // The server learns from the alert why the client gave up.
  ASSERT_TRUE(p.sv.failed);
  EXPECT_EQ(p.s->failure().code, make_error_code(tls_error::alert_received));
  EXPECT_EQ(p.s->failure().protocol_code, alert);
}

TEST(TlsClient, GoodChainVerifies) {
  pair p = connect(test_pki().localhost_ec);
  ASSERT_TRUE(p.ok());
  const auto id = p.c->peer_identity();
  EXPECT_TRUE(id.verified);
  EXPECT_EQ(id.common_name, "localhost");
  EXPECT_EQ(id.subject, "CN=localhost");
  EXPECT_EQ(id.issuer, "CN=lwspp test CA");
  EXPECT_EQ(id.dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(id.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(id.sha256_fingerprint.size(), 64u);
}

TEST(TlsClient, Expired) {
  expect_verify_failure(connect(test_pki().expired), "certificate has expired", 45);
}

TEST(TlsClient, WrongHost) {
  expect_verify_failure(connect(test_pki().localhost_ec, "example.com"), "hostname mismatch", 42);
}

TEST(TlsClient, SelfSigned) {
  expect_verify_failure(connect(test_pki().self_signed), "self-signed certificate", 48);
}

TEST(TlsClient, UnknownCa) {
  expect_verify_failure(connect(test_pki().untrusted), "unable to get local issuer certificate",
                        48);
}

TEST(TlsClient, IpAddresses) {
  EXPECT_TRUE(connect(test_pki().localhost_ec, "127.0.0.1").ok());
  EXPECT_TRUE(connect(test_pki().localhost_ec, "::1").ok());
  pair bracketed = connect(test_pki().localhost_ec, "[::1]");
  EXPECT_TRUE(bracketed.ok());
  EXPECT_EQ(bracketed.s->server_name(), "");  // an IP is never sent as SNI
  expect_verify_failure(connect(test_pki().localhost_ec, "10.1.2.3"), "IP address mismatch", 42);
}

TEST(TlsClient, SystemStoreDoesNotTrustTestCa) {
  pair p = connect(test_pki().localhost_ec, "localhost", {});
  ASSERT_TRUE(p.cl.failed);
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::verify_failed));
}

TEST(TlsClient, CaFromFile) {
  temp_dir dir;
  const auto ca = dir.write("ca.pem", test_pki().ca.cert_pem + test_pki().other_ca.cert_pem);
  EXPECT_TRUE(connect(test_pki().untrusted, "localhost", {.ca_file = ca}).ok());
  EXPECT_TRUE(connect(test_pki().localhost_ec, "localhost", {.ca_file = ca}).ok());
}

TEST(TlsClient, ServerNameFromOptions) {
  auto co = trusting_ca();
  co.server_name = "localhost";
  EXPECT_TRUE(connect(test_pki().localhost_ec, "", co).ok());
}

TEST(TlsClient, NoNameWithVerificationIsRefused) {
  auto cc = client(trusting_ca());
  auto r = cc->new_session("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(tls_error::invalid_option));
  EXPECT_THAT(r.error().detail, HasSubstr("server_name"));
  EXPECT_FALSE(cc->new_session("bad name!").ok());
}

TEST(TlsClient, InsecureSkipVerifyIsLoud) {
  std::vector<std::string> lines;
  lwspp::logger log(lwspp::log_level::notice,
                    [&](lwspp::log_level, std::string_view m) { lines.emplace_back(m); });
  auto r = lwspp::tls::client_context::create({.insecure_skip_verify = true}, &log);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("NOT checked"));
  auto sel = one_vhost({.certificates = {in_memory(test_pki().self_signed)}});
  pair p;
  p.handshake(**r, *sel, "");  // no name needed either
  EXPECT_TRUE(p.ok());
  EXPECT_FALSE(p.c->peer_identity().verified);
  EXPECT_EQ(p.c->peer_identity().common_name, "localhost");
}

TEST(TlsClient, RefusedSettings) {
  struct tcase {
    lwspp::tls_client_options o;
    lwspp::tls_error want;
    const char* text;
  };
  const tcase cases[] = {
      {{.ca_file = "/nonexistent/ca.pem"}, tls_error::certificate_load, "No such file"},
      {{.ca_pem = "not a pem"}, tls_error::certificate_load, "CA (in memory)"},
      {{.ciphers = "NO-SUCH-CIPHER"}, tls_error::invalid_option, "ciphers"},
      {{.ciphersuites = "TLS_NOPE"}, tls_error::invalid_option, "ciphersuites"},
      {{.groups = "P-1"}, tls_error::invalid_option, "groups"},
      {{.certificate = {.cert_pem = test_pki().alice.cert_pem}},
       tls_error::certificate_load,
       "private key"},
  };
  for (const tcase& t : cases) {
    auto r = lwspp::tls::client_context::create(t.o);
    ASSERT_FALSE(r.ok()) << t.text;
    EXPECT_EQ(r.error().code, make_error_code(t.want)) << r.error().message();
    EXPECT_THAT(r.error().message(), HasSubstr(t.text));
  }
}

TEST(TlsClient, ChoosesCipherAndGroup) {
  auto co = trusting_ca();
  co.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
  co.groups = "P-384";
  pair p = connect(test_pki().localhost_ec, "localhost", co);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.s->cipher(), "TLS_CHACHA20_POLY1305_SHA256");
}

}  // namespace
