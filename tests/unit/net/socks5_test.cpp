// The SOCKS5 client handshake (net/socks5.cpp): the exact bytes it sends
// (RFC 1928, RFC 1929), every reply split at every byte, every reply code's
// meaning, and the strictness of the reply parser.
#include "net/socks5.hpp"

#include <gmock/gmock.h>

#include "tunnel_driver.hpp"

namespace {

using lwspp::proxy_error;
using lwspp::tunnel_status;
using lwspp::detail::socks5_client;
using lwspp::detail::socks5_request;
using ::testing::HasSubstr;
using tunnel_test::bytes;
using tunnel_test::every_split;

tunnel_test::maker client(socks5_request r) {
  r.proxy_name = "127.0.0.1:1080";
  return [r] { return std::make_unique<socks5_client>(r); };
}

socks5_request to(std::string host, std::uint16_t port) {
  return {.host = std::move(host), .port = port, .user = {}, .password = {}, .proxy_name = {}};
}

socks5_request with_login(std::string host, std::uint16_t port) {
  auto r = to(std::move(host), port);
  r.user = "user";
  r.password = "pass";
  return r;
}

const std::string method_none = bytes({5, 0});
const std::string ipv4_ok = bytes({5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90});
const std::string greeting_none = bytes({5, 1, 0});
const std::string connect_example = bytes({5, 1, 0, 3, 11}) + "example.com" + bytes({0x01, 0xbb});

TEST(Socks5, NoAuthDomainNameConnect) {
  const auto o = every_split(client(to("example.com", 443)), method_none + ipv4_ok);
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, 12u);
  EXPECT_EQ(o.sent, greeting_none + connect_example);
}

TEST(Socks5, BytesAfterTheReplyAreNotConsumed) {
  // A destination that speaks first: its bytes belong to the connection.
  const auto o = every_split(client(to("example.com", 443)), method_none + ipv4_ok + "SSH-2.0");
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, 12u);
}

TEST(Socks5, IpLiteralsGoAsAddresses) {
  auto o = every_split(client(to("10.1.2.3", 80)), method_none + ipv4_ok);
  EXPECT_EQ(o.sent, greeting_none + bytes({5, 1, 0, 1, 10, 1, 2, 3, 0, 80}));
  o = every_split(client(to("::1", 8080)), method_none + ipv4_ok);
  EXPECT_EQ(o.sent, greeting_none + bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0,    0,
                                           0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1f, 0x90}));
}

TEST(Socks5, UsernamePassword) {
  const std::string ipv6_ok = bytes({5, 0, 0, 4}) + std::string(15, '\0') + bytes({1, 0, 80});
  const auto o =
      every_split(client(with_login("example.com", 443)), bytes({5, 2}) + bytes({1, 0}) + ipv6_ok);
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, 2u + 2u + 22u);
  EXPECT_EQ(o.sent,
            bytes({5, 2, 0, 2}) + bytes({1, 4}) + "user" + bytes({4}) + "pass" + connect_example);
}

TEST(Socks5, CredentialsOfferedButNotAsked) {
  const auto o = every_split(client(with_login("example.com", 443)), method_none + ipv4_ok);
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.sent, bytes({5, 2, 0, 2}) + connect_example);  // no auth sub-negotiation
}

TEST(Socks5, DomainNameInTheReply) {
  const std::string reply = bytes({5, 0, 0, 3, 4}) + "host" + bytes({0, 80});
  const auto o = every_split(client(to("example.com", 443)), method_none + reply + "x");
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, 2u + reply.size());
}

TEST(Socks5, WrongPasswordIsAuthFailed) {
  const auto o = every_split(client(with_login("example.com", 443)), bytes({5, 2, 1, 1}));
  EXPECT_EQ(o.status, tunnel_status::failed);
  EXPECT_EQ(o.why.code, proxy_error::auth_failed);
  EXPECT_THAT(o.why.message(), HasSubstr("user \"user\" refused (status 1)"));
}

TEST(Socks5, NoAcceptableMethod) {
  auto o = every_split(client(to("example.com", 443)), bytes({5, 0xff}));
  EXPECT_EQ(o.why.code, proxy_error::no_acceptable_auth);
  EXPECT_THAT(o.why.message(), HasSubstr("may want a username and password"));
  o = every_split(client(with_login("example.com", 443)), bytes({5, 0xff}));
  EXPECT_EQ(o.why.code, proxy_error::no_acceptable_auth);
}

TEST(Socks5, MethodNotOfferedIsRefused) {
  const auto o = every_split(client(to("example.com", 443)), bytes({5, 2}));
  EXPECT_EQ(o.why.code, proxy_error::bad_reply);
  EXPECT_THAT(o.why.message(), HasSubstr("method 0x02, which was not offered"));
}

TEST(Socks5, EveryReplyCodeHasItsMeaning) {
  const char* texts[] = {"",
                         "general SOCKS server failure",
                         "connection not allowed by ruleset",
                         "network unreachable",
                         "host unreachable",
                         "connection refused by destination host",
                         "TTL expired",
                         "command not supported",
                         "address type not supported"};
  for (int code = 1; code < 256; ++code) {
    const auto o = every_split(client(to("example.com", 443)),
                               method_none + bytes({5, code, 0, 1, 0, 0, 0, 0, 0, 0}));
    ASSERT_EQ(o.status, tunnel_status::failed) << code;
    EXPECT_EQ(o.why.code, proxy_error::socks_failure);
    EXPECT_EQ(o.why.protocol_code, code);
    EXPECT_EQ(o.consumed, 4u) << "fails at the reply code";
    const std::string text = code <= 8 ? texts[code] : "unassigned reply code";
    EXPECT_THAT(o.why.message(), HasSubstr(text + " (reply " + std::to_string(code) + ")"));
    EXPECT_THAT(o.why.message(), HasSubstr("proxy 127.0.0.1:1080, destination example.com:443"));
  }
}

TEST(Socks5, StrictReplies) {
  struct bad_case {
    std::string reply;
    std::size_t consumed;
    const char* says;
  };
  const bad_case cases[] = {
      {bytes({4, 0}), 1, "version 0x04 in the method selection"},
      {bytes({5, 3}), 2, "method 0x03"},
      {method_none + bytes({4, 0}), 3, "version 0x04 in the reply"},
      {method_none + bytes({5, 0, 1}), 5, "reserved byte 0x01"},
      {method_none + bytes({5, 0, 0, 2}), 6, "address type 0x02"},
      {method_none + bytes({5, 0, 0, 3, 0}), 7, "an empty bound name"},
  };
  for (const auto& c : cases) {
    const auto o = every_split(client(to("example.com", 443)), c.reply);
    EXPECT_EQ(o.status, tunnel_status::failed) << c.says;
    EXPECT_EQ(o.why.code, proxy_error::bad_reply) << c.says;
    EXPECT_EQ(o.consumed, c.consumed) << c.says;
    EXPECT_THAT(o.why.message(), HasSubstr(c.says));
  }
  const auto o = every_split(client(with_login("example.com", 443)), bytes({5, 2, 5, 0}));
  EXPECT_EQ(o.why.code, proxy_error::bad_reply);
  EXPECT_THAT(o.why.message(), HasSubstr("version 0x05 in the auth status"));
}

TEST(Socks5, IncompleteReplyNeedsMore) {
  const auto o = every_split(client(to("example.com", 443)), method_none + ipv4_ok.substr(0, 9));
  EXPECT_EQ(o.status, tunnel_status::need_more);
  EXPECT_EQ(o.consumed, 11u);
}

TEST(Socks5, RequestsThatCannotBeSent) {
  auto expect_refused = [](socks5_request r, const char* says) {
    EXPECT_TRUE(lwspp::detail::socks5_check(r).has_value()) << says;
    const auto o = tunnel_test::run(client(r), "", {});
    EXPECT_EQ(o.status, tunnel_status::failed) << says;
    EXPECT_EQ(o.why.code, proxy_error::invalid_request) << says;
    EXPECT_THAT(o.why.message(), HasSubstr(says));
    EXPECT_TRUE(o.sent.empty());
  };
  expect_refused(to(std::string(256, 'a'), 80), "longer than 255 bytes");
  expect_refused(to("exa mple.com", 80), "space or control character");
  expect_refused(to("", 80), "no destination host");
  auto r = to("example.com", 80);
  r.user = std::string(256, 'u');
  expect_refused(r, "user name is longer than 255 bytes");
  r.user.clear();
  r.password = "pw";
  expect_refused(r, "a password without a user name");
  EXPECT_FALSE(lwspp::detail::socks5_check(to(std::string(255, 'a'), 80)).has_value());
}

TEST(Socks5, EofSaysWhatWasAwaited) {
  socks5_client c(with_login("example.com", 443));
  std::string out;
  ASSERT_EQ(c.start(out), tunnel_status::need_more);
  EXPECT_EQ(c.on_eof().code, proxy_error::closed);
  EXPECT_THAT(c.on_eof().message(), HasSubstr("waited for the method selection"));
  c.on_data(bytes({5, 2}), out);
  EXPECT_THAT(c.on_eof().message(), HasSubstr("waited for the auth status"));
  c.on_data(bytes({1, 0}), out);
  EXPECT_THAT(c.on_eof().message(), HasSubstr("waited for the connect reply"));
  EXPECT_EQ(c.destination_host(), "example.com");
}

TEST(Socks5, ReplyTexts) {
  EXPECT_EQ(lwspp::detail::socks5_reply_text(0), "succeeded");
  EXPECT_EQ(lwspp::detail::socks5_reply_text(5), "connection refused by destination host");
  EXPECT_EQ(lwspp::detail::socks5_reply_text(9), "unassigned reply code");
}

}  // namespace
