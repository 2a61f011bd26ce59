// Session resumption by tickets: TLS 1.3 and 1.2, off by setting (either
// side), kept across a certificate reload, on a vhost chosen by SNI.
#include "tls_test_support.hpp"

namespace {

using namespace tls_test;

// Two connections from one client context; returns whether the second resumed.
bool second_resumes(lwspp::tls::client_context& cc, const lwspp::tls::sni_selector& sel,
                    std::string_view first_name = "localhost",
                    std::string_view second_name = "localhost") {
  pair a;
  a.handshake(cc, sel, first_name);
  EXPECT_TRUE(a.ok());
  EXPECT_FALSE(a.c->resumed());
  // TLS 1.3 tickets come after the handshake; the client reads them here.
  a.s->write("x");
  pump(*a.c, *a.s, a.cl, a.sv);
  pair b;
  b.handshake(cc, sel, second_name);
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.c->resumed(), b.s->resumed());
  return b.s->resumed();
}

TEST(TlsResumption, Tls13) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  EXPECT_TRUE(second_resumes(*cc, *sel));
}

TEST(TlsResumption, Tls12) {
  auto sel = one_vhost(localhost_server());
  auto co = trusting_ca();
  co.max_version = lwspp::tls_version::tls1_2;
  auto cc = client(co);
  EXPECT_TRUE(second_resumes(*cc, *sel));
}

TEST(TlsResumption, OffOnServer) {
  auto so = localhost_server();
  so.session_tickets = false;
  auto sel = one_vhost(so);
  for (auto v : {lwspp::tls_version::tls1_2, lwspp::tls_version::tls1_3}) {
    auto co = trusting_ca();
    co.max_version = v;
    auto cc = client(co);
    EXPECT_FALSE(second_resumes(*cc, *sel));
  }
}

TEST(TlsResumption, OffOnClient) {
  auto sel = one_vhost(localhost_server());
  auto co = trusting_ca();
  co.session_resumption = false;
  auto cc = client(co);
  EXPECT_FALSE(second_resumes(*cc, *sel));
}

TEST(TlsResumption, SurvivesReload) {
  auto ctx = server(localhost_server());
  auto sel = lwspp::tls::sni_selector::create(ctx).value();
  auto cc = client(trusting_ca());
  pair a;
  a.handshake(*cc, *sel);
  a.s->write("x");
  pump(*a.c, *a.s, a.cl, a.sv);
  ASSERT_TRUE(ctx->reload().ok());
  pair b;
  b.handshake(*cc, *sel);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.s->resumed());
}

// A vhost chosen by SNI (not the default) resumes its own sessions: the
// switch to its context happens before OpenSSL looks at the ticket.
TEST(TlsResumption, OnSniVhost) {
  std::vector<lwspp::tls::sni_entry> e;
  e.push_back({.names = {"localhost"}, .context = server(localhost_server())});
  e.push_back({.names = {"a.example.com"},
               .context = server({.certificates = {in_memory(test_pki().a_example)}})});
  auto sel = lwspp::tls::sni_selector::create(std::move(e)).value();
  for (auto v : {lwspp::tls_version::tls1_2, lwspp::tls_version::tls1_3}) {
    auto co = trusting_ca();
    co.max_version = v;
    auto cc = client(co);
    EXPECT_TRUE(second_resumes(*cc, *sel, "a.example.com", "a.example.com"));
  }
}

}  // namespace
