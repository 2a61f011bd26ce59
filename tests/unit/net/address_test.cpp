// Tests for lwspp::address and split_host_port (src/net/address.cpp).
#include "lwspp/address.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using lwspp::address;
using lwspp::split_host_port;
using family = lwspp::address::family;
using namespace std::string_literals;

address parse_ok(std::string_view text) {
  auto r = address::parse(text);
  EXPECT_TRUE(r.ok()) << "\"" << text << "\": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? r.value() : address();
}

// Returns the error detail so that callers can check it says something useful.
std::string parse_fails(std::string_view text) {
  auto r = address::parse(text);
  EXPECT_FALSE(r.ok()) << "\"" << text << "\" parsed as " << (r.ok() ? r->to_string() : "");
  if (r.ok()) return {};
  EXPECT_TRUE(r.error().is(lwspp::error::invalid_address)) << text;
  EXPECT_FALSE(r.error().detail.empty()) << text;
  return r.error().detail;
}

// The loopback interface's index, for scope ids; every Linux box has "lo".
unsigned loopback_index() {
  return if_nametoindex("lo");
}

TEST(address, default_is_empty) {
  address a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.kind(), family::none);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.to_string(), "");
  EXPECT_EQ(a, address());
}

TEST(address, parses_ipv4) {
  address a = parse_ok("127.0.0.1:7681");
  EXPECT_EQ(a.kind(), family::ipv4);
  EXPECT_TRUE(a.is_ip());
  EXPECT_FALSE(a.is_unix());
  EXPECT_EQ(a.ip(), "127.0.0.1");
  EXPECT_EQ(a.port(), 7681);
  EXPECT_EQ(a.size(), sizeof(sockaddr_in));
  EXPECT_EQ(a.unix_path(), "");

  EXPECT_EQ(parse_ok("0.0.0.0:0").port(), 0);
  EXPECT_EQ(parse_ok("255.255.255.255:65535").port(), 65535);
}

TEST(address, parses_ipv6) {
  address a = parse_ok("[::1]:7681");
  EXPECT_EQ(a.kind(), family::ipv6);
  EXPECT_EQ(a.ip(), "::1");
  EXPECT_EQ(a.port(), 7681);
  EXPECT_EQ(a.size(), sizeof(sockaddr_in6));

  EXPECT_EQ(parse_ok("[::]:80").ip(), "::");
  EXPECT_EQ(parse_ok("[::ffff:1.2.3.4]:80").ip(), "::ffff:1.2.3.4");
  EXPECT_EQ(parse_ok("[2001:DB8::A]:80").ip(), "2001:db8::a");
}

TEST(address, parses_ipv6_scope_by_name_and_number) {
  ASSERT_NE(loopback_index(), 0u);
  address by_name = parse_ok("[fe80::1%lo]:80");
  sockaddr_in6 sin6{};
  std::memcpy(&sin6, by_name.data(), sizeof sin6);
  EXPECT_EQ(sin6.sin6_scope_id, loopback_index());
  EXPECT_EQ(by_name.ip(), "fe80::1%lo");
  EXPECT_EQ(by_name.to_string(), "[fe80::1%lo]:80");

  address by_number = parse_ok("[fe80::1%" + std::to_string(loopback_index()) + "]:80");
  EXPECT_EQ(by_number, by_name);
  EXPECT_EQ(by_number.to_string(), "[fe80::1%lo]:80");  // numbers print as names

  // An index with no interface behind it prints as the number it is.
  address unknown = parse_ok("[fe80::1%4000000000]:80");
  EXPECT_EQ(unknown.to_string(), "[fe80::1%4000000000]:80");
}

TEST(address, parses_unix_forms) {
  address path = parse_ok("unix:/run/app.sock");
  EXPECT_EQ(path.kind(), family::unix_path);
  EXPECT_TRUE(path.is_unix());
  EXPECT_EQ(path.unix_path(), "/run/app.sock");
  EXPECT_EQ(path.ip(), "");
  EXPECT_EQ(path.port(), 0);
  EXPECT_EQ(path.size(), offsetof(sockaddr_un, sun_path) + 14);  // with the NUL

  address relative = parse_ok("unix:relative/path");
  EXPECT_EQ(relative.kind(), family::unix_path);
  EXPECT_EQ(relative.unix_path(), "relative/path");

  address abstract = parse_ok("unix:@name");
  EXPECT_EQ(abstract.kind(), family::unix_abstract);
  EXPECT_EQ(abstract.unix_path(), "@name");
  EXPECT_EQ(abstract.size(), offsetof(sockaddr_un, sun_path) + 1 + 4);
  sockaddr_un sun{};
  std::memcpy(&sun, abstract.data(), abstract.size());
  EXPECT_EQ(sun.sun_family, AF_UNIX);
  EXPECT_EQ(sun.sun_path[0], '\0');
  EXPECT_EQ(std::string(sun.sun_path + 1, 4), "name");
}

TEST(address, abstract_names_are_raw_bytes) {
  const std::string text = "unix:@a\0b"s;
  address a = parse_ok(text);
  EXPECT_EQ(a.kind(), family::unix_abstract);
  EXPECT_EQ(a.unix_path(), "@a\0b"s);
  EXPECT_EQ(a.to_string(), text);
  EXPECT_NE(a, parse_ok("unix:@a"));
}

TEST(address, round_trips_to_string) {
  for (const char* text :
       {"127.0.0.1:7681", "0.0.0.0:0", "10.1.2.3:65535", "[::1]:7681", "[::]:0",
        "[2001:db8::1]:443", "[::ffff:1.2.3.4]:80", "[fe80::1%lo]:80", "unix:/run/app.sock",
        "unix:relative/path", "unix:@name", "unix:@with space"}) {
    address a = parse_ok(text);
    EXPECT_EQ(a.to_string(), text);
    EXPECT_EQ(parse_ok(a.to_string()), a) << text;
  }
}

TEST(address, rejects_missing_or_bad_ports) {
  EXPECT_NE(parse_fails("127.0.0.1").find("missing port"), std::string::npos);
  EXPECT_NE(parse_fails("127.0.0.1:").find("missing port"), std::string::npos);
  EXPECT_NE(parse_fails("[::1]").find("missing port"), std::string::npos);
  EXPECT_NE(parse_fails("[::1]:").find("missing port"), std::string::npos);
  EXPECT_NE(parse_fails("127.0.0.1:65536").find("bad port"), std::string::npos);
  for (const char* text :
       {"127.0.0.1:99999999999999999999", "127.0.0.1:8a", "127.0.0.1:-1", "127.0.0.1:+80",
        "127.0.0.1: 80", "127.0.0.1:80 ", "127.0.0.1:0x50", "[::1]:80]", "[::1]:65536"}) {
    parse_fails(text);
  }
}

TEST(address, rejects_malformed_text) {
  EXPECT_NE(parse_fails("").find("empty"), std::string::npos);
  for (const char* text : {":80",
                           "[]:80",
                           "[::1",
                           "[::1:80",
                           "[::1]x80",
                           "[::1]80",
                           " 127.0.0.1:80",
                           "127.0.0.1 :80",
                           "1.2.3.256:80",
                           "1.2.3:80",
                           "1.2.3.4.5:80",
                           "01.2.3.4:80",
                           "[1.2.3.4]:80",
                           "[::1::2]:80",
                           "[fe80::1%]:80",
                           "[fe80::1%0]:80",
                           "[fe80::1%99999999999]:80",
                           "[fe80::1%no-such-if9]:80",
                           "[fe80::1%lo]x",
                           "UNIX:/x",
                           "unix",
                           "tcp://127.0.0.1:80"}) {
    parse_fails(text);
  }
  parse_fails("127.0.0.1\0:80"s);
  parse_fails("127.0.0.1:80\0"s);
  parse_fails("[::1\0]:80"s);
}

TEST(address, unbracketed_ipv6_needs_brackets) {
  EXPECT_NE(parse_fails("::1:80").find("brackets"), std::string::npos);
  EXPECT_NE(parse_fails("fe80::1").find("brackets"), std::string::npos);
}

TEST(address, rejects_host_names_with_a_hint) {
  const std::string detail = parse_fails("localhost:80");
  EXPECT_NE(detail.find("not an IP address"), std::string::npos) << detail;
  EXPECT_NE(detail.find("localhost"), std::string::npos) << detail;
  EXPECT_NE(detail.find("resolve host names first"), std::string::npos) << detail;
  EXPECT_NE(parse_fails("example.com:443").find("resolve"), std::string::npos);
  EXPECT_NE(parse_fails("[localhost]:80").find("IPv6"), std::string::npos);
}

TEST(address, rejects_bad_unix_paths) {
  EXPECT_NE(parse_fails("unix:").find("empty"), std::string::npos);
  EXPECT_NE(parse_fails("unix:@").find("empty"), std::string::npos);
  parse_fails("unix:/tmp/a\0b"s);

  const std::size_t max = sizeof(sockaddr_un::sun_path) - 1;  // room for the NUL
  const std::string longest = "/" + std::string(max - 1, 'p');
  EXPECT_EQ(parse_ok("unix:" + longest).unix_path(), longest);
  const std::string detail = parse_fails("unix:" + longest + "p");
  EXPECT_NE(detail.find("too long"), std::string::npos) << detail;

  const std::string longest_name(max, 'n');
  EXPECT_EQ(parse_ok("unix:@" + longest_name).unix_path(), "@" + longest_name);
  EXPECT_NE(parse_fails("unix:@" + longest_name + "n").find("too long"), std::string::npos);

  auto direct = address::unix_socket(longest + "p");
  ASSERT_FALSE(direct.ok());
  EXPECT_NE(direct.error().detail.find("too long"), std::string::npos);
}

TEST(address, from_ip_and_unix_socket) {
  auto v4 = address::from_ip("10.0.0.1", 80);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->to_string(), "10.0.0.1:80");
  auto v6 = address::from_ip("::1", 443);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->to_string(), "[::1]:443");
  auto scoped = address::from_ip("fe80::1%lo", 1);
  ASSERT_TRUE(scoped.ok());
  EXPECT_EQ(scoped->to_string(), "[fe80::1%lo]:1");
  EXPECT_FALSE(address::from_ip("[::1]", 80).ok());
  EXPECT_FALSE(address::from_ip("", 80).ok());
  auto name = address::from_ip("localhost", 80);
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.error().detail.find("resolve host names first"), std::string::npos);

  auto abstract = address::unix_socket("@svc");
  ASSERT_TRUE(abstract.ok());
  EXPECT_EQ(abstract->kind(), family::unix_abstract);
  EXPECT_EQ(abstract->to_string(), "unix:@svc");
  EXPECT_FALSE(address::unix_socket("").ok());
}

TEST(address, port_get_and_set) {
  address v4 = parse_ok("1.2.3.4:80");
  v4.set_port(8080);
  EXPECT_EQ(v4.port(), 8080);
  EXPECT_EQ(v4.to_string(), "1.2.3.4:8080");
  sockaddr_in sin{};
  std::memcpy(&sin, v4.data(), sizeof sin);
  EXPECT_EQ(sin.sin_port, htons(8080));  // network byte order for the kernel

  address v6 = parse_ok("[::1]:80");
  v6.set_port(65535);
  EXPECT_EQ(v6.port(), 65535);
  EXPECT_EQ(v6.to_string(), "[::1]:65535");

  address unix_addr = parse_ok("unix:/x");
  unix_addr.set_port(80);  // no port: ignored
  EXPECT_EQ(unix_addr.port(), 0);
  EXPECT_EQ(unix_addr, parse_ok("unix:/x"));
}

TEST(address, equality) {
  EXPECT_EQ(parse_ok("1.2.3.4:80"), parse_ok("1.2.3.4:80"));
  EXPECT_EQ(parse_ok("1.2.3.4:080"), parse_ok("1.2.3.4:80"));
  EXPECT_NE(parse_ok("1.2.3.4:80"), parse_ok("1.2.3.4:81"));
  EXPECT_NE(parse_ok("1.2.3.4:80"), parse_ok("1.2.3.5:80"));
  EXPECT_NE(parse_ok("1.2.3.4:80"), parse_ok("[::ffff:1.2.3.4]:80"));
  EXPECT_EQ(parse_ok("[::1]:80"), parse_ok("[0:0::1]:80"));
  EXPECT_NE(parse_ok("[::1]:80"), parse_ok("[::2]:80"));
  EXPECT_NE(parse_ok("[fe80::1]:80"), parse_ok("[fe80::1%lo]:80"));
  EXPECT_EQ(parse_ok("unix:/a"), parse_ok("unix:/a"));
  EXPECT_NE(parse_ok("unix:/a"), parse_ok("unix:/ab"));
  EXPECT_NE(parse_ok("unix:@a"), parse_ok("unix:a"));
  EXPECT_NE(parse_ok("unix:@a"), address());
}

TEST(address, from_sockaddr_rejects_garbage) {
  EXPECT_TRUE(address::from_sockaddr(nullptr, 16).empty());
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  EXPECT_TRUE(address::from_sockaddr(&sin, 1).empty());
  EXPECT_TRUE(address::from_sockaddr(&sin, sizeof sin - 1).empty());
  sockaddr_storage ss{};
  ss.ss_family = AF_APPLETALK;
  EXPECT_TRUE(address::from_sockaddr(&ss, sizeof ss).empty());
  ss.ss_family = AF_INET;
  EXPECT_TRUE(address::from_sockaddr(&ss, sizeof ss + 1).empty());
  EXPECT_EQ(address::from_sockaddr(&ss, sizeof ss).size(), sizeof(sockaddr_in));  // trimmed
}

// Binds a socket to `a` and returns what getsockname() says, as an address.
address bound_name(int type, const address& a) {
  const int domain = a.is_unix() ? AF_UNIX : (a.kind() == family::ipv4 ? AF_INET : AF_INET6);
  const int fd = ::socket(domain, type | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  address out;
  if (::bind(fd, static_cast<const sockaddr*>(a.data()), static_cast<socklen_t>(a.size())) == 0) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len), 0);
    out = address::from_sockaddr(&ss, len);
  }
  ::close(fd);
  return out;
}

TEST(address, from_sockaddr_of_bound_ipv4_socket) {
  address name = bound_name(SOCK_STREAM, parse_ok("127.0.0.1:0"));
  ASSERT_FALSE(name.empty());
  EXPECT_EQ(name.kind(), family::ipv4);
  EXPECT_EQ(name.ip(), "127.0.0.1");
  EXPECT_NE(name.port(), 0);  // the kernel picked one
  EXPECT_EQ(parse_ok(name.to_string()), name);
}

TEST(address, from_sockaddr_of_bound_ipv6_socket) {
  address name = bound_name(SOCK_DGRAM, parse_ok("[::1]:0"));
  if (name.empty()) GTEST_SKIP() << "no IPv6 loopback here";
  EXPECT_EQ(name.kind(), family::ipv6);
  EXPECT_EQ(name.ip(), "::1");
  EXPECT_NE(name.port(), 0);
  EXPECT_EQ(parse_ok(name.to_string()), name);
}

TEST(address, from_sockaddr_of_bound_unix_sockets) {
  char dir[] = "/tmp/lwspp_address_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const address path = parse_ok("unix:"s + dir + "/s.sock");
  const address name = bound_name(SOCK_STREAM, path);
  EXPECT_EQ(name.kind(), family::unix_path);
  EXPECT_EQ(name, path);  // the kernel's length (with the NUL) matches ours
  EXPECT_EQ(name.to_string(), path.to_string());
  ::unlink((std::string(dir) + "/s.sock").c_str());
  ::rmdir(dir);

  const address abstract = parse_ok("unix:@lwspp-address-test-" + std::to_string(::getpid()));
  const address abstract_name = bound_name(SOCK_STREAM, abstract);
  EXPECT_EQ(abstract_name.kind(), family::unix_abstract);
  EXPECT_EQ(abstract_name, abstract);
  EXPECT_EQ(abstract_name.to_string(), abstract.to_string());
}

TEST(address, from_sockaddr_of_unnamed_unix_socket) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ASSERT_EQ(::getsockname(fds[0], reinterpret_cast<sockaddr*>(&ss), &len), 0);
  const address a = address::from_sockaddr(&ss, len);
  EXPECT_TRUE(a.is_unix());
  EXPECT_EQ(a.unix_path(), "");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(address, from_sockaddr_normalises_unix_path_length) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, "/x", 2);
  const address without_nul = address::from_sockaddr(&sun, offsetof(sockaddr_un, sun_path) + 2);
  const address whole = address::from_sockaddr(&sun, sizeof sun);
  EXPECT_EQ(without_nul, parse_ok("unix:/x"));
  EXPECT_EQ(whole, parse_ok("unix:/x"));
}

// split_host_port

lwspp::host_port split_ok(std::string_view text, std::uint16_t default_port = 0) {
  auto r = split_host_port(text, default_port);
  EXPECT_TRUE(r.ok()) << "\"" << text << "\": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? r.value() : lwspp::host_port{};
}

std::string split_fails(std::string_view text, std::uint16_t default_port = 0) {
  auto r = split_host_port(text, default_port);
  EXPECT_FALSE(r.ok()) << "\"" << text << "\" split as " << (r.ok() ? r->host : "");
  if (r.ok()) return {};
  EXPECT_TRUE(r.error().is(lwspp::error::invalid_address));
  return r.error().detail;
}

TEST(split_host_port, host_and_port) {
  auto hp = split_ok("example.com:443");
  EXPECT_EQ(hp.host, "example.com");
  EXPECT_EQ(hp.port, 443);
  hp = split_ok("127.0.0.1:0", 80);
  EXPECT_EQ(hp.host, "127.0.0.1");
  EXPECT_EQ(hp.port, 0);  // an explicit port wins over the default
}

TEST(split_host_port, bracketed_ipv6) {
  auto hp = split_ok("[::1]:7681");
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 7681);
  hp = split_ok("[fe80::1%lo]:80");
  EXPECT_EQ(hp.host, "fe80::1%lo");
  hp = split_ok("[::1]", 443);
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 443);
}

TEST(split_host_port, default_port) {
  auto hp = split_ok("example.com", 80);
  EXPECT_EQ(hp.host, "example.com");
  EXPECT_EQ(hp.port, 80);
  EXPECT_NE(split_fails("example.com").find("no default port"), std::string::npos);
  split_fails("[::1]");
}

TEST(split_host_port, bare_ipv6_is_a_host_without_port) {
  auto hp = split_ok("::1", 443);
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 443);
  hp = split_ok("2001:db8::1", 80);
  EXPECT_EQ(hp.host, "2001:db8::1");
  split_fails("::1");  // no default port
  // Nine groups only make sense as an address plus a port: say so.
  EXPECT_NE(split_fails("1:2:3:4:5:6:7:8:80", 1).find("[1:2:3:4:5:6:7:8]:80"), std::string::npos);
  split_fails("a:b:c", 1);
}

TEST(split_host_port, rejects_bad_input) {
  EXPECT_NE(split_fails("").find("empty"), std::string::npos);
  EXPECT_NE(split_fails(":80").find("empty host"), std::string::npos);
  EXPECT_NE(split_fails("[]:80").find("empty host"), std::string::npos);
  EXPECT_NE(split_fails("host:65536").find("bad port"), std::string::npos);
  EXPECT_NE(split_fails("host:").find("missing port"), std::string::npos);
  for (const char* text : {"host:http", "host:-1", "host:8 0", "[::1", "[::1]x",
                           "[::1]:", "[host]:80", "ho st:80", "host]:80", "[::1]:80:80"}) {
    split_fails(text, 80);
  }
  split_fails("evil.com\0.good.com:80"s);
}

}  // namespace
