// lwspp-test-labels: threads
// The HTTP/1.1 server end to end over loopback, with a plain blocking socket
// as the client so that every byte on the wire is the test's to choose:
// routing, keep-alive, pipelining, bodies whole and streamed, chunked and
// deferred responses, answers from another thread, and the error paths.
// (curl, Python and a browser are the peers of tests/interop/http_*.sh.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "lwspp/http_server.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

// Reads one HTTP response (head + Content-Length or chunked body) from fd.
struct reply {
  int status = 0;
  std::string head;
  std::string body;
  bool closed = false;  // the server closed after it
};

bool read_some(int fd, std::string& buf, int timeout_ms = 5000) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char tmp[65536];
  const ssize_t n = ::read(fd, tmp, sizeof tmp);
  if (n <= 0) return false;
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}

std::string header_of(const std::string& head, std::string name) {
  for (char& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string::npos) {
    pos += 2;
    const std::size_t colon = head.find(':', pos);
    const std::size_t eol = head.find("\r\n", pos);
    if (colon == std::string::npos || eol == std::string::npos || colon > eol) continue;
    std::string n = head.substr(pos, colon - pos);
    for (char& c : n)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == name) {
      std::size_t v = colon + 1;
      while (v < eol && head[v] == ' ')
        ++v;
      return head.substr(v, eol - v);
    }
  }
  return {};
}

// Parses one response from the front of buf (reading more from fd as needed).
reply read_reply(int fd, std::string& buf, bool head_request = false) {
  reply r;
  std::size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos)
    if (!read_some(fd, buf)) return r;
  r.head = buf.substr(0, end + 2);
  buf.erase(0, end + 4);
  r.status = std::atoi(r.head.c_str() + 9);
  const std::string te = header_of(r.head, "transfer-encoding");
  const std::string cl = header_of(r.head, "content-length");
  if (head_request || r.status == 204 || r.status == 304 || r.status < 200) {
    // no body
  } else if (te == "chunked") {
    for (;;) {
      std::size_t eol;
      while ((eol = buf.find("\r\n")) == std::string::npos)
        if (!read_some(fd, buf)) return r;
      const std::size_t size = std::stoul(buf.substr(0, eol), nullptr, 16);
      while (buf.size() < eol + 2 + size + 2)
        if (!read_some(fd, buf)) return r;
      r.body += buf.substr(eol + 2, size);
      buf.erase(0, eol + 2 + size + 2);
      if (size == 0) break;
    }
  } else if (!cl.empty()) {
    const std::size_t n = std::stoul(cl);
    while (buf.size() < n)
      if (!read_some(fd, buf)) return r;
    r.body = buf.substr(0, n);
    buf.erase(0, n);
  } else {
    while (read_some(fd, buf)) {
    }
    r.body = std::move(buf);
    buf.clear();
  }
  return r;
}

bool peer_closed(int fd, std::string& buf) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 3000) <= 0) return false;
  char c;
  const ssize_t n = ::read(fd, &c, 1);
  if (n > 0) buf += c;
  return n <= 0;
}

class http_server : public ::testing::Test {
 protected:
  void SetUp() override {
    app.get("/hello",
            [](lwspp::http::request&, lwspp::http::response& res) { res.send("Hello, world!"); });
    app.post("/echo", [](lwspp::http::request& req, lwspp::http::response& res) {
      res.content_type("application/octet-stream").send(req.body());
    });
    app.get("/query", [](lwspp::http::request& req, lwspp::http::response& res) {
      res.send(std::string(req.path()) + "|" + req.query_param("a") + "|" +
               std::string(req.header("x-test")));
    });
    app.get("/api/*", [](lwspp::http::request& req, lwspp::http::response& res) {
      res.send(std::string(req.subpath()));
    });
    app.get("/chunked", [](lwspp::http::request&, lwspp::http::response& res) {
      res.write("one,");
      res.write("two,");
      res.write("three");
      res.end();
    });
    app.get("/trailers", [](lwspp::http::request& req, lwspp::http::response& res) {
      res.trailer("x-sum", "42").trailer("bad name", "refused");
      if (req.query_param("how") == "whole") return res.send("whole");
      res.write("streamed");
      res.end();
    });
    app.get("/deferred", [this](lwspp::http::request&, lwspp::http::response& res) {
      // Answered later, from another thread.
      std::lock_guard lock(mu);
      workers.emplace_back([h = res.handle()] {
        std::this_thread::sleep_for(50ms);
        h.send(200, "later");
      });
    });
    app.get("/inject", [](lwspp::http::request&, lwspp::http::response& res) {
      res.header("x-ok", "fine");
      res.header("x-bad", "a\r\nset-cookie: evil=1");
      res.header("bad name", "x");
      res.header("content-length", "1");
      res.send("safe");
    });
    app.get("/short", [](lwspp::http::request&, lwspp::http::response& res) {
      res.content_length(10);
      res.write("12345");
      res.end();  // 5 bytes short: the connection must be aborted, not left to hang
    });
    lwspp::http::handler upload{
        .on_request = [](lwspp::http::request&, lwspp::http::response&) {},
        .on_body = [this](lwspp::http::request&, lwspp::http::response&,
                          std::string_view piece) { streamed += piece.size(); },
        .on_body_end =
            [this](lwspp::http::request&, lwspp::http::response& res) {
              res.send(std::to_string(streamed.load()));
            },
        .max_body = 64 * 1024 * 1024,
    };
    app.route(lwspp::http::method::put, "/upload", std::move(upload));
    app.get("/state", [](lwspp::http::request& req, lwspp::http::response& res) {
      // Per-request state starts afresh on every request of a connection.
      res.send(std::to_string(++req.state_as<int>()) + "|" + std::string(req.header("x-test")));
    });
    app.redirect("/old", "/api", 308);
    // Files on both sides of the size up to which a file is read and sent
    // with its head in one write (16 KiB), and one past the write queue's
    // high-water mark (sendfile under TCP_CORK, resumed on writable).
    char dir_template[] = "/tmp/lwspp-http-files.XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir = dir_template;
    for (const std::size_t n : file_sizes) {
      const std::string path = dir + "/f" + std::to_string(n);
      const int f = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ASSERT_GE(f, 0);
      const std::string bytes = test::pattern(n, 0, n);
      ASSERT_EQ(::write(f, bytes.data(), bytes.size()), static_cast<ssize_t>(n));
      ::close(f);
    }
    app.mount("/files", {.root = dir, .precompressed = false, .compress = false});
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run = std::make_unique<test::runner>(ctx);
  }
  void TearDown() override {
    run.reset();
    for (auto& t : workers)
      t.join();
    for (const std::size_t n : file_sizes)
      ::unlink((dir + "/f" + std::to_string(n)).c_str());
    if (!dir.empty()) ::rmdir(dir.c_str());
  }

  static constexpr std::size_t file_sizes[] = {0, 10, 16384, 16385, 300000};

  reply roundtrip(int fd, std::string_view request, bool head_request = false) {
    EXPECT_TRUE(test::write_all(fd, request));
    return read_reply(fd, buf, head_request);
  }

  lwspp::context ctx{{.level = lwspp::log_level::error}};
  lwspp::http::server app;
  std::unique_ptr<test::runner> run;
  std::uint16_t port = 0;
  std::string buf;
  std::mutex mu;
  std::vector<std::thread> workers;
  std::atomic<std::size_t> streamed{0};
  std::string dir;
};

TEST_F(http_server, hello_and_keep_alive_on_one_connection) {
  const int fd = test::dial(port);
  for (int i = 0; i < 3; ++i) {
    const reply r = roundtrip(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!");
    EXPECT_EQ(header_of(r.head, "content-length"), "13");
    EXPECT_EQ(header_of(r.head, "content-type"), "text/plain; charset=utf-8");
    EXPECT_FALSE(header_of(r.head, "date").empty());
    EXPECT_EQ(header_of(r.head, "connection"), "");
  }
  ::close(fd);
}

TEST_F(http_server, http10_closes_unless_keep_alive) {
  int fd = test::dial(port);
  reply r = roundtrip(fd, "GET /hello HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header_of(r.head, "connection"), "close");
  EXPECT_TRUE(peer_closed(fd, buf));
  ::close(fd);
  buf.clear();
  fd = test::dial(port);
  r = roundtrip(fd, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(header_of(r.head, "connection"), "keep-alive");
  r = roundtrip(fd, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(r.body, "Hello, world!");
  ::close(fd);
}

TEST_F(http_server, pipelined_requests_answered_in_order) {
  const int fd = test::dial(port);
  ASSERT_TRUE(test::write_all(fd,
                              "GET /deferred HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                              "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                              "GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(read_reply(fd, buf).body, "later");
  EXPECT_EQ(read_reply(fd, buf).body, "Hello, world!");
  EXPECT_EQ(read_reply(fd, buf).body, "abc");
  const reply r = read_reply(fd, buf);
  EXPECT_EQ(header_of(r.head, "transfer-encoding"), "chunked");
  EXPECT_EQ(r.body, "one,two,three");
  ::close(fd);
}

// Answers to one read's pipelined requests are corked and leave together:
// a large answer among them, and a last request that closes, must still
// deliver every answer whole and in order, then EOF.
TEST_F(http_server, pipelined_batch_with_a_large_answer_and_a_close) {
  const std::string large = test::pattern(7, 0, 40000);
  std::string all;
  for (int i = 0; i < 20; ++i)
    all += "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
  all += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 40000\r\n\r\n" + large;
  for (int i = 0; i < 5; ++i)
    all += "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
  all += "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  all += "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";  // after the close: never answered
  const int fd = test::dial(port);
  ASSERT_TRUE(test::write_all(fd, all));
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(read_reply(fd, buf).body, "Hello, world!") << i;
  EXPECT_TRUE(read_reply(fd, buf).body == large);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(read_reply(fd, buf).body, "Hello, world!") << i;
  EXPECT_EQ(buf + test::read_to_eof(fd), "");
  ::close(fd);
}

TEST_F(http_server, routing_404_405_prefix_redirect_and_query) {
  const int fd = test::dial(port);
  EXPECT_EQ(roundtrip(fd, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  reply r = roundtrip(fd, "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(header_of(r.head, "allow").find("GET"), std::string::npos);
  r = roundtrip(fd, "GET /api/v1/items HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.body, "/v1/items");
  r = roundtrip(fd, "GET /api HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(roundtrip(fd, "GET /apix HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  r = roundtrip(fd, "GET /old/a%20b?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(header_of(r.head, "location"), "/api/a%20b?q=1");
  r = roundtrip(fd, "GET /a/../query/./?a=x%20y&b=2 HTTP/1.1\r\nHost: x\r\nX-Test: t\r\n\r\n");
  // "/query/" with its trailing slash is not the route "/query".
  EXPECT_EQ(r.status, 404);
  r = roundtrip(fd, "GET /a/..//query?a=x+y&b=2 HTTP/1.1\r\nHost: x\r\nX-Test: t\r\n\r\n");
  EXPECT_EQ(r.body, "/query|x y|t");
  r = roundtrip(fd, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n", true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header_of(r.head, "content-length"), "13");
  EXPECT_EQ(roundtrip(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").body, "Hello, world!");
  r = roundtrip(fd, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 204);
  ::close(fd);
}

TEST_F(http_server, request_bodies_whole_chunked_and_streamed) {
  const int fd = test::dial(port);
  reply r = roundtrip(fd,
                      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: 1\r\n\r\n");
  EXPECT_EQ(r.body, "abcdefg");
  // Expect: 100-continue gets its interim response before the body is sent.
  ASSERT_TRUE(test::write_all(
      fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  r = read_reply(fd, buf);
  EXPECT_EQ(r.status, 100);
  ASSERT_TRUE(test::write_all(fd, "hello"));
  r = read_reply(fd, buf);
  EXPECT_EQ(r.body, "hello");
  // A streamed 8 MiB upload.
  const std::size_t size = 8 << 20;
  ASSERT_TRUE(test::write_all(fd, "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                      std::to_string(size) + "\r\n\r\n"));
  ASSERT_TRUE(test::write_all(fd, std::string(size, 'u')));
  r = read_reply(fd, buf);
  EXPECT_EQ(r.body, std::to_string(size));
  ::close(fd);
}

TEST_F(http_server, body_over_limit_is_413_and_never_reaches_the_handler) {
  const int fd = test::dial(port);
  const reply r =
      roundtrip(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(header_of(r.head, "connection"), "close");
  EXPECT_TRUE(peer_closed(fd, buf));
  ::close(fd);
}

TEST_F(http_server, bad_requests_get_their_status_and_close) {
  struct {
    const char* request;
    int status;
  } cases[] = {
      {"GET /hello HTTP/1.1\r\n\r\n", 400},  // no Host
      {"GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"GET /hello HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
      {"GET /hello HTTP/2.5\r\nHost: x\r\n\r\n", 505},
      {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
  };
  for (const auto& c : cases) {
    const int fd = test::dial(port);
    buf.clear();
    const reply r = roundtrip(fd, c.request);
    EXPECT_EQ(r.status, c.status) << c.request;
    EXPECT_EQ(header_of(r.head, "connection"), "close") << c.request;
    EXPECT_TRUE(peer_closed(fd, buf)) << c.request;
    ::close(fd);
  }
  // An oversize request line: 414.
  const int fd = test::dial(port);
  buf.clear();
  const reply r = roundtrip(fd, "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 414);
  ::close(fd);
}

TEST_F(http_server, handler_cannot_inject_headers_or_break_framing) {
  const int fd = test::dial(port);
  reply r = roundtrip(fd, "GET /inject HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "safe");
  EXPECT_EQ(header_of(r.head, "x-ok"), "fine");
  EXPECT_EQ(r.head.find("evil"), std::string::npos);
  EXPECT_EQ(header_of(r.head, "content-length"), "4");
  // A response shorter than its Content-Length is cut off, never padded or left hanging.
  ASSERT_TRUE(test::write_all(fd, "GET /short HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string all;
  while (read_some(fd, all)) {
  }
  EXPECT_NE(all.find("content-length: 10"), std::string::npos);
  ::close(fd);
}

// Trailers travel only in a chunked response (RFC 9112 §7.1.2); a response
// with a Content-Length, or to HTTP/1.0, has nowhere to put them.
TEST_F(http_server, trailers_go_in_the_chunked_trailer_section_only) {
  auto exchange = [this](std::string_view request) {
    const int fd = test::dial(port);
    EXPECT_TRUE(test::write_all(fd, request));
    std::string all;
    while (read_some(fd, all)) {
    }
    ::close(fd);
    return all;
  };
  std::string all = exchange("GET /trailers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(all.find("transfer-encoding: chunked"), std::string::npos) << all;
  EXPECT_TRUE(all.ends_with("\r\n8\r\nstreamed\r\n0\r\nx-sum: 42\r\n\r\n")) << all;
  EXPECT_EQ(all.find("refused"), std::string::npos);
  all = exchange("GET /trailers?how=whole HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(all.ends_with("\r\n\r\nwhole")) << all;
  all = exchange("GET /trailers HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(all.ends_with("\r\n\r\nstreamed")) << all;
}

TEST_F(http_server, client_leaving_mid_response_runs_on_abort) {
  std::atomic<bool> aborted{false};
  lwspp::context c2({.level = lwspp::log_level::error});
  lwspp::http::server app2;
  app2.get("/slow", [&](lwspp::http::request&, lwspp::http::response& res) {
    res.on_abort([&] { aborted = true; });  // and answer later, which never comes
  });
  auto vh = app2.listen(c2, {.listen = "127.0.0.1:0"});
  ASSERT_TRUE(vh);
  test::runner r2(c2);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_TRUE(test::write_all(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(50ms);
  ::close(fd);
  EXPECT_TRUE(test::wait_until([&] { return aborted.load(); }, 5s));
}

}  // namespace

namespace {

TEST_F(http_server, request_state_and_headers_start_afresh_on_each_request) {
  const int fd = test::dial(port);
  reply r = roundtrip(fd, "GET /state HTTP/1.1\r\nHost: x\r\nX-Test: first\r\n\r\n");
  EXPECT_EQ(r.body, "1|first");
  r = roundtrip(fd, "GET /state HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.body, "1|");
  // Pipelined: both parsed from one read, on one session.
  ASSERT_TRUE(test::write_all(fd,
                              "GET /state HTTP/1.1\r\nHost: x\r\nX-Test: a\r\n\r\n"
                              "GET /state HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(read_reply(fd, buf).body, "1|a");
  EXPECT_EQ(read_reply(fd, buf).body, "1|");
  ::close(fd);
}

TEST_F(http_server, static_files_small_and_large_on_one_connection) {
  const int fd = test::dial(port);
  // Every size twice, and each after each other size: a file response must
  // leave nothing behind (a held segment, a cork) for the next one.
  for (int round = 0; round < 2; ++round) {
    for (const std::size_t n : file_sizes) {
      const reply r =
          roundtrip(fd, "GET /files/f" + std::to_string(n) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      EXPECT_EQ(r.status, 200) << n;
      EXPECT_EQ(header_of(r.head, "content-length"), std::to_string(n));
      EXPECT_TRUE(r.body == test::pattern(n, 0, n)) << "size " << n;
    }
  }
  // HEAD and a range of each kind, then all the files pipelined.
  reply r = roundtrip(fd, "HEAD /files/f300000 HTTP/1.1\r\nHost: x\r\n\r\n", true);
  EXPECT_EQ(header_of(r.head, "content-length"), "300000");
  r = roundtrip(fd, "GET /files/f300000 HTTP/1.1\r\nHost: x\r\nRange: bytes=100-199\r\n\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_TRUE(r.body == test::pattern(300000, 100, 100));
  r = roundtrip(fd, "GET /files/f300000 HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-\r\n\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_TRUE(r.body == test::pattern(300000, 1000, 299000));
  std::string all;
  for (const std::size_t n : file_sizes)
    all += "GET /files/f" + std::to_string(n) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(test::write_all(fd, all));
  for (const std::size_t n : file_sizes) {
    r = read_reply(fd, buf);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body == test::pattern(n, 0, n)) << "pipelined, size " << n;
  }
  ::close(fd);
}

}  // namespace
