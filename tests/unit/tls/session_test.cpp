// tls::session (OpenSSL backend) paired in memory: handshakes with TLS 1.2
// and 1.3, data both ways in any piece size, close_notify, and the ways a
// peer can misbehave (truncation, garbage, plaintext HTTP, tampering) each
// giving its own clear error.
#include "tls/session.hpp"

#include <random>

#include "tls_test_support.hpp"

namespace {

using lwspp::tls_error;
using lwspp::tls_version;
using lwspp::tls::session_state;
using namespace tls_test;

TEST(TlsSession, Tls13HandshakeDataAndCloseNotify) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.c->version(), "TLSv1.3");
  EXPECT_EQ(p.s->version(), "TLSv1.3");
  EXPECT_FALSE(p.c->cipher().empty());
  EXPECT_EQ(p.s->server_name(), "localhost");
  EXPECT_FALSE(p.c->resumed());
  EXPECT_EQ(p.s->selected_entry(), 0u);

  EXPECT_EQ(p.c->write("ping"), 4u);
  EXPECT_EQ(p.s->write("pong"), 4u);
  pump(*p.c, *p.s, p.cl, p.sv);
  EXPECT_EQ(p.sv.data, "ping");
  EXPECT_EQ(p.cl.data, "pong");

  p.c->close();
  EXPECT_EQ(p.c->write("late"), 0u);  // nothing after close_notify
  pump(*p.c, *p.s, p.cl, p.sv);
  EXPECT_TRUE(p.sv.closed);
  EXPECT_TRUE(p.s->close_received());
  // Half-close: the server may still answer, then sends its close_notify.
  EXPECT_EQ(p.s->write("bye"), 3u);
  p.s->close();
  pump(*p.c, *p.s, p.cl, p.sv);
  EXPECT_EQ(p.cl.data, "pongbye");
  EXPECT_TRUE(p.cl.closed);
  EXPECT_TRUE(p.c->end_of_input().clean());
  EXPECT_TRUE(p.s->end_of_input().clean());
}

TEST(TlsSession, Tls12Handshake) {
  auto sel = one_vhost(localhost_server());
  auto o = trusting_ca();
  o.max_version = tls_version::tls1_2;
  auto cc = client(o);
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.c->version(), "TLSv1.2");
  EXPECT_EQ(p.s->version(), "TLSv1.2");
  EXPECT_EQ(p.c->write("over 1.2"), 8u);
  pump(*p.c, *p.s, p.cl, p.sv);
  EXPECT_EQ(p.sv.data, "over 1.2");
}

TEST(TlsSession, MinimumVersionRefusesOlderClient) {
  auto so = localhost_server();
  so.min_version = tls_version::tls1_3;
  auto sel = one_vhost(so);
  auto co = trusting_ca();
  co.max_version = tls_version::tls1_2;
  auto cc = client(co);
  pair p;
  p.handshake(*cc, *sel);
  EXPECT_TRUE(p.sv.failed);
  EXPECT_TRUE(p.cl.failed);
  EXPECT_EQ(p.s->failure().code, make_error_code(tls_error::handshake_failed));
  EXPECT_NE(p.s->failure().detail.find("unsupported protocol"), std::string::npos)
      << p.s->failure().detail;
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::alert_received));
  EXPECT_EQ(p.c->failure().protocol_code, 70);  // protocol_version
}

TEST(TlsSession, BadVersionRangeIsRefused) {
  auto so = localhost_server();
  so.min_version = tls_version::tls1_3;
  so.max_version = tls_version::tls1_2;
  auto r = lwspp::tls::server_context::create(so);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(tls_error::invalid_option));
}

TEST(TlsSession, AlpnServerPreferenceWins) {
  auto so = localhost_server();
  so.alpn = {"h2", "http/1.1"};
  auto sel = one_vhost(so);
  struct tcase {
    std::vector<std::string> offer;
    std::string want;
  };
  for (const tcase& t :
       {tcase{{"http/1.1", "h2"}, "h2"}, tcase{{"http/1.1"}, "http/1.1"}, tcase{{}, ""}}) {
    auto co = trusting_ca();
    co.alpn = t.offer;
    auto cc = client(co);
    pair p;
    p.handshake(*cc, *sel);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.c->alpn(), t.want);
    EXPECT_EQ(p.s->alpn(), t.want);
  }
}

TEST(TlsSession, AlpnWithNothingInCommonFails) {
  auto so = localhost_server();
  so.alpn = {"h2"};
  auto sel = one_vhost(so);
  auto co = trusting_ca();
  co.alpn = {"mqtt"};
  auto cc = client(co);
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.cl.failed);
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::alert_received));
  EXPECT_EQ(p.c->failure().protocol_code, 120);  // no_application_protocol
  EXPECT_EQ(p.s->failure().protocol_code, 120);
}

TEST(TlsSession, AlpnNamesAreChecked) {
  auto so = localhost_server();
  so.alpn = {""};
  EXPECT_FALSE(lwspp::tls::server_context::create(so).ok());
  auto co = trusting_ca();
  co.alpn = {std::string(256, 'x')};
  EXPECT_FALSE(lwspp::tls::client_context::create(co).ok());
}

// Every byte split, and one byte at a time, give the same result.
TEST(TlsSession, AnyPieceSize) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{7},
                            std::size_t{100}, std::size_t{1000}}) {
    pair p;
    p.c = client_session(*cc);
    p.s = sel->new_session();
    pump(*p.c, *p.s, p.cl, p.sv, piece);
    ASSERT_TRUE(p.ok()) << piece;
    std::string msg(40000, 'm');
    for (std::size_t i = 0; i < msg.size(); ++i)
      msg[i] = static_cast<char>('a' + i % 26);
    EXPECT_EQ(p.c->write(msg), msg.size());
    pump(*p.c, *p.s, p.cl, p.sv, piece);
    EXPECT_EQ(p.sv.data, msg) << piece;
  }
}

TEST(TlsSession, LargeTransferWithSmallPlaintextBuffer) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  std::string big(1 << 20, '\0');
  std::mt19937 rng(7);
  for (char& ch : big)
    ch = static_cast<char>(rng());
  EXPECT_EQ(p.s->write(big), big.size());
  side got;
  const std::string wire = p.s->take_output();
  drive(*p.c, wire, got, 1000);  // records of 16 KiB read in 1000-byte pieces
  EXPECT_EQ(got.data, big);
  EXPECT_TRUE(p.s->output().empty());
}

TEST(TlsSession, OutputCanBeConsumedInPieces) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  p.c->write("abc");
  const std::string all(p.c->output());
  ASSERT_GT(all.size(), 10u);
  std::string sent;
  while (!p.c->output().empty()) {
    const std::string_view out = p.c->output();
    const std::size_t n = std::min<std::size_t>(out.size(), 3);
    sent.append(out.substr(0, n));
    p.c->consume_output(n);
  }
  EXPECT_EQ(sent, all);
  EXPECT_FALSE(p.c->want_write());
}

TEST(TlsSession, WriteBeforeHandshakeIsRefused) {
  auto cc = client(trusting_ca());
  auto c = client_session(*cc);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->want_write());  // the ClientHello
  EXPECT_EQ(c->state(), session_state::handshaking);
  EXPECT_EQ(c->write("early"), 0u);
  c->close();  // before the handshake: no close_notify, nothing queued beyond the hello
  EXPECT_TRUE(c->close_sent());
}

TEST(TlsSession, PeerClosingWithoutCloseNotifyIsTruncation) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  const auto why = p.s->end_of_input();
  EXPECT_EQ(why.code, make_error_code(tls_error::truncated));
  EXPECT_FALSE(why.clean());
  EXPECT_EQ(p.s->state(), session_state::failed);
  EXPECT_EQ(p.s->write("x"), 0u);
}

TEST(TlsSession, TruncatedRecordThenEof) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  p.c->write(std::string(1000, 'x'));
  const std::string rec = p.c->take_output();
  side got;
  drive(*p.s, std::string_view(rec).substr(0, rec.size() / 2), got);
  EXPECT_TRUE(got.data.empty());
  EXPECT_FALSE(got.failed);
  EXPECT_EQ(p.s->end_of_input().code, make_error_code(tls_error::truncated));
}

TEST(TlsSession, EofDuringHandshake) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  auto c = client_session(*cc);
  auto s = sel->new_session();
  const std::string hello = c->take_output();
  side got;
  drive(*s, std::string_view(hello).substr(0, 20), got);
  const auto why = s->end_of_input();
  EXPECT_EQ(why.code, make_error_code(tls_error::handshake_failed));
  EXPECT_NE(why.detail.find("during the handshake"), std::string::npos);
}

TEST(TlsSession, GarbageBeforeClientHello) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  std::mt19937 rng(1);
  for (int i = 0; i < 20; ++i) {
    auto c = client_session(*cc);
    auto s = sel->new_session();
    std::string bytes(1 + rng() % 64, '\0');
    for (char& ch : bytes)
      ch = static_cast<char>(rng());
    if (i == 0) bytes = std::string(5, '\x16');  // looks like a handshake record header
    bytes += c->take_output();
    side got;
    drive(*s, bytes, got);
    // Either refused at once, or (a plausible header) waiting for a record that never ends.
    if (!got.failed) {
      EXPECT_FALSE(got.handshake_done);
      EXPECT_FALSE(s->end_of_input().clean());
    }
    EXPECT_EQ(s->state(), session_state::failed);
    EXPECT_FALSE(s->failure().detail.empty());
  }
}

TEST(TlsSession, PlaintextHttpOnTlsPort) {
  auto sel = one_vhost(localhost_server());
  auto s = sel->new_session();
  side got;
  drive(*s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", got);
  ASSERT_TRUE(got.failed);
  EXPECT_EQ(s->failure().code, make_error_code(tls_error::not_tls));
  EXPECT_EQ(s->failure().message(), "plaintext HTTP on a TLS port: http request");
}

TEST(TlsSession, TamperedRecordIsBadRecord) {
  auto sel = one_vhost(localhost_server());
  auto cc = client(trusting_ca());
  pair p;
  p.handshake(*cc, *sel);
  ASSERT_TRUE(p.ok());
  p.c->write("secret");
  std::string rec = p.c->take_output();
  rec[rec.size() - 3] ^= 1;
  side got;
  drive(*p.s, rec, got);
  ASSERT_TRUE(got.failed);
  EXPECT_EQ(p.s->failure().code, make_error_code(tls_error::bad_record));
  EXPECT_FALSE(p.s->failure().detail.empty());
  // The server tells the client why (bad_record_mac), and the client sees it.
  side back;
  drive(*p.c, p.s->take_output(), back);
  EXPECT_TRUE(back.failed);
  EXPECT_EQ(p.c->failure().code, make_error_code(tls_error::alert_received));
  EXPECT_EQ(p.c->failure().protocol_code, 20);
}

TEST(TlsSession, FeedAfterFailureDoesNothing) {
  auto sel = one_vhost(localhost_server());
  auto s = sel->new_session();
  side got;
  drive(*s, "POST / HTTP/1.0\r\n\r\n", got);
  ASSERT_TRUE(got.failed);
  char buf[16];
  const auto ev = s->feed("more", buf);
  EXPECT_EQ(ev.kind, lwspp::tls::event_kind::failed);
  EXPECT_EQ(ev.consumed, 0u);
}

}  // namespace
