// The HTTP CONNECT tunnel (http/proxy_connect.cpp): the request it sends,
// and every kind of reply split at every byte.
#include "http/proxy_connect.hpp"

#include <gmock/gmock.h>

#include "../net/tunnel_driver.hpp"

namespace {

using lwspp::proxy_error;
using lwspp::tunnel_status;
using lwspp::http::connect_request;
using lwspp::http::connect_tunnel;
using ::testing::HasSubstr;
using tunnel_test::every_split;

connect_request to(std::string host, std::uint16_t port, std::string user = {},
                   std::string password = {}) {
  return {.host = std::move(host),
          .port = port,
          .user = std::move(user),
          .password = std::move(password),
          .proxy_name = "127.0.0.1:3128"};
}

tunnel_test::maker tunnel(connect_request r) {
  return [r] { return std::make_unique<connect_tunnel>(r); };
}

const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";

TEST(ProxyConnect, RequestAndSuccess) {
  const auto o = every_split(tunnel(to("example.com", 443)), established);
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, established.size());
  EXPECT_EQ(o.sent, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
}

TEST(ProxyConnect, BasicCredentialsAndIpv6) {
  const auto o = every_split(tunnel(to("::1", 8443, "Aladdin", "open sesame")), established);
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.sent,
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"
            "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
}

TEST(ProxyConnect, BytesAfterTheHeadAreTheDestinations) {
  // Content-Length in a 2xx to CONNECT is ignored (RFC 9110 §9.3.6).
  const std::string head = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nProxy-Agent: x\r\n\r\n";
  const auto o = every_split(tunnel(to("example.com", 22)), head + "SSH-2.0-server\r\n");
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, head.size());
}

TEST(ProxyConnect, InterimResponsesAreSkipped) {
  const std::string reply = "HTTP/1.1 100 Continue\r\n\r\n" + established;
  const auto o = every_split(tunnel(to("example.com", 443)), reply + "z");
  EXPECT_EQ(o.status, tunnel_status::done);
  EXPECT_EQ(o.consumed, reply.size());
}

TEST(ProxyConnect, ProxyAuthenticationRequired) {
  const std::string reply =
      "HTTP/1.1 407 Proxy Authentication Required\r\n"
      "Proxy-Authenticate: Basic realm=\"tinyproxy\"\r\nContent-Length: 0\r\n\r\n";
  auto o = every_split(tunnel(to("example.com", 443)), reply);
  EXPECT_EQ(o.status, tunnel_status::failed);
  EXPECT_EQ(o.why.code, proxy_error::auth_required);
  EXPECT_EQ(o.why.protocol_code, 407);
  EXPECT_EQ(o.why.message(),
            "proxy authentication required: HTTP 407 Proxy Authentication Required from proxy "
            "127.0.0.1:3128 for CONNECT example.com:443 (no credentials were given); "
            "Proxy-Authenticate: Basic realm=\"tinyproxy\"");
  o = every_split(tunnel(to("example.com", 443, "u", "wrong")), reply);
  EXPECT_THAT(o.why.message(), HasSubstr("(the credentials given were refused)"));
  // tinyproxy answers wrong credentials with 401: from a proxy, the same thing.
  o = every_split(tunnel(to("example.com", 443, "u", "wrong")),
                  "HTTP/1.1 401 Unauthorized\r\n\r\n");
  EXPECT_EQ(o.why.code, proxy_error::auth_required);
  EXPECT_EQ(o.why.protocol_code, 401);
}

TEST(ProxyConnect, OtherStatusesAreRefusals) {
  auto o = every_split(tunnel(to("example.com", 443)),
                       "HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno\n");
  EXPECT_EQ(o.status, tunnel_status::failed);
  EXPECT_EQ(o.why.code, proxy_error::refused);
  EXPECT_EQ(o.why.protocol_code, 403);
  EXPECT_THAT(o.why.message(), HasSubstr("HTTP 403 Forbidden from proxy 127.0.0.1:3128"));
  // An empty reason phrase: the standard one.
  o = every_split(tunnel(to("example.com", 443)), "HTTP/1.1 502 \r\n\r\n");
  EXPECT_EQ(o.why.protocol_code, 502);
  EXPECT_THAT(o.why.message(), HasSubstr("HTTP 502 Bad Gateway"));
  // 101 is no answer to CONNECT.
  o = every_split(tunnel(to("example.com", 443)), "HTTP/1.1 101 Switching Protocols\r\n\r\n");
  EXPECT_EQ(o.why.code, proxy_error::refused);
  EXPECT_EQ(o.why.protocol_code, 101);
}

TEST(ProxyConnect, MalformedRepliesAreBadReplies) {
  for (const char* reply : {"SSH-2.0-OpenSSH\r\n", "HTTP/1.1 200 OK\nbroken\r\n\r\n",
                            "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"}) {
    const auto o = every_split(tunnel(to("example.com", 443)), reply);
    EXPECT_EQ(o.status, tunnel_status::failed) << reply;
    EXPECT_EQ(o.why.code, proxy_error::bad_reply) << reply;
    EXPECT_THAT(o.why.message(), HasSubstr("the reply to CONNECT example.com:443: ")) << reply;
  }
}

TEST(ProxyConnect, RequestsThatCannotBeSent) {
  for (const auto& r :
       {to("exa mple.com", 443), to("a\r\nb", 443), to("a/b", 443), to("", 443),
        to("example.com", 443, "us:er", "x"), to("example.com", 443, "u", "a\nb")}) {
    const auto o = tunnel_test::run(tunnel(r), "", {});
    EXPECT_EQ(o.status, tunnel_status::failed) << r.host << " " << r.user;
    EXPECT_EQ(o.why.code, proxy_error::invalid_request);
    EXPECT_TRUE(o.sent.empty());
  }
}

TEST(ProxyConnect, EofSaysHowFarTheReplyGot) {
  connect_tunnel t(to("example.com", 443));
  std::string out;
  ASSERT_EQ(t.start(out), tunnel_status::need_more);
  EXPECT_EQ(t.on_eof().code, proxy_error::closed);
  EXPECT_THAT(t.on_eof().message(), HasSubstr("without a reply to CONNECT example.com:443"));
  EXPECT_EQ(t.on_data("HTTP/1.1 200", out).status, tunnel_status::need_more);
  EXPECT_THAT(t.on_eof().message(), HasSubstr("in the middle of its reply"));
}

}  // namespace
