// lwspp-test-labels: threads
// The HTTP client over HTTP/2 end to end on loopback: against lwspp's own
// server (h2c by prior knowledge, and TLS with ALPN choosing h2 or
// http/1.1), many requests multiplexed on one connection (counted on the
// server), bodies both ways past the 64 KiB default windows, streamed
// delivery paused and resumed; and against scripted h2 servers written
// with the project's frame writer and HPACK encoder, which send exactly
// the frames a case needs (RST_STREAM, GOAWAY, a small stream limit, a
// small window, PING, protocol errors, malformed heads). nghttpd, nginx
// and h2o are the peers of tests/interop/h2_client.sh.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "h2/frame_error.hpp"
#include "h2/frame_reader.hpp"
#include "h2/frame_sink.hpp"
#include "h2/frame_writer.hpp"
#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"
#include "h2/settings.hpp"
#include "http_client_peer.hpp"
#include "lwspp/http_server.hpp"
#include "lwspp/tls.hpp"

namespace {

using namespace std::chrono_literals;
namespace http = lwspp::http;
namespace h2 = lwspp::h2;

std::string big(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 9)) & 0xff);
  return s;
}

// --- against lwspp's server -----------------------------------------------------

class h2_client : public ::testing::Test {
 protected:
  void SetUp() override {
    payload = big(1 << 20, 3);
    app.get("/hello", [](http::request& req, http::response& res) {
      res.header("x-version", std::to_string(req.version())).send("Hello, h2!");
    });
    app.get("/big", [this](http::request&, http::response& res) { res.send(payload); });
    app.post("/echo", [](http::request& req, http::response& res) {
      res.send(std::string(req.header("content-length")) + "|" + std::string(req.body()));
    });
    http::handler upload{
        .on_request = [](http::request&, http::response&) {},
        .on_body = [this](http::request&, http::response&,
                          std::string_view piece) { uploaded += piece.size(); },
        .on_body_end = [this](http::request&,
                              http::response& res) { res.send(std::to_string(uploaded.load())); },
        .max_body = 64 * 1024 * 1024,
    };
    app.route(http::method::put, "/upload", std::move(upload));
    // For the per-stream deadlines: no answer at all; a head and a piece,
    // then nothing; pieces every 100 ms (slow but never stalled).
    app.get("/never",
            [this](http::request&, http::response& res) { res.on_abort([this] { ++aborted; }); });
    app.get("/stall", [this](http::request&, http::response& res) {
      res.on_abort([this] { ++aborted; });
      res.write("a piece, then nothing");
    });
    app.get("/drip", [this](http::request&, http::response& res) {
      std::lock_guard lock(drips_mutex);
      drips.emplace_back([h = res.handle()] {
        for (int i = 0; i < 8; ++i) {
          std::this_thread::sleep_for(100ms);
          h.write(std::to_string(i));
        }
        h.end();
      });
    });
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    plain = *vh;
    char dir_template[] = "/tmp/lwspp-h2-client.XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir = dir_template;
    ASSERT_TRUE(lwspp::tls::make_self_signed(dir + "/c.pem", dir + "/k.pem"));
    auto tv = app.listen(
        ctx, {.listen = "127.0.0.1:0",
              .tls = lwspp::tls_server_options{
                  .certificates = {{.cert_file = dir + "/c.pem", .key_file = dir + "/k.pem"}}}});
    ASSERT_TRUE(tv) << tv.error().message();
    secure = *tv;
    run = std::make_unique<test::runner>(ctx);
  }
  void TearDown() override {
    client.reset();
    for (std::thread& t : drips)
      t.join();
    run.reset();
    ::unlink((dir + "/c.pem").c_str());
    ::unlink((dir + "/k.pem").c_str());
    ::rmdir(dir.c_str());
  }
  void make_client(http::http2_mode mode) {
    http::client_options o;
    o.http2 = mode;
    o.connect.tls = lwspp::tls_client_options{.ca_file = dir + "/c.pem"};
    client = std::make_unique<http::client>(ctx, std::move(o));
  }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(plain->bound_address().port()) + std::string(path);
  }
  std::string surl(std::string_view path) const {
    return "https://localhost:" + std::to_string(secure->bound_address().port()) +
           std::string(path);
  }

  lwspp::context ctx;
  http::server app;
  lwspp::vhost* plain = nullptr;
  lwspp::vhost* secure = nullptr;
  std::string dir, payload;
  std::atomic<std::uint64_t> uploaded{0};
  std::atomic<int> aborted{0};
  std::mutex drips_mutex;
  std::vector<std::thread> drips;
  std::unique_ptr<test::runner> run;
  std::unique_ptr<http::client> client;
};

TEST_F(h2_client, prior_knowledge_speaks_h2c) {
  make_client(http::http2_mode::prior_knowledge);
  auto r = test::fetch(*client, url("/hello"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, 20);
  EXPECT_EQ(r->body, "Hello, h2!");
  EXPECT_EQ(r->header("X-Version"), "20");
  EXPECT_EQ(r->header("content-length"), "10");
}

TEST_F(h2_client, cleartext_without_prior_knowledge_stays_http11) {
  make_client(http::http2_mode::negotiate);
  auto r = test::fetch(*client, url("/hello"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->version, 11);
  EXPECT_EQ(r->header("x-version"), "11");
}

TEST_F(h2_client, tls_alpn_picks_h2_or_http11) {
  make_client(http::http2_mode::negotiate);
  auto r = test::fetch(*client, surl("/hello"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->version, 20);
  EXPECT_EQ(r->header("x-version"), "20");
  EXPECT_EQ(r->body, "Hello, h2!");
  make_client(http::http2_mode::off);
  auto r1 = test::fetch(*client, surl("/hello"));
  ASSERT_TRUE(r1) << r1.error().message();
  EXPECT_EQ(r1->version, 11);
}

TEST_F(h2_client, many_requests_share_one_connection) {
  for (const bool tls : {false, true}) {
    make_client(http::http2_mode::prior_knowledge);
    const std::uint64_t before = (tls ? secure : plain)->accepted_total();
    constexpr int n = 150;  // past the server's 100 concurrent streams: some wait
    std::vector<std::shared_ptr<std::promise<lwspp::result<http::client_response>>>> ps;
    for (int i = 0; i < n; ++i) {
      auto p = std::make_shared<std::promise<lwspp::result<http::client_response>>>();
      ps.push_back(p);
      client->get(tls ? surl("/hello") : url("/hello"),
                  [p](lwspp::result<http::client_response> r) { p->set_value(std::move(r)); });
    }
    for (auto& p : ps) {
      auto f = p->get_future();
      ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
      auto r = f.get();
      ASSERT_TRUE(r) << r.error().message();
      EXPECT_EQ(r->version, 20);
      EXPECT_EQ(r->body, "Hello, h2!");
    }
    EXPECT_EQ((tls ? secure : plain)->accepted_total() - before, 1u);
    EXPECT_EQ(client->stats().connections, 1u);
    EXPECT_EQ(client->stats().requests, static_cast<std::uint64_t>(n));
  }
}

TEST_F(h2_client, bodies_past_the_windows_both_ways) {
  make_client(http::http2_mode::prior_knowledge);
  const std::string body = big(300000, 9);
  auto r = test::fetch(*client,
                       http::client_request{.method = "POST", .url = url("/echo"), .body = body});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->body == "300000|" + body);
  auto big_r = test::fetch(*client, url("/big"));
  ASSERT_TRUE(big_r) << big_r.error().message();
  EXPECT_TRUE(big_r->body == payload);
  // A streamed upload of 5 MiB with and without a length.
  for (const bool with_length : {true, false}) {
    uploaded = 0;
    auto sent = std::make_shared<std::size_t>(0);
    http::client_request req{.method = "PUT", .url = url("/upload")};
    req.source = [sent](http::body_sink& sink) {
      static const std::string piece(16384, 'u');
      while (*sent < 5u * 1024 * 1024) {
        const lwspp::send_result w = sink.write(piece);
        if (!w) return http::source_status::done;
        *sent += piece.size();
        if (w.backpressure) return http::source_status::more;
      }
      return http::source_status::done;
    };
    if (with_length) req.content_length = 5u * 1024 * 1024;
    auto u = test::fetch(*client, std::move(req));
    ASSERT_TRUE(u) << u.error().message();
    EXPECT_EQ(u->body, std::to_string(5u * 1024 * 1024));
  }
  EXPECT_EQ(client->stats().connections, 1u);
}

TEST_F(h2_client, paused_delivery_stops_the_stream_only) {
  make_client(http::http2_mode::prior_knowledge);
  std::promise<void> done;
  std::string got;
  lwspp::error_info failure;
  std::atomic<bool> paused{false};
  auto handle = std::make_shared<http::request_handle>();
  http::response_handlers h;
  h.on_body = [&, handle](std::string_view piece) {
    EXPECT_FALSE(paused.load());
    got += piece;
    if (got.size() > 100000 && got.size() < 400000 && !paused) {
      paused = true;
      handle->pause();
      std::thread([&, handle] {
        // While one stream is paused, others on the connection go on.
        auto r = test::fetch(*client, url("/hello"));
        EXPECT_TRUE(r && r->body == "Hello, h2!");
        std::this_thread::sleep_for(100ms);
        paused = false;
        handle->resume();
      }).detach();
    }
  };
  h.on_complete = [&](const http::client_response&, const lwspp::error_info& why) {
    failure = why;
    done.set_value();
  };
  ctx.get_loop().post([this, handle, h = std::move(h)]() mutable {
    *handle = client->request(http::client_request{.url = url("/big")}, std::move(h));
  });
  ASSERT_EQ(done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_FALSE(failure.code) << failure.message();
  EXPECT_TRUE(got == payload);
  EXPECT_EQ(client->stats().connections, 1u);
}

// Deadlines are per stream (as HTTP/1.1 has them per request): the stream
// that gets no answer fails with first_byte_timeout, the one that stalls
// after a piece with read_timeout, each reset (the server hears of it); a
// slow stream that keeps coming, and requests made meanwhile and after, go
// on on the same connection.
TEST_F(h2_client, a_late_stream_is_reset_alone_with_the_codes_of_http11) {
  http::client_options o;
  o.http2 = http::http2_mode::prior_knowledge;
  o.first_byte_timeout = 400ms;
  o.read_timeout = 400ms;
  client = std::make_unique<http::client>(ctx, std::move(o));
  auto start = [this](std::string path) {
    return std::async(std::launch::async,
                      [this, p = std::move(path)] { return test::fetch(*client, url(p)); });
  };
  ASSERT_TRUE(test::fetch(*client, url("/hello")));  // the connection is up: one for all
  const auto t0 = std::chrono::steady_clock::now();
  auto never = start("/never");
  auto stall = start("/stall");
  auto drip = start("/drip");
  for (int i = 0; i < 5; ++i) {
    auto r = test::fetch(*client, url("/hello"));
    EXPECT_TRUE(r && r->body == "Hello, h2!");
    std::this_thread::sleep_for(100ms);
  }
  auto n = never.get();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, http::client_error::first_byte_timeout) << n.error().message();
  EXPECT_NE(n.error().message().find("no response within 400 ms"), std::string::npos);
  auto s = stall.get();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, http::client_error::read_timeout) << s.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  auto d = drip.get();
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->body, "01234567");
  auto after = test::fetch(*client, url("/hello"));
  EXPECT_TRUE(after && after->body == "Hello, h2!");
  EXPECT_EQ(client->stats().connections, 1u);
  // RST_STREAM CANCEL reached the server: both exchanges were aborted there.
  for (int i = 0; i < 50 && aborted.load() < 2; ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(aborted.load(), 2);
}

// --- scripted h2 servers ------------------------------------------------------------

// What a scripted server reads from the client: frames as plain records.
struct frame_rec {
  h2::frame_type type;
  std::uint32_t stream = 0;
  bool end_stream = false;
  bool ack = false;
  std::string payload;      // DATA bytes, a PING's opaque data, a header block
  std::uint32_t value = 0;  // WINDOW_UPDATE increment, RST_STREAM/GOAWAY code
};

struct recorder {
  std::vector<frame_rec> got;
  void on_data(const h2::data_piece& d) {
    if (d.first)
      got.push_back({h2::frame_type::data, d.stream_id, false, false, {}, d.frame_length});
    got.back().payload += d.data;
    if (d.last) got.back().end_stream = d.end_stream;
  }
  void on_headers(const h2::header_block& h) {
    got.push_back(
        {h2::frame_type::headers, h.stream_id, h.end_stream, false, std::string(h.block)});
  }
  void on_push_promise(const h2::push_promise_block&) {}
  void on_priority(const h2::priority_frame&) {}
  void on_rst_stream(const h2::rst_stream_frame& f) {
    got.push_back({h2::frame_type::rst_stream, f.stream_id, false, false, {}, f.error_code});
  }
  void on_settings(const h2::settings_frame& f) {
    got.push_back({h2::frame_type::settings, 0, false, f.ack, std::string(f.entries)});
  }
  void on_ping(const h2::ping_frame& f) {
    got.push_back({h2::frame_type::ping, 0, false, f.ack, std::string(f.opaque)});
  }
  void on_goaway(const h2::goaway_frame& f) {
    got.push_back({h2::frame_type::goaway, f.last_stream_id, false, false, std::string(f.debug),
                   f.error_code});
  }
  void on_window_update(const h2::window_update_frame& f) {
    got.push_back({h2::frame_type::window_update, f.stream_id, false, false, {}, f.increment});
  }
  void on_unknown(const h2::unknown_frame&) {}
  void on_stream_error(const h2::frame_error&) {}
  void on_connection_error(const h2::frame_error&) {}
};

// One connection of a scripted h2 server: reads the client's frames, and
// writes frames made with the project's writer and encoder.
class h2_peer {
 public:
  explicit h2_peer(int fd) : fd_(fd), reader_({.preface = h2::preface_mode::magic_and_settings}) {}

  // Reads until a frame matching pred arrives (true), or the client closes
  // or 10 s pass (false). Frames before it are kept in seen().
  bool wait_for(const std::function<bool(const frame_rec&)>& pred,
                std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      while (next_ < rec_.got.size())
        if (pred(rec_.got[next_++])) return true;
      if (std::chrono::steady_clock::now() > end) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return false;
      h2::read_frames(reader_, std::span<const char>(buf, static_cast<std::size_t>(n)), rec_);
    }
  }
  bool wait_type(h2::frame_type t) {
    return wait_for([t](const frame_rec& f) { return f.type == t; });
  }
  // The next request's HEADERS (client stream ids rise); its stream id, 0
  // when none came.
  std::uint32_t next_request() {
    std::uint32_t id = 0;
    auto find = [&] {
      for (const frame_rec& f : rec_.got)
        if (f.type == h2::frame_type::headers && f.stream > taken_) {
          id = f.stream;
          return true;
        }
      return false;
    };
    if (!find()) wait_for([&](const frame_rec&) { return find(); });
    if (id) taken_ = id;
    return id;
  }
  const frame_rec* headers_of(std::uint32_t id) const {
    for (const frame_rec& f : rec_.got)
      if (f.type == h2::frame_type::headers && f.stream == id) return &f;
    return nullptr;
  }
  const std::vector<frame_rec>& seen() const { return rec_.got; }

  void settings(const h2::settings& s) {
    send([&](std::string& o) { h2::append_settings(o, s); });
  }
  void ack() {
    send([](std::string& o) { h2::append_settings_ack(o); });
  }
  void respond(std::uint32_t id, std::vector<h2::hpack::header_field> fields, std::string body,
               bool end = true) {
    std::string block;
    enc_.encode(fields, block);
    send([&](std::string& o) {
      h2::append_headers(o, id, block, {.end_stream = body.empty() && end});
      if (!body.empty()) h2::append_data(o, id, body, end);
    });
  }
  void ok(std::uint32_t id, const std::string& body) {
    const std::string length = std::to_string(body.size());
    respond(id, {{":status", "200"}, {"content-length", length}}, body);
  }
  void send(const std::function<void(std::string&)>& make) {
    std::string out;
    make(out);
    test::write_all(fd_, out);
  }

 private:
  int fd_;
  h2::frame_reader reader_;
  h2::hpack::encoder enc_;
  recorder rec_;
  std::size_t next_ = 0;
  std::uint32_t taken_ = 0;
};

class h2_client_scripted : public ::testing::Test {
 protected:
  void SetUp() override {
    run = std::make_unique<test::runner>(ctx);
    http::client_options o;
    o.http2 = http::http2_mode::prior_knowledge;
    o.first_byte_timeout = 5s;
    client = std::make_unique<http::client>(ctx, std::move(o));
  }
  void TearDown() override {
    client.reset();
    run.reset();
  }
  using promise_t = std::promise<lwspp::result<http::client_response>>;
  std::future<lwspp::result<http::client_response>> get(const std::string& u) {
    auto p = std::make_shared<promise_t>();
    auto f = p->get_future();
    client->get(u, [p](lwspp::result<http::client_response> r) { p->set_value(std::move(r)); });
    return f;
  }
  static lwspp::result<http::client_response> wait(
      std::future<lwspp::result<http::client_response>>& f) {
    if (f.wait_for(20s) != std::future_status::ready)
      return lwspp::error_info(lwspp::error::io_error, "the test timed out waiting");
    return f.get();
  }
  lwspp::context ctx;
  std::unique_ptr<test::runner> run;
  std::unique_ptr<http::client> client;
};

TEST_F(h2_client_scripted, the_request_head_is_lower_case_hpack_without_connection_fields) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> fields;
  test::scripted_server srv([&](int fd, int) {
    h2_peer p(fd);
    p.settings({});
    const std::uint32_t id = p.next_request();
    h2::hpack::decoder dec(h2::hpack::decoder_settings{});
    h2::hpack::header_list list;
    const frame_rec* h = p.headers_of(id);
    ASSERT_TRUE(h && dec.decode(h->payload, list).ok());
    {
      std::lock_guard lock(mu);
      for (const auto f : list)
        fields.emplace_back(f.name, f.value);
    }
    p.ok(id, "ok");
    p.wait_type(h2::frame_type::goaway);
  });
  http::client_request req{
      .url = srv.url("/p?q=1"),
      .headers = {{"X-Mixed-Case", "Value"}, {"Keep-Alive", "5"}, {"TE", "gzip"}}};
  auto r = test::fetch(*client, std::move(req));
  ASSERT_TRUE(r) << r.error().message();
  std::lock_guard lock(mu);
  ASSERT_GE(fields.size(), 4u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{":method", "GET"}));
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{":scheme", "http"}));
  EXPECT_EQ(fields[2].first, ":authority");
  EXPECT_EQ(fields[3], (std::pair<std::string, std::string>{":path", "/p?q=1"}));
  bool mixed = false;
  for (const auto& [n, v] : fields) {
    EXPECT_NE(n, "keep-alive");
    EXPECT_NE(n, "te");
    EXPECT_NE(n, "host");
    for (const char c : n)
      EXPECT_FALSE(c >= 'A' && c <= 'Z') << n;
    if (n == "x-mixed-case") mixed = v == "Value";
  }
  EXPECT_TRUE(mixed);
}

TEST_F(h2_client_scripted, rst_stream_fails_that_request_only) {
  test::scripted_server srv([](int fd, int) {
    h2_peer p(fd);
    p.settings({});
    const std::uint32_t a = p.next_request();
    const std::uint32_t b = p.next_request();
    p.send([&](std::string& o) { h2::append_rst_stream(o, a, h2::error::internal_error); });
    p.ok(b, "second");
    p.wait_type(h2::frame_type::goaway);
  });
  auto f1 = get(srv.url("/a"));
  auto f2 = get(srv.url("/b"));
  auto r1 = wait(f1);
  auto r2 = wait(f2);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, h2::make_error_code(h2::error::internal_error));
  EXPECT_NE(r1.error().message().find("reset"), std::string::npos) << r1.error().message();
  ASSERT_TRUE(r2) << r2.error().message();
  EXPECT_EQ(r2->body, "second");
  EXPECT_EQ(srv.accepted(), 1);
}

// REFUSED_STREAM (RFC 9113 §8.7): the server did not process it, so the
// request goes again (once), here on the same connection.
TEST_F(h2_client_scripted, a_refused_stream_is_sent_again) {
  test::scripted_server srv([](int fd, int) {
    h2_peer p(fd);
    p.settings({});
    const std::uint32_t a = p.next_request();
    p.send([&](std::string& o) { h2::append_rst_stream(o, a, h2::error::refused_stream); });
    const std::uint32_t again = p.next_request();
    p.ok(again, "answered the second time");
    p.wait_type(h2::frame_type::goaway);
  });
  auto f = get(srv.url("/a"));
  auto r = wait(f);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "answered the second time");
  EXPECT_EQ(srv.accepted(), 1);
}

TEST_F(h2_client_scripted, goaway_refuses_later_streams_which_go_again_elsewhere) {
  test::scripted_server srv([](int fd, int n) {
    h2_peer p(fd);
    p.settings({});
    if (n == 0) {
      const std::uint32_t a = p.next_request();
      p.next_request();
      p.send([&](std::string& o) { h2::append_goaway(o, a, h2::error::no_error, "bye"); });
      p.ok(a, "first");
      p.wait_type(h2::frame_type::goaway);  // never: the client just closes
    } else {
      p.ok(p.next_request(), "again");
      p.wait_type(h2::frame_type::goaway);
    }
  });
  auto f1 = get(srv.url("/a"));
  auto f2 = get(srv.url("/b"));
  auto r1 = wait(f1);
  auto r2 = wait(f2);
  ASSERT_TRUE(r1) << r1.error().message();
  EXPECT_EQ(r1->body, "first");
  ASSERT_TRUE(r2) << r2.error().message();
  EXPECT_EQ(r2->body, "again");
  EXPECT_EQ(srv.accepted(), 2);
}

TEST_F(h2_client_scripted, the_servers_stream_limit_makes_requests_wait) {
  std::atomic<int> overlap{0};
  test::scripted_server srv([&](int fd, int) {
    h2_peer p(fd);
    h2::settings s;
    s.max_concurrent_streams = 2;
    p.settings(s);
    p.ok(p.next_request(), "warm");  // the others come after the SETTINGS were applied
    for (int i = 0; i < 6; i += 2) {
      const std::uint32_t a = p.next_request();
      const std::uint32_t b = p.next_request();
      // A third HEADERS before these end would break the limit.
      std::this_thread::sleep_for(50ms);
      for (const auto& f : p.seen())
        if (f.type == h2::frame_type::headers && f.stream > b) ++overlap;
      p.ok(a, "x");
      p.ok(b, "y");
    }
    p.wait_type(h2::frame_type::goaway);
  });
  auto warm = test::fetch(*client, srv.url("/warm"));
  ASSERT_TRUE(warm) << warm.error().message();
  std::vector<std::future<lwspp::result<http::client_response>>> fs;
  for (int i = 0; i < 6; ++i)
    fs.push_back(get(srv.url("/")));
  for (auto& f : fs) {
    auto r = wait(f);
    ASSERT_TRUE(r) << r.error().message();
  }
  EXPECT_EQ(overlap.load(), 0);
  EXPECT_EQ(srv.accepted(), 1);
}

TEST_F(h2_client_scripted, a_small_window_is_respected_and_ping_settings_answered) {
  std::atomic<bool> ok_window{false}, pinged{false}, acked{false};
  test::scripted_server srv([&](int fd, int) {
    h2_peer p(fd);
    h2::settings s;
    s.initial_window_size = 1000;
    p.settings(s);
    acked =
        p.wait_for([](const frame_rec& f) { return f.type == h2::frame_type::settings && f.ack; });
    p.send([](std::string& o) { h2::append_ping(o, "12345678"); });
    pinged = p.wait_for([](const frame_rec& f) {
      return f.type == h2::frame_type::ping && f.ack && f.payload == "12345678";
    });
    p.ok(p.next_request(), "warm");  // the POST comes after the SETTINGS were applied
    const std::uint32_t id = p.next_request();
    // The stream's window is 1000 bytes: that much comes, then nothing.
    auto data_total = [&] {
      std::size_t t = 0;
      for (const auto& f : p.seen())
        if (f.type == h2::frame_type::data) t += f.payload.size();
      return t;
    };
    p.wait_for([&](const frame_rec&) { return data_total() >= 1000; });
    p.wait_for([](const frame_rec&) { return false; }, 300ms);
    ok_window = data_total() == 1000;
    // More credit: the rest arrives.
    p.send([&](std::string& o) {
      h2::append_window_update(o, id, 200000);
      h2::append_window_update(o, 0, 200000);
    });
    bool end = false;
    while (!end && p.wait_type(h2::frame_type::data))
      end = p.seen().back().end_stream;
    p.ok(id, std::to_string(data_total()));
    p.wait_type(h2::frame_type::goaway);
  });
  auto warm = test::fetch(*client, srv.url("/warm"));
  ASSERT_TRUE(warm) << warm.error().message();
  auto r = test::fetch(
      *client, http::client_request{.method = "POST", .url = srv.url("/"), .body = big(100000, 1)});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "100000");
  EXPECT_TRUE(acked.load());
  EXPECT_TRUE(pinged.load());
  EXPECT_TRUE(ok_window.load());
}

TEST_F(h2_client_scripted, protocol_errors_fail_with_a_clear_reason) {
  struct bad_case {
    const char* name;
    std::function<void(h2_peer&, std::uint32_t)> send;
    std::error_code code;
  };
  const std::vector<bad_case> cases = {
      {"DATA on stream 0",
       [](h2_peer& p, std::uint32_t) {
         p.send([](std::string& o) {
           h2::append_frame(o, {4, h2::frame_type::data, 0, 0}, "abcd");
         });
       },
       h2::make_error_code(h2::error::protocol_error)},
      {"HPACK garbage",
       [](h2_peer& p, std::uint32_t id) {
         p.send([&](std::string& o) { h2::append_headers(o, id, "\xff\xff\xff\xff", {}); });
       },
       h2::make_error_code(h2::error::compression_error)},
      {"no :status",
       [](h2_peer& p, std::uint32_t id) {
         p.respond(id, {{"server", "x"}}, "", true);
       },
       http::make_error_code(http::client_error::bad_response)},
      {"upper-case name",
       [](h2_peer& p, std::uint32_t id) {
         p.respond(id, {{":status", "200"}, {"Server", "x"}}, "");
       },
       http::make_error_code(http::client_error::bad_response)},
      {"content-length mismatch",
       [](h2_peer& p, std::uint32_t id) {
         p.respond(id, {{":status", "200"}, {"content-length", "10"}}, "abc");
       },
       http::make_error_code(http::client_error::bad_response)},
      {"HEADERS on a stream never opened",
       [](h2_peer& p, std::uint32_t) {
         p.respond(99, {{":status", "200"}}, "");
       },
       h2::make_error_code(h2::error::protocol_error)},
      {"a frame over SETTINGS_MAX_FRAME_SIZE",
       [](h2_peer& p, std::uint32_t id) {
         p.respond(id, {{":status", "200"}}, "", false);
         p.send([&](std::string& o) {
           h2::append_frame(o, {20000, h2::frame_type::data, 0, id}, std::string(20000, 'z'));
         });
       },
       h2::make_error_code(h2::error::frame_size_error)},
  };
  for (const bad_case& c : cases) {
    SCOPED_TRACE(c.name);
    test::scripted_server srv([&](int fd, int) {
      h2_peer p(fd);
      h2::settings s;
      p.settings(s);
      const std::uint32_t id = p.next_request();
      c.send(p, id);
      p.wait_type(h2::frame_type::goaway);
    });
    auto r = test::fetch(*client, srv.url("/"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.code) << r.error().message();
    EXPECT_FALSE(r.error().message().empty());
  }
}

// A paused response gives no credit back: a server that sends past the
// stream's window (1 MiB) is caught, and no WINDOW_UPDATE went out for it.
TEST_F(h2_client_scripted, a_paused_stream_gives_no_credit) {
  std::atomic<int> updates{-1};
  test::scripted_server srv([&](int fd, int) {
    h2_peer p(fd);
    p.settings({});
    const std::uint32_t id = p.next_request();
    p.respond(id, {{":status", "200"}}, "", false);
    std::this_thread::sleep_for(100ms);  // the client pauses on the head
    p.send([&](std::string& o) {
      const std::string chunk(16384, 'z');
      for (int i = 0; i < 66; ++i)  // 1056 KiB: past the 1 MiB window
        h2::append_data(o, id, chunk, false);
    });
    p.wait_type(h2::frame_type::rst_stream);
    int n = 0;
    for (const auto& f : p.seen())
      if (f.type == h2::frame_type::window_update && f.stream == id) ++n;
    updates = n;
    p.wait_type(h2::frame_type::goaway);
  });
  std::promise<lwspp::error_info> done;
  std::atomic<std::size_t> got{0};
  auto handle = std::make_shared<http::request_handle>();
  http::response_handlers h;
  h.on_headers = [handle](const http::client_response&) { handle->pause(); };
  h.on_body = [&](std::string_view piece) { got += piece.size(); };
  h.on_complete = [&](const http::client_response&, const lwspp::error_info& why) {
    done.set_value(why);
  };
  ctx.get_loop().post([&, handle, h = std::move(h)]() mutable {
    *handle = client->request(http::client_request{.url = srv.url("/")}, std::move(h));
  });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
  const lwspp::error_info why = f.get();
  EXPECT_EQ(why.code, h2::make_error_code(h2::error::flow_control_error)) << why.message();
  EXPECT_EQ(got.load(), 0u);
  ASSERT_TRUE(test::wait_until([&] { return updates.load() >= 0; }));
  EXPECT_EQ(updates.load(), 0);
}

}  // namespace
