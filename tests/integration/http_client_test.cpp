// lwspp-test-labels: threads
// The HTTP client end to end over loopback: against lwspp's own server
// (bodies, keep-alive reuse counted on the server, redirects, content
// decoding, uploads whole and streamed, the pool's cap, Unix sockets) and
// against scripted servers on plain sockets that send exactly the bytes a
// case needs (hostile and broken responses, stalls, early closes, 1xx,
// pipelining). nginx, h2o and Python's http.server are the peers of
// tests/interop/http_client_*.sh.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <memory>

#include "http/compressor.hpp"
#include "http_client_peer.hpp"
#include "lwspp/http_server.hpp"

namespace {

using namespace std::chrono_literals;
namespace http = lwspp::http;
using http::client_error;

class http_client : public ::testing::Test {
 protected:
  void SetUp() override {
    app.get("/hello", [](http::request&, http::response& res) { res.send("Hello, world!"); });
    app.post("/echo", [](http::request& req, http::response& res) {
      res.content_type("application/octet-stream")
          .send(std::string(req.method_name()) + "|" + std::string(req.header("content-length")) +
                "|" + std::string(req.body()));
    });
    app.put("/echo", [](http::request& req, http::response& res) {
      res.send(std::string(req.method_name()) + "|" + std::string(req.header("content-length")) +
               "|" + std::string(req.body()));
    });
    app.get("/echo", [](http::request& req, http::response& res) {
      res.send(std::string(req.method_name()) + "|" + std::string(req.header("x-test")) + "|" +
               std::string(req.header("authorization")));
    });
    app.get("/chunked", [](http::request&, http::response& res) {
      res.write("one,");
      res.write("two,");
      res.write("three");
      res.end();
    });
    app.get("/never", [this](http::request&, http::response& res) {
      res.on_abort([this] { aborted = true; });  // never answered
    });
    http::handler upload{
        .on_request = [](http::request&, http::response&) {},
        .on_body = [this](http::request&, http::response&,
                          std::string_view piece) { uploaded += piece.size(); },
        .on_body_end =
            [this](http::request& req, http::response& res) {
              res.send(std::to_string(uploaded.load()) + "|" +
                       std::string(req.header("transfer-encoding")));
            },
        .max_body = 64 * 1024 * 1024,
    };
    app.route(http::method::put, "/upload", std::move(upload));
    app.redirect("/old", "/hello", 308);
    app.redirect("/loop", "/loop", 302);
    app.get("/login", [](http::request&, http::response& res) {
      res.header("set-cookie", "sid=abc; Path=/; HttpOnly");
      res.header("set-cookie", "pref=dark; Path=/only-here");
      res.redirect(302, "/check");
    });
    app.get("/check", [](http::request& req, http::response& res) {
      res.send(std::string(req.header("cookie")));
    });
    app.post("/see-other", [](http::request&, http::response& res) { res.redirect(303, "/echo"); });
    char dir_template[] = "/tmp/lwspp-http-client.XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir = dir_template;
    text.clear();
    for (int i = 0; text.size() < 200000; ++i)
      text += "line " + std::to_string(i) + " of a compressible text file\n";
    write_file("big.txt", text);
    write_file("blob.bin", test::pattern(300000, 7, 300000));
    app.mount("/files", {.root = dir, .precompressed = false, .compress = true});
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    server_vhost = *vh;
    port = server_vhost->bound_address().port();
    run = std::make_unique<test::runner>(ctx);
    client = std::make_unique<http::client>(ctx, opts);
  }
  void TearDown() override {
    client.reset();
    run.reset();
    for (const char* f : {"big.txt", "blob.bin"})
      ::unlink((dir + "/" + f).c_str());
    if (!dir.empty()) ::rmdir(dir.c_str());
  }
  void write_file(const std::string& name, const std::string& bytes) {
    const int f = ::open((dir + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(f, 0);
    ASSERT_EQ(::write(f, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(f);
  }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
  }
  // A fresh client with other options (the fixture's is replaced).
  void reopen(http::client_options o) {
    client.reset();
    client = std::make_unique<http::client>(ctx, std::move(o));
  }

  lwspp::context ctx;
  http::server app;
  lwspp::vhost* server_vhost = nullptr;
  std::uint16_t port = 0;
  std::string dir, text;
  std::atomic<std::uint64_t> uploaded{0};
  std::atomic<bool> aborted{false};
  http::client_options opts;
  std::unique_ptr<test::runner> run;
  std::unique_ptr<http::client> client;
};

void expect_error(const lwspp::result<http::client_response>& r, std::error_code code) {
  ASSERT_FALSE(r) << "expected " << code.message();
  EXPECT_EQ(r.error().code, code) << r.error().message();
  EXPECT_FALSE(r.error().message().empty());
}

TEST_F(http_client, get_returns_status_fields_and_body) {
  auto r = test::fetch(*client, url("/hello"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->version, 11);
  EXPECT_EQ(r->body, "Hello, world!");
  EXPECT_EQ(r->header("Content-Length"), "13");
  EXPECT_EQ(r->url, url("/hello"));
  EXPECT_FALSE(r->timings.reused);
  EXPECT_GT(r->timings.total.count(), 0);
  EXPECT_LE(r->timings.first_byte, r->timings.total);
}

TEST_F(http_client, keep_alive_reuses_one_connection) {
  for (int i = 0; i < 20; ++i) {
    auto r = test::fetch(*client, url("/hello"));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, "Hello, world!");
    EXPECT_EQ(r->timings.reused, i > 0);
  }
  EXPECT_EQ(server_vhost->accepted_total(), 1u);
  const auto s = client->stats();
  EXPECT_EQ(s.requests, 20u);
  EXPECT_EQ(s.connections, 1u);
  EXPECT_EQ(s.reused, 19u);
  EXPECT_EQ(s.idle, 1u);
}

TEST_F(http_client, bodies_go_with_content_length) {
  http::client_request req{.method = "POST", .url = url("/echo"), .body = "ping"};
  auto r = test::fetch(*client, std::move(req));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "POST|4|ping");
  // An empty PUT still says Content-Length: 0.
  auto r2 = test::fetch(*client, http::client_request{.method = "PUT", .url = url("/echo")});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "PUT|0|");
  // Extra fields go out; the client's own are refused.
  auto r3 = test::fetch(*client,
                        http::client_request{.url = url("/echo"), .headers = {{"X-Test", "yes"}}});
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->body, "GET|yes|");
}

TEST_F(http_client, bad_requests_are_refused_before_any_io) {
  expect_error(test::fetch(*client, "ftp://127.0.0.1/"), client_error::bad_url);
  expect_error(test::fetch(*client, "http://"), client_error::bad_url);
  expect_error(test::fetch(*client, "http://h:99999/"), client_error::bad_url);
  expect_error(test::fetch(*client, http::client_request{.method = "G T", .url = url("/")}),
               client_error::bad_request);
  expect_error(test::fetch(*client, http::client_request{.url = url("/"),
                                                         .headers = {{"X-A", "1\r\nX-B: 2"}}}),
               client_error::bad_request);
  expect_error(test::fetch(*client, http::client_request{.url = url("/"),
                                                         .headers = {{"Content-Length", "5"}}}),
               client_error::bad_request);
  EXPECT_EQ(server_vhost->accepted_total(), 0u);
}

TEST_F(http_client, chunked_responses_are_decoded) {
  auto r = test::fetch(*client, url("/chunked"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "one,two,three");
  EXPECT_EQ(r->header("transfer-encoding"), "chunked");
}

TEST_F(http_client, gzip_and_br_bodies_are_decoded) {
  for (const char* coding : {"gzip", "br"}) {
    if (std::string_view(coding) == "br" && !http::coding_available(http::content_coding::br))
      continue;
    auto r = test::fetch(
        *client, http::client_request{.url = url("/files/big.txt"),
                                      .headers = {{"Accept-Encoding", std::string(coding)}}});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->header("content-encoding"), coding);
    EXPECT_EQ(r->body.size(), text.size());
    EXPECT_TRUE(r->body == text);
  }
  // Without decoding the bytes are the coded ones.
  opts.decompress = false;
  reopen(opts);
  auto raw = test::fetch(*client, http::client_request{.url = url("/files/big.txt"),
                                                       .headers = {{"Accept-Encoding", "gzip"}}});
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->header("content-encoding"), "gzip");
  EXPECT_LT(raw->body.size(), text.size() / 4);
}

TEST_F(http_client, redirects_are_followed_within_the_limit) {
  auto r = test::fetch(*client, url("/old"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "Hello, world!");
  EXPECT_EQ(r->redirects, 1u);
  EXPECT_EQ(r->url, url("/hello"));
  // 303 after a POST: a GET without the body.
  auto s = test::fetch(
      *client, http::client_request{.method = "POST", .url = url("/see-other"), .body = "x"});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->body, "GET||");
  auto loop = test::fetch(*client, url("/loop"));
  expect_error(loop, client_error::too_many_redirects);
  // With redirects off the 3xx is the answer.
  opts.max_redirects = 0;
  reopen(opts);
  auto raw = test::fetch(*client, url("/old"));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 308);
  EXPECT_EQ(raw->header("location"), "/hello");
  // Every redirect went over the one keep-alive connection.
  EXPECT_LE(server_vhost->accepted_total(), 2u);
}

TEST_F(http_client, cookies_are_kept_per_client_when_asked) {
  // Off by default: nothing is kept.
  auto off = test::fetch(*client, url("/login"));
  ASSERT_TRUE(off) << off.error().message();
  EXPECT_EQ(off->body, "");
  opts.cookies = true;
  reopen(opts);
  // The redirect's Set-Cookie is stored before the redirect is followed;
  // the cookie of another path is not sent.
  auto r = test::fetch(*client, url("/login"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "sid=abc");
  auto again = test::fetch(*client, url("/check"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "sid=abc");
  // A Cookie the caller sets is sent as it is.
  auto own = test::fetch(
      *client, http::client_request{.url = url("/check"), .headers = {{"Cookie", "mine=1"}}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->body, "mine=1");
}

TEST_F(http_client, streamed_response_with_pause_and_resume) {
  std::promise<void> done;
  std::string got;
  int pieces = 0;
  bool paused_once = false;
  lwspp::error_info failure;
  int status = 0;
  auto handle = std::make_shared<http::request_handle>();
  http::response_handlers h;
  h.on_headers = [&](const http::client_response& r) { status = r.status; };
  h.on_body = [&, handle](std::string_view piece) {
    got += piece;
    ++pieces;
    if (!paused_once) {
      paused_once = true;
      handle->pause();
      // Resumed later from another thread: nothing may arrive meanwhile.
      std::thread([&, handle, seen = got.size()] {
        std::this_thread::sleep_for(100ms);
        EXPECT_EQ(got.size(), seen);
        handle->resume();
      }).detach();
    }
  };
  h.on_complete = [&](const http::client_response&, const lwspp::error_info& why) {
    failure = why;
    done.set_value();
  };
  // Requested from the loop thread, so that the handle is set before the
  // first on_body (from another thread it could arrive first).
  ctx.get_loop().post([this, handle, h = std::move(h)]() mutable {
    *handle = client->request(http::client_request{.url = url("/files/blob.bin")}, std::move(h));
  });
  ASSERT_EQ(done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_FALSE(failure.code) << failure.message();
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(got == test::pattern(300000, 7, 300000));
  EXPECT_GE(pieces, 2);
}

TEST_F(http_client, streamed_uploads_chunked_and_with_length) {
  for (const bool with_length : {false, true}) {
    uploaded = 0;
    auto sent = std::make_shared<std::size_t>(0);
    constexpr std::size_t total = 5 * 1024 * 1024;
    http::client_request req{.method = "PUT", .url = url("/upload")};
    if (with_length) req.content_length = total;
    req.source = [sent](http::body_sink& sink) {
      const std::string block(64 * 1024, 'u');
      while (*sent < total) {
        const auto r = sink.write(block);
        if (!r) return http::source_status::done;  // refused: let the length check speak
        *sent += block.size();
        if (r.backpressure) return http::source_status::more;
      }
      return http::source_status::done;
    };
    auto r = test::fetch(*client, std::move(req));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, std::to_string(total) + (with_length ? "|" : "|chunked"));
  }
}

TEST_F(http_client, a_source_that_lies_about_its_length_fails_the_request) {
  http::client_request req{.method = "PUT", .url = url("/upload"), .content_length = 10};
  req.source = [](http::body_sink& sink) {
    (void)sink.write("12345");
    return http::source_status::done;
  };
  expect_error(test::fetch(*client, std::move(req)), client_error::bad_request);
}

TEST_F(http_client, the_pool_caps_connections_per_origin_and_queues) {
  opts.max_connections_per_origin = 3;
  reopen(opts);
  std::vector<std::future<lwspp::result<http::client_response>>> all;
  for (int i = 0; i < 40; ++i)
    all.push_back(
        std::async(std::launch::async, [this] { return test::fetch(*client, url("/hello")); }));
  for (auto& f : all) {
    auto r = f.get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, "Hello, world!");
  }
  EXPECT_LE(server_vhost->accepted_total(), 3u);
  EXPECT_LE(client->stats().connections, 3u);
}

TEST_F(http_client, unix_sockets) {
  const std::string path = dir + "/s.sock";
  http::server u;
  u.get("/where", [](http::request& req, http::response& res) {
    res.send("unix|" + std::string(req.host()));
  });
  lwspp::context uctx;
  auto vh = u.listen(uctx, {.listen = "unix:" + path});
  ASSERT_TRUE(vh) << vh.error().message();
  test::runner urun(uctx);
  auto r = test::fetch(*client, "unix:" + path + ":/where");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "unix|localhost");
  std::string enc;
  for (char c : path)
    enc += c == '/' ? std::string("%2F") : std::string(1, c);
  auto r2 = test::fetch(*client, "http+unix://" + enc + "/where");
  ASSERT_TRUE(r2) << r2.error().message();
  EXPECT_EQ(r2->body, "unix|localhost");
  client.reset();  // before the Unix server goes
  ::unlink(path.c_str());
}

TEST_F(http_client, connect_failures_say_why) {
  const int fd = test::dial(port);  // find a port nobody listens on
  ::close(fd);
  auto r = test::fetch(*client, "http://127.0.0.1:1/");
  expect_error(r, lwspp::error::connection_refused);
  auto d = test::fetch(*client, "http://no-such-host.invalid/");
  expect_error(d, lwspp::error::dns_failed);
}

TEST_F(http_client, cancel_and_total_timeout) {
  std::promise<lwspp::result<http::client_response>> p;
  auto h =
      client->request(http::client_request{.url = url("/never")},
                      [&](lwspp::result<http::client_response> r) { p.set_value(std::move(r)); });
  std::this_thread::sleep_for(100ms);
  h.cancel();
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  expect_error(f.get(), client_error::cancelled);
  EXPECT_TRUE(test::wait_until([&] { return aborted.load(); }));  // the server saw it go

  opts.total_timeout = 200ms;
  reopen(opts);
  expect_error(test::fetch(*client, url("/never")), client_error::total_timeout);
}

TEST_F(http_client, whole_bodies_are_bounded) {
  opts.max_body = 1000;
  reopen(opts);
  expect_error(test::fetch(*client, url("/files/blob.bin")), client_error::body_too_large);
  // Decoded size counts: 200 kB of text that compresses to a few kB.
  expect_error(test::fetch(*client, http::client_request{.url = url("/files/big.txt"),
                                                         .headers = {{"Accept-Encoding", "gzip"}}}),
               client_error::body_too_large);
}

// --- scripted servers --------------------------------------------------------------

class http_client_scripted : public ::testing::Test {
 protected:
  void SetUp() override { run = std::make_unique<test::runner>(ctx); }
  void TearDown() override {
    client.reset();
    run.reset();
  }
  void make_client(http::client_options o = {}) {
    client = std::make_unique<http::client>(ctx, std::move(o));
  }
  lwspp::context ctx;
  std::unique_ptr<test::runner> run;
  std::unique_ptr<http::client> client;
};

// A server answering every request on a connection with `answer`.
test::scripted_server::script_fn answer_all(std::string answer) {
  return [answer](int fd, int) {
    std::string buf;
    while (!test::read_request(fd, buf).empty())
      test::write_all(fd, answer);
  };
}

test::scripted_server::script_fn answer_once(std::string answer) {
  return [answer](int fd, int) {
    std::string buf;
    if (!test::read_request(fd, buf).empty()) test::write_all(fd, answer);
  };
}

TEST_F(http_client_scripted, hostile_responses_fail_with_the_right_reason) {
  struct hostile {
    const char* name;
    std::string bytes;
    client_error expect;
  };
  const std::vector<hostile> cases = {
      {"truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
       client_error::truncated},
      {"short Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345",
       client_error::truncated},
      {"bad status line", "HTTP/1.1 2OO OK\r\n\r\n", client_error::bad_response},
      {"not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n", client_error::bad_response},
      {"Content-Length and Transfer-Encoding",
       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       client_error::bad_response},
      {"two different Content-Lengths",
       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
       client_error::bad_response},
      {"obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n",
       client_error::bad_response},
      {"oversize header", "HTTP/1.1 200 OK\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
       client_error::bad_response},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       client_error::bad_response},
      {"closed without answering", "", client_error::truncated},
  };
  for (const hostile& h : cases) {
    SCOPED_TRACE(h.name);
    test::scripted_server srv(answer_once(h.bytes));
    make_client();
    auto r = test::fetch(*client, srv.url());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, http::make_error_code(h.expect)) << r.error().message();
    client.reset();
  }
}

TEST_F(http_client_scripted, stalls_hit_the_first_byte_and_read_timeouts) {
  test::scripted_server silent([](int fd, int) {
    std::string buf;
    test::read_request(fd, buf);
    std::this_thread::sleep_for(1500ms);
  });
  make_client({.first_byte_timeout = 300ms, .read_timeout = 300ms});
  expect_error(test::fetch(*client, silent.url()), client_error::first_byte_timeout);
  test::scripted_server stall([](int fd, int) {
    std::string buf;
    test::read_request(fd, buf);
    test::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst");
    std::this_thread::sleep_for(1500ms);
  });
  expect_error(test::fetch(*client, stall.url()), client_error::read_timeout);
}

TEST_F(http_client_scripted, close_delimited_bodies_end_at_eof_and_are_not_reused) {
  test::scripted_server srv(answer_once("HTTP/1.1 200 OK\r\n\r\nuntil the end"));
  make_client();
  for (int i = 0; i < 2; ++i) {
    auto r = test::fetch(*client, srv.url());
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, "until the end");
  }
  EXPECT_EQ(srv.accepted(), 2);
}

TEST_F(http_client_scripted, a_keep_alive_connection_closed_by_the_server_is_replaced) {
  // Answers one request per connection but says keep-alive: the second
  // request finds the pooled connection closed and goes again on a new one.
  test::scripted_server srv(answer_once("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  make_client();
  for (int i = 0; i < 3; ++i) {
    auto r = test::fetch(*client, srv.url());
    ASSERT_TRUE(r) << i << ": " << r.error().message();
    EXPECT_EQ(r->body, "ok");
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(srv.accepted(), 3);
}

TEST_F(http_client_scripted, interim_responses_then_the_final_one) {
  test::scripted_server srv(
      answer_all("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"));
  make_client();
  auto r = test::fetch(*client, srv.url());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "final");
  EXPECT_EQ(r->header("link"), "");
}

TEST_F(http_client_scripted, head_responses_have_no_body_and_keep_the_connection) {
  test::scripted_server srv(answer_all("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"));
  make_client();
  for (int i = 0; i < 3; ++i) {
    auto r = test::fetch(*client, http::client_request{.method = "HEAD", .url = srv.url()});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->header("content-length"), "100");
    EXPECT_TRUE(r->body.empty());
  }
  EXPECT_EQ(srv.accepted(), 1);
}

TEST_F(http_client_scripted, basic_auth_answers_the_challenge) {
  std::atomic<int> with_auth{0};
  test::scripted_server srv([&](int fd, int) {
    std::string buf;
    for (std::string head; !(head = test::read_request(fd, buf)).empty();) {
      if (head.find("Authorization: Basic dXNlcjpwYSBzcw==\r\n") != std::string::npos) {
        ++with_auth;
        test::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin");
      } else {
        test::write_all(fd,
                        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"t\"\r\n"
                        "Content-Length: 0\r\n\r\n");
      }
    }
  });
  make_client();
  auto r =
      test::fetch(*client, "http://user:pa%20ss@127.0.0.1:" + std::to_string(srv.port()) + "/");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "in");
  EXPECT_EQ(with_auth.load(), 1);
}

TEST_F(http_client_scripted, pipelined_requests_are_answered_in_order) {
  std::atomic<int> max_batch{0};
  test::scripted_server srv([&](int fd, int) {
    std::string buf;
    int n = 0;
    for (std::string head; !(head = test::read_request(fd, buf, 2000)).empty();) {
      const auto sp = head.find(' ', 4);
      const std::string path = head.substr(4, sp - 4);
      // Count the requests already waiting behind this one.
      int waiting = 0;
      for (std::size_t p = 0; (p = buf.find("GET ", p)) != std::string::npos; ++p)
        ++waiting;
      max_batch = std::max(max_batch.load(), waiting + 1);
      if (++n == 1) std::this_thread::sleep_for(200ms);  // let the others pile up
      test::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(path.size()) +
                              "\r\n\r\n" + path);
    }
  });
  make_client({.max_connections_per_origin = 1, .pipeline_depth = 4});
  std::vector<std::future<lwspp::result<http::client_response>>> all;
  for (int i = 0; i < 8; ++i)
    all.push_back(std::async(std::launch::async, [&, i] {
      return test::fetch(*client, srv.url("/p" + std::to_string(i)));
    }));
  for (int i = 0; i < 8; ++i) {
    auto r = all[static_cast<std::size_t>(i)].get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, "/p" + std::to_string(i));
  }
  EXPECT_EQ(srv.accepted(), 1);
  EXPECT_GT(max_batch.load(), 1);
}

TEST_F(http_client_scripted, retries_when_asked_for_idempotent_requests) {
  // The first connection is dropped unanswered, the second answers 503,
  // the third 200.
  test::scripted_server srv([](int fd, int n) {
    std::string buf;
    if (test::read_request(fd, buf).empty() || n == 0) return;
    test::write_all(fd, n == 1 ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
                               : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  make_client();
  expect_error(test::fetch(*client, srv.url()), client_error::truncated);  // no retry by default
  client.reset();
  make_client({.retry = {.attempts = 3, .initial_delay = 10ms}});
  auto r = test::fetch(*client, srv.url());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(srv.accepted(), 3);  // one unretried, then the 503 and the 200
  // A POST is not retried.
  test::scripted_server drop([](int fd, int) {
    std::string buf;
    test::read_request(fd, buf);
  });
  expect_error(
      test::fetch(*client, http::client_request{.method = "POST", .url = drop.url(), .body = "x"}),
      client_error::truncated);
  EXPECT_EQ(drop.accepted(), 1);
}

TEST_F(http_client_scripted, a_pipelined_request_keeps_the_first_byte_timeout_of_the_one_before) {
  // The server reads both requests and answers neither: the first must still
  // time out (a request written behind it once cancelled its deadline), and
  // the one behind it fails with the connection.
  test::scripted_server silent([](int fd, int) {
    std::string buf;
    test::read_request(fd, buf, 2000);
    std::this_thread::sleep_for(2500ms);
  });
  make_client({.first_byte_timeout = 300ms,
               .max_connections_per_origin = 1,
               .pipeline_depth = 2,
               .retry = {.attempts = 0}});
  const auto t0 = std::chrono::steady_clock::now();
  auto first =
      std::async(std::launch::async, [&] { return test::fetch(*client, silent.url("/a")); });
  std::this_thread::sleep_for(50ms);  // the first is written before the second
  auto second =
      std::async(std::launch::async, [&] { return test::fetch(*client, silent.url("/b")); });
  expect_error(first.get(), client_error::first_byte_timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
  EXPECT_FALSE(second.get());
}

TEST_F(http_client_scripted, a_gzip_bomb_is_stopped_at_max_body) {
  // 64 MiB of zeros, gzip-compressed to about 64 kB.
  auto z = http::compressor::make(http::content_coding::gzip, 9);
  std::string gz;
  const std::string zeros(1 << 20, '\0');
  for (int i = 0; i < 64; ++i)
    ASSERT_TRUE(z->write(zeros, gz, i == 63));
  test::scripted_server srv(answer_once(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) +
      "\r\n\r\n" + gz));
  make_client({.max_body = 1 << 20});
  expect_error(test::fetch(*client, srv.url()), client_error::body_too_large);
}

TEST_F(http_client_scripted, an_unknown_content_coding_is_a_decode_failure) {
  test::scripted_server srv(
      answer_once("HTTP/1.1 200 OK\r\nContent-Encoding: compress\r\nContent-Length: 3\r\n\r\nabc"));
  make_client();
  expect_error(test::fetch(*client, srv.url()), client_error::decode_failed);
}

}  // namespace
