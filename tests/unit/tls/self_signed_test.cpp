// make_self_signed: ECDSA P-256, the names in subjectAltName, key file 0600,
// usable at once by a server and trusted by a client given the certificate.
#include <sys/stat.h>

#include <gmock/gmock.h>

#include "tls_test_support.hpp"

namespace {

using namespace tls_test;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(TlsSelfSigned, WritesUsableFiles) {
  temp_dir dir;
  const auto cert = dir.file("dev.crt"), key = dir.file("dev.key");
  auto r = lwspp::tls::make_self_signed(cert, key);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(mode_of(key), 0600u);
  EXPECT_EQ(mode_of(cert), 0644u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path),
                          std::filesystem::directory_iterator()),
            2);  // no temporary file left behind

  auto sel = one_vhost({.certificates = {{.cert_file = cert, .key_file = key}}});
  auto cc = client({.ca_file = cert});
  for (const char* name : {"localhost", "127.0.0.1", "::1"}) {
    pair p;
    p.handshake(*cc, *sel, name);
    ASSERT_TRUE(p.ok()) << name;
    const auto id = p.c->peer_identity();
    EXPECT_EQ(id.common_name, "localhost");
    EXPECT_EQ(id.dns_names, std::vector<std::string>{"localhost"});
    EXPECT_EQ(id.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  }
  pair wrong;
  wrong.handshake(*cc, *sel, "example.com");
  EXPECT_TRUE(wrong.cl.failed);
}

TEST(TlsSelfSigned, KeyIsEcdsaP256AndValidityIsSet) {
  temp_dir dir;
  const auto cert = dir.file("c.pem"), key = dir.file("k.pem");
  ASSERT_TRUE(lwspp::tls::make_self_signed(
                  cert, key, {.names = {"dev.example"}, .validity = std::chrono::hours(48)})
                  .ok());
  const std::string cmd =
      "openssl x509 -in " + cert + " -noout -text > " + dir.file("out") + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl tool not found";
  std::ifstream in(dir.file("out"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, ::testing::HasSubstr("prime256v1"));
  EXPECT_THAT(text, ::testing::HasSubstr("DNS:dev.example"));
  EXPECT_THAT(text, ::testing::HasSubstr("CA:FALSE"));
  EXPECT_THAT(text, ::testing::HasSubstr("Subject: CN = dev.example"));
}

TEST(TlsSelfSigned, Overwrites) {
  temp_dir dir;
  const auto cert = dir.file("c.pem"), key = dir.file("k.pem");
  ASSERT_TRUE(lwspp::tls::make_self_signed(cert, key).ok());
  const auto first = std::filesystem::file_size(key);
  ASSERT_TRUE(lwspp::tls::make_self_signed(cert, key).ok());
  EXPECT_GT(first, 0u);
  EXPECT_EQ(mode_of(key), 0600u);
}

TEST(TlsSelfSigned, Errors) {
  temp_dir dir;
  auto bad_name = lwspp::tls::make_self_signed(dir.file("c"), dir.file("k"), {.names = {"a b"}});
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().code, make_error_code(lwspp::tls_error::invalid_option));
  EXPECT_FALSE(lwspp::tls::make_self_signed(dir.file("c"), dir.file("k"), {.names = {}}).ok());
  auto no_dir = lwspp::tls::make_self_signed("/nonexistent/c", "/nonexistent/k");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.error().message(), "No such file or directory: /nonexistent/k");
}

}  // namespace
