// tls::server_context: certificates from files and memory, RSA and ECDSA on
// one vhost (each client gets the one it can use), refused settings with the
// file and reason, and reload: new sessions get the new certificate,
// sessions already open go on, a bad file keeps the old one.
#include <gmock/gmock.h>

#include "tls_test_support.hpp"

namespace {

using lwspp::tls_error;
using namespace tls_test;
using ::testing::HasSubstr;

pair connect(const lwspp::tls::sni_selector& sel, lwspp::tls_client_options co = trusting_ca()) {
  auto cc = client(co);
  pair p;
  p.handshake(*cc, sel);
  return p;
}

TEST(TlsServerContext, RsaAndEcdsaTogether) {
  auto sel = one_vhost(
      {.certificates = {in_memory(test_pki().localhost_rsa), in_memory(test_pki().localhost_ec)}});
  // TLS 1.2: the cipher suite names the key type.
  auto rsa = trusting_ca();
  rsa.max_version = lwspp::tls_version::tls1_2;
  rsa.ciphers = "ECDHE-RSA-AES128-GCM-SHA256";
  pair r = connect(*sel, rsa);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.c->peer_identity().common_name, "localhost rsa");
  auto ec = rsa;
  ec.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  pair e = connect(*sel, ec);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.c->peer_identity().common_name, "localhost");
  // TLS 1.3 clients get one of them and verify it.
  EXPECT_TRUE(connect(*sel).ok());
}

TEST(TlsServerContext, FromFiles) {
  temp_dir dir;
  const auto& k = test_pki().localhost_ec;
  // The chain file holds the leaf, then the CA (a full chain).
  const auto cert = dir.write("chain.pem", k.cert_pem + test_pki().ca.cert_pem);
  const auto key = dir.write("key.pem", k.key_pem);
  auto sel = one_vhost({.certificates = {{.cert_file = cert, .key_file = key}}});
  EXPECT_TRUE(connect(*sel).ok());
}

TEST(TlsServerContext, RefusedSettings) {
  temp_dir dir;
  const auto& k = test_pki().localhost_ec;
  const auto garbage = dir.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n");
  struct tcase {
    lwspp::tls_server_options o;
    tls_error want;
    std::string text;
  };
  const std::vector<tcase> cases = {
      {{}, tls_error::certificate_load, "no certificate set"},
      {{.certificates = {{.cert_file = dir.file("none.pem"), .key_pem = k.key_pem}}},
       tls_error::certificate_load,
       "certificate " + dir.file("none.pem") + ": No such file or directory"},
      {{.certificates = {{.cert_file = garbage, .key_pem = k.key_pem}}},
       tls_error::certificate_load,
       "certificate " + garbage + ":"},
      {{.certificates = {{.cert_pem = k.cert_pem, .key_pem = "junk"}}},
       tls_error::certificate_load,
       "private key (in memory)"},
      {{.certificates = {{.cert_pem = k.cert_pem, .key_pem = test_pki().alice.key_pem}}},
       tls_error::certificate_load,
       "does not match"},
      {{.certificates = {in_memory(k), in_memory(test_pki().a_example)}},
       tls_error::invalid_option,
       "same key type (EC)"},
      {{.certificates = {in_memory(k)}, .ciphers = "NOPE"}, tls_error::invalid_option, "ciphers"},
      {{.certificates = {in_memory(k)}, .groups = "X9"}, tls_error::invalid_option, "groups"},
      {{.certificates = {in_memory(k)},
        .client_auth = lwspp::tls_client_auth::optional,
        .client_ca_file = dir.file("none.pem")},
       tls_error::certificate_load,
       "client CA " + dir.file("none.pem")},
  };
  for (const tcase& t : cases) {
    auto r = lwspp::tls::server_context::create(t.o);
    ASSERT_FALSE(r.ok()) << t.text;
    EXPECT_EQ(r.error().code, make_error_code(t.want)) << r.error().message();
    EXPECT_THAT(r.error().message(), HasSubstr(t.text));
  }
}

TEST(TlsServerContext, EncryptedKey) {
  // Written by the openssl tool when present: PKCS#8 with a password.
  temp_dir dir;
  const auto plain = dir.write("plain.pem", test_pki().localhost_ec.key_pem);
  const std::string enc = dir.file("enc.pem");
  const std::string cmd =
      "openssl pkey -in " + plain + " -out " + enc + " -aes256 -passout pass:sesame 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl tool not found";
  const std::string cert = test_pki().localhost_ec.cert_pem;
  auto good = lwspp::tls::server_context::create(
      {.certificates = {{.cert_pem = cert, .key_file = enc, .key_password = "sesame"}}});
  EXPECT_TRUE(good.ok());
  for (const char* pw : {"", "wrong"}) {
    auto bad = lwspp::tls::server_context::create(
        {.certificates = {{.cert_pem = cert, .key_file = enc, .key_password = pw}}});
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(bad.error().message(), HasSubstr("private key " + enc));
  }
}

struct TlsReload : ::testing::Test {
  temp_dir dir;
  std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  void put(const pem_pair& p) {
    dir.write("cert.pem", p.cert_pem);
    dir.write("key.pem", p.key_pem);
  }
};

TEST_F(TlsReload, NewSessionsGetNewCertificateOldOnesGoOn) {
  put(test_pki().localhost_ec);
  auto ctx = server({.certificates = {{.cert_file = cert, .key_file = key}}});
  auto sel = lwspp::tls::sni_selector::create(ctx).value();
  pair before = connect(*sel);
  ASSERT_TRUE(before.ok());
  const auto old_fp = before.c->peer_identity().sha256_fingerprint;

  put(test_pki().localhost_rsa);
  ASSERT_TRUE(ctx->reload().ok());
  EXPECT_EQ(ctx->generation(), 1u);
  pair after = connect(*sel);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.c->peer_identity().common_name, "localhost rsa");
  EXPECT_NE(after.c->peer_identity().sha256_fingerprint, old_fp);

  // The session made before the reload still works both ways.
  before.c->write("still here");
  before.s->write("me too");
  pump(*before.c, *before.s, before.cl, before.sv);
  EXPECT_EQ(before.sv.data, "still here");
  EXPECT_EQ(before.cl.data, "me too");
  EXPECT_EQ(before.c->peer_identity().sha256_fingerprint, old_fp);
}

TEST_F(TlsReload, SessionStartedBeforeReloadFinishesWithOldCertificate) {
  put(test_pki().localhost_ec);
  auto ctx = server({.certificates = {{.cert_file = cert, .key_file = key}}});
  auto sel = lwspp::tls::sni_selector::create(ctx).value();
  auto cc = client(trusting_ca());
  pair p;
  p.c = client_session(*cc);
  p.s = sel->new_session();
  put(test_pki().localhost_rsa);
  ASSERT_TRUE(ctx->reload().ok());
  pump(*p.c, *p.s, p.cl, p.sv);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.c->peer_identity().common_name, "localhost");
}

TEST_F(TlsReload, BadFileKeepsOldCertificate) {
  put(test_pki().localhost_ec);
  auto ctx = server({.certificates = {{.cert_file = cert, .key_file = key}}});
  auto sel = lwspp::tls::sni_selector::create(ctx).value();

  dir.write("cert.pem", "not a certificate");
  auto r = ctx->reload();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(tls_error::certificate_load));
  EXPECT_THAT(r.error().message(), HasSubstr(cert));
  EXPECT_EQ(ctx->generation(), 0u);

  // A certificate that does not match the key is refused too.
  dir.write("cert.pem", test_pki().localhost_rsa.cert_pem);
  EXPECT_THAT(ctx->reload().error().message(), HasSubstr("does not match"));
  std::filesystem::remove(key);
  EXPECT_THAT(ctx->reload().error().message(), HasSubstr("No such file"));

  pair p = connect(*sel);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.c->peer_identity().common_name, "localhost");
}

TEST_F(TlsReload, ReloadWithNewOptions) {
  auto ctx = server(localhost_server());
  auto sel = lwspp::tls::sni_selector::create(ctx).value();
  auto o = localhost_server();
  o.certificates = {in_memory(test_pki().localhost_rsa)};
  o.alpn = {"h2"};
  ASSERT_TRUE(ctx->reload(o).ok());
  auto co = trusting_ca();
  co.alpn = {"h2"};
  pair p = connect(*sel, co);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.c->alpn(), "h2");
  EXPECT_EQ(p.c->peer_identity().common_name, "localhost rsa");
  // reload() now re-reads the new options.
  EXPECT_TRUE(ctx->reload().ok());
  EXPECT_EQ(ctx->generation(), 2u);
}

}  // namespace
