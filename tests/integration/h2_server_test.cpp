// The HTTP/2 server end to end over loopback, with a blocking socket and the
// project's own frame and HPACK codecs as the client, for the cases no
// ready-made client sends on purpose: what a handler sees of an h2 request,
// trailers, content-length mismatches, frames on closed and idle streams,
// window overflow, malformed heads and limits. (curl, nghttp and
// python3-h2 are the peers of tests/interop/h2_server.sh.)
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "h2/frame_reader.hpp"
#include "h2/frame_sink.hpp"
#include "h2/frame_writer.hpp"
#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"
#include "lwspp/http_server.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using lwspp::h2::error;
namespace h2 = lwspp::h2;

// What the client saw, frame by frame.
struct seen {
  std::map<std::uint32_t, int> status;  // by stream
  std::map<std::uint32_t, std::string> body;
  std::map<std::uint32_t, std::string> head;      // the response's fields: "name=value;" each
  std::map<std::uint32_t, std::string> trailers;  // a second HEADERS: "name=value;" each
  std::map<std::uint32_t, bool> ended;
  std::vector<std::uint32_t> data_order;         // the stream of each DATA frame, as they came
  std::vector<std::uint32_t> end_order;          // streams as their DATA ended them
  std::map<std::uint32_t, std::uint32_t> reset;  // RST_STREAM codes
  bool goaway = false;
  std::uint32_t goaway_code = 0;
  std::uint32_t goaway_last = 0;
  bool closed = false;
};

class client {
 public:
  explicit client(std::uint16_t port, h2::settings ours = {}) : fd_(test::dial(port)) {
    std::string out(h2::client_preface);
    h2::append_settings(out, ours);
    send(out);
  }
  ~client() {
    if (fd_ >= 0) ::close(fd_);
  }
  void send(std::string_view bytes) { ASSERT_TRUE(test::write_all(fd_, bytes)); }

  void request(std::uint32_t id, std::vector<h2::hpack::header_field> fields, bool end) {
    send(request_bytes(id, fields, end));
  }
  std::string request_bytes(std::uint32_t id, std::vector<h2::hpack::header_field> fields,
                            bool end) {
    std::string block, out;
    enc_.encode(fields, block);
    h2::append_headers(out, id, block, {.end_stream = end});
    return out;
  }
  void get(std::uint32_t id, std::string_view path,
           std::vector<h2::hpack::header_field> more = {}) {
    std::vector<h2::hpack::header_field> f = {
        {":method", "GET"}, {":scheme", "http"}, {":authority", "example.test"}, {":path", path}};
    f.insert(f.end(), more.begin(), more.end());
    request(id, f, true);
  }
  void data(std::uint32_t id, std::string_view d, bool end) {
    std::string out;
    h2::append_data(out, id, d, end);
    send(out);
  }

  // Reads until pred() holds or 5 s pass.
  bool until(const std::function<bool(const seen&)>& pred) {
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (!pred(s)) {
      if (s.closed || std::chrono::steady_clock::now() > end) return pred(s);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        s.closed = true;
        continue;
      }
      h2::read_frames(reader_, std::span<const char>(buf, static_cast<std::size_t>(n)), *this);
    }
    return true;
  }
  bool response_done(std::uint32_t id) {
    return until([id](const seen& x) { return x.ended.count(id) || x.reset.count(id); });
  }

  // frame_sink
  void on_data(const h2::data_piece& d) {
    s.body[d.stream_id] += d.data;
    if (d.first) s.data_order.push_back(d.stream_id);
    if (d.end_stream) {
      s.ended[d.stream_id] = true;
      s.end_order.push_back(d.stream_id);
    }
    if (d.first && d.frame_length && credit) {
      std::string out;
      h2::append_window_update(out, 0, d.frame_length);
      h2::append_window_update(out, d.stream_id, d.frame_length);
      send(out);
    }
  }
  void on_headers(const h2::header_block& h) {
    h2::hpack::header_list l;
    ASSERT_TRUE(dec_.decode(h.block, l).ok());
    const bool trailers = s.status.count(h.stream_id) > 0;
    for (const auto f : l) {
      if (f.name == ":status") s.status[h.stream_id] = std::stoi(std::string(f.value));
      if (!trailers && f.name != "date")
        s.head[h.stream_id] += std::string(f.name) + "=" + std::string(f.value) + ";";
      if (trailers)
        s.trailers[h.stream_id] += std::string(f.name) + "=" + std::string(f.value) + ";";
    }
    if (trailers && !h.end_stream) s.trailers[h.stream_id] += "(no END_STREAM)";
    if (h.end_stream) s.ended[h.stream_id] = true;
  }
  void on_push_promise(const h2::push_promise_block&) {}
  void on_priority(const h2::priority_frame&) {}
  void on_rst_stream(const h2::rst_stream_frame& f) { s.reset[f.stream_id] = f.error_code; }
  void on_settings(const h2::settings_frame& f) {
    if (f.ack || !ack_settings) return;
    std::string out;
    h2::append_settings_ack(out);
    send(out);
  }
  void on_ping(const h2::ping_frame&) {}
  void on_goaway(const h2::goaway_frame& f) {
    s.goaway = true;
    s.goaway_code = f.error_code;
    s.goaway_last = f.last_stream_id;
  }
  void on_window_update(const h2::window_update_frame&) {}
  void on_unknown(const h2::unknown_frame&) {}
  void on_stream_error(const h2::frame_error&) {}
  void on_connection_error(const h2::frame_error&) { s.closed = true; }

  seen s;
  bool ack_settings = true;  // false: the server's SETTINGS stay unacknowledged
  bool credit = true;        // false: no WINDOW_UPDATE for response bodies

 private:
  int fd_;
  h2::frame_reader reader_{{.preface = h2::preface_mode::settings}};
  h2::hpack::encoder enc_;
  h2::hpack::decoder dec_;
};

void add_routes(lwspp::http::server& app) {
  using lwspp::http::request;
  using lwspp::http::response;
  app.get("/hello", [](request&, response& res) { res.send("Hello, world!"); });
  app.get("/show", [](request& req, response& res) {
    res.send(std::to_string(req.version()) + "|" + std::string(req.host()) + "|" +
             std::string(req.header("host")) + "|" + std::string(req.path()) + "|" +
             req.query_param("a") + "|" + std::string(req.header("cookie")));
  });
  app.post("/echo", [](request& req, response& res) { res.send(req.body()); });
  app.route(
      lwspp::http::method::post, "/small",
      {.on_request = [](request& req, response& res) { res.send(req.body()); }, .max_body = 10});
  app.get("/big", [](request&, response& res) { res.send(std::string(200000, 'b')); });
  app.get("/trailers", [](request& req, response& res) {
    const std::string how = req.query_param("how");
    res.trailer("x-sum", "42");
    res.trailer("content-type", "refused/as-a-trailer");  // RFC 9110 §6.5.1
    if (how == "whole") return res.send("whole body");
    if (how == "empty") return res.end();
    res.write("streamed ");
    res.write("body");
    res.end();
  });
}

class h2_server_base : public ::testing::Test {
 protected:
  explicit h2_server_base(lwspp::http::server_options o = {}) : app(std::move(o)) {}
  void SetUp() override {
    add_routes(app);
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run = std::make_unique<test::runner>(ctx);
  }
  void TearDown() override { run.reset(); }

  lwspp::context ctx{{.level = lwspp::log_level::error}};
  lwspp::http::server app;
  std::unique_ptr<test::runner> run;
  std::uint16_t port = 0;
};

class h2_server : public h2_server_base {};

TEST_F(h2_server, handler_sees_an_http_request) {
  client c(port);
  c.get(1, "/show?a=x%20y", {{"cookie", "a=1"}, {"cookie", "b=2"}});
  ASSERT_TRUE(c.response_done(1));
  EXPECT_EQ(c.s.status[1], 200);
  EXPECT_EQ(c.s.body[1], "20|example.test|example.test|/show|x y|a=1; b=2");
}

// Closed streams are recycled (with their buffers) and a response head like
// the last one is replayed from the encoder's memory: nothing of one
// request may show in the next, and every head must decode to its own
// status and fields.
TEST_F(h2_server, recycled_streams_and_replayed_heads_start_clean) {
  client c(port);
  c.request(1, {{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/echo"}},
            false);
  c.data(1, "first body", true);
  ASSERT_TRUE(c.response_done(1));
  EXPECT_EQ(c.s.body[1], "first body");
  c.get(3, "/show?a=1", {{"cookie", "a=1"}, {"cookie", "b=2"}});
  ASSERT_TRUE(c.response_done(3));
  EXPECT_EQ(c.s.body[3], "20|example.test|example.test|/show|1|a=1; b=2");
  c.get(5, "/show?a=2");
  ASSERT_TRUE(c.response_done(5));
  EXPECT_EQ(c.s.body[5], "20|example.test|example.test|/show|2|");
  c.request(7, {{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/echo"}},
            true);
  ASSERT_TRUE(c.response_done(7));
  EXPECT_EQ(c.s.status[7], 200);
  EXPECT_EQ(c.s.body[7], "");
  // More streams at once than are kept spare, with heads that differ
  // (200, 404, another length) between ones that repeat; trailers; and a
  // smaller HPACK table between two equal heads (the second must announce
  // it and cannot refer to what was in the table).
  std::map<std::uint32_t, std::string> path;
  std::uint32_t id = 9;
  auto burst = [&](int n) {
    for (int i = 0; i < n; ++i, id += 2) {
      path[id] = i % 5 == 3 ? "/nope" : i % 5 == 4 ? "/show" : "/hello";
      c.get(id, path[id]);
    }
    const std::uint32_t last = id - 2;
    return c.until([last](const seen& s) { return s.ended.count(last) > 0; });
  };
  ASSERT_TRUE(burst(31));
  // Trailers enter the table after their head: the next equal head must
  // be encoded against the table as it is now.
  for (int i = 0; i < 2; ++i, id += 2) {
    path[id] = "/trailers?how=whole";
    c.get(id, path[id]);
    ASSERT_TRUE(c.response_done(id));
  }
  EXPECT_EQ(c.s.head[id - 2], c.s.head[id - 4]);
  std::string smaller_table;
  h2::settings smaller;
  smaller.header_table_size = 0;
  h2::append_settings(smaller_table, smaller);
  c.send(smaller_table);
  ASSERT_TRUE(burst(30));
  const std::string hello_head = c.s.head[9];
  EXPECT_NE(hello_head.find("content-length=13;"), std::string::npos) << hello_head;
  for (const auto& [i, p] : path) {
    ASSERT_TRUE(c.s.ended.count(i)) << i;
    if (p == "/nope") {
      EXPECT_EQ(c.s.status[i], 404) << i;
    } else if (p == "/show") {
      EXPECT_EQ(c.s.body[i], "20|example.test|example.test|/show||") << i;
    } else if (p == "/hello") {
      EXPECT_EQ(c.s.status[i], 200) << i;
      EXPECT_EQ(c.s.body[i], "Hello, world!") << i;
      EXPECT_EQ(c.s.head[i], hello_head) << i;
    } else {
      EXPECT_EQ(c.s.trailers[i], "x-sum=42;") << i;
    }
  }
  EXPECT_TRUE(c.s.reset.empty());
  EXPECT_FALSE(c.s.goaway);
}

// RFC 9218 PRIORITY_UPDATE: on stream 0, the prioritized id, the value.
std::string priority_update(std::uint32_t id, std::string_view value) {
  std::string out;
  const auto len = static_cast<std::uint32_t>(4 + value.size());
  out += {static_cast<char>(len >> 16),
          static_cast<char>(len >> 8),
          static_cast<char>(len),
          '\x10',
          '\0',
          '\0',
          '\0',
          '\0',
          '\0'};
  out += {static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8),
          static_cast<char>(id)};
  out += value;
  return out;
}

std::vector<h2::hpack::header_field> big_request(std::string_view priority) {
  std::vector<h2::hpack::header_field> f = {
      {":method", "GET"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/big"}};
  if (!priority.empty()) f.push_back({"priority", priority});
  return f;
}

// GET /big on streams first and first + 2, with these priority fields, as
// bytes to send in one write (encoded in order: HPACK state).
std::string two_requests(client& c, std::string_view p1, std::string_view p2,
                         std::uint32_t first = 1) {
  std::string out = c.request_bytes(first, big_request(p1), true);
  out += c.request_bytes(first + 2, big_request(p2), true);
  return out;
}

// Two 200 kB responses asked for in one write: the more urgent one (RFC
// 9218) is sent first although it was asked for second.
TEST_F(h2_server, the_more_urgent_response_goes_first) {
  client c(port);
  c.send(two_requests(c, "u=5", "u=0"));
  ASSERT_TRUE(c.until([](const seen& s) { return s.end_order.size() == 2; }));
  EXPECT_EQ(c.s.end_order, (std::vector<std::uint32_t>{3, 1}));
  EXPECT_EQ(c.s.body[1].size(), 200000u);
  EXPECT_EQ(c.s.body[3].size(), 200000u);
}

// Equal urgency, not incremental (the default): one after the other, in
// stream order; incremental: they take turns.
TEST_F(h2_server, equal_urgency_is_sequential_unless_incremental) {
  client c(port);
  c.send(two_requests(c, "", ""));
  ASSERT_TRUE(c.until([](const seen& s) { return s.end_order.size() == 2; }));
  EXPECT_EQ(c.s.end_order, (std::vector<std::uint32_t>{1, 3}));
  client d(port);
  d.send(two_requests(d, "i", "i"));
  ASSERT_TRUE(d.until([](const seen& s) { return s.end_order.size() == 2; }));
  // Stream 3 had DATA before stream 1 ended.
  const auto first3 = std::find(d.s.data_order.begin(), d.s.data_order.end(), 3u);
  const auto last1 = std::find(d.s.data_order.rbegin(), d.s.data_order.rend(), 1u);
  ASSERT_NE(first3, d.s.data_order.end());
  EXPECT_LT(first3 - d.s.data_order.begin(), d.s.data_order.rend() - last1 - 1);
}

// A PRIORITY_UPDATE for a stream not yet open applies when it opens, over
// its priority field; one for an open stream changes it; malformed ones
// are connection errors.
TEST_F(h2_server, priority_update_frames) {
  client c(port);
  c.send(priority_update(3, "u=0") + two_requests(c, "", "u=7"));
  ASSERT_TRUE(c.until([](const seen& s) { return s.end_order.size() == 2; }));
  EXPECT_EQ(c.s.end_order, (std::vector<std::uint32_t>{3, 1}));
  c.send(two_requests(c, "", "", 5) + priority_update(7, "u=1"));
  ASSERT_TRUE(c.until([](const seen& s) { return s.end_order.size() == 4; }));
  EXPECT_EQ(c.s.end_order[2], 7u);
  EXPECT_FALSE(c.s.goaway);

  client on_stream(port);
  std::string bad = priority_update(1, "u=1");
  bad[8] = 1;  // the frame's own stream id: not 0
  on_stream.send(bad);
  ASSERT_TRUE(on_stream.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(on_stream.s.goaway_code, static_cast<std::uint32_t>(error::protocol_error));
  client for_zero(port);
  for_zero.send(priority_update(0, "u=1"));
  ASSERT_TRUE(for_zero.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(for_zero.s.goaway_code, static_cast<std::uint32_t>(error::protocol_error));
  client short_frame(port);
  short_frame.send(std::string("\0\0\3\x10\0\0\0\0\0\0\0\1", 12));
  ASSERT_TRUE(short_frame.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(short_frame.s.goaway_code, static_cast<std::uint32_t>(error::frame_size_error));
}

TEST_F(h2_server, trailers_end_the_request) {
  client c(port);
  c.request(1, {{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/echo"}},
            false);
  c.data(1, "body bytes", false);
  c.request(1, {{"x-checksum", "1"}}, true);
  ASSERT_TRUE(c.response_done(1));
  EXPECT_EQ(c.s.status[1], 200);
  EXPECT_EQ(c.s.body[1], "body bytes");
}

TEST_F(h2_server, content_length_mismatch_resets_the_stream) {
  client c(port);
  c.request(1,
            {{":method", "POST"},
             {":scheme", "http"},
             {":authority", "x"},
             {":path", "/echo"},
             {"content-length", "5"}},
            false);
  c.data(1, "abc", true);
  ASSERT_TRUE(c.response_done(1));
  EXPECT_EQ(c.s.reset[1], static_cast<std::uint32_t>(error::protocol_error));
  c.get(3, "/hello");
  ASSERT_TRUE(c.response_done(3));
  EXPECT_EQ(c.s.body[3], "Hello, world!");
}

TEST_F(h2_server, malformed_heads_reset_the_stream) {
  client c(port);
  c.request(1, {{":method", "GET"}, {":scheme", "http"}}, true);  // no :path
  c.request(3, {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"connection", "close"}},
            true);
  c.request(5, {{":method", "GET"}, {"x", "1"}, {":scheme", "http"}, {":path", "/"}}, true);
  c.request(7, {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":status", "200"}}, true);
  c.request(9, {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"te", "gzip"}}, true);
  ASSERT_TRUE(c.until([](const seen& s) { return s.reset.size() == 5; }));
  for (const std::uint32_t id : {1u, 3u, 5u, 7u, 9u})
    EXPECT_EQ(c.s.reset[id], static_cast<std::uint32_t>(error::protocol_error)) << id;
  EXPECT_FALSE(c.s.goaway);
}

TEST_F(h2_server, body_over_the_route_limit_is_413) {
  client c(port);
  c.request(1, {{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/small"}},
            false);
  c.data(1, std::string(100, 'x'), true);
  ASSERT_TRUE(c.until([](const seen& s) { return s.status.count(1) > 0; }));
  EXPECT_EQ(c.s.status[1], 413);
}

TEST_F(h2_server, data_on_a_closed_stream_is_stream_closed) {
  client c(port);
  c.get(1, "/hello");
  ASSERT_TRUE(c.response_done(1));
  c.data(1, "late", true);
  ASSERT_TRUE(c.until([](const seen& s) { return s.reset.count(1) > 0; }));
  EXPECT_EQ(c.s.reset[1], static_cast<std::uint32_t>(error::stream_closed));
  EXPECT_FALSE(c.s.goaway);
}

TEST_F(h2_server, data_on_an_idle_stream_is_a_connection_error) {
  client c(port);
  c.data(5, "x", true);
  ASSERT_TRUE(c.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(c.s.goaway_code, static_cast<std::uint32_t>(error::protocol_error));
  EXPECT_TRUE(c.until([](const seen& s) { return s.closed; }));
}

TEST_F(h2_server, decreasing_stream_id_is_a_connection_error) {
  client c(port);
  c.get(5, "/hello");
  ASSERT_TRUE(c.response_done(5));
  c.get(3, "/hello");
  ASSERT_TRUE(c.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(c.s.goaway_code, static_cast<std::uint32_t>(error::protocol_error));
  EXPECT_EQ(c.s.goaway_last, 5u);
}

TEST_F(h2_server, window_overflow) {
  client c(port);
  // The connection window past 2^31-1: connection FLOW_CONTROL_ERROR.
  std::string out;
  h2::append_window_update(out, 0, 0x7fffffff);
  c.send(out);
  ASSERT_TRUE(c.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(c.s.goaway_code, static_cast<std::uint32_t>(error::flow_control_error));
}

TEST_F(h2_server, stream_window_overflow_resets_the_stream) {
  client c(port);
  c.request(1, {{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/echo"}},
            false);
  std::string out;
  h2::append_window_update(out, 1, 0x7fffffff);
  c.send(out);
  ASSERT_TRUE(c.until([](const seen& s) { return s.reset.count(1) > 0; }));
  EXPECT_EQ(c.s.reset[1], static_cast<std::uint32_t>(error::flow_control_error));
}

TEST_F(h2_server, hpack_garbage_is_a_compression_error) {
  client c(port);
  std::string out;
  h2::append_headers(out, 1, std::string("\xff\xff\xff\xff\xff\xff", 6), {.end_stream = true});
  c.send(out);
  ASSERT_TRUE(c.until([](const seen& s) { return s.goaway; }));
  EXPECT_EQ(c.s.goaway_code, static_cast<std::uint32_t>(error::compression_error));
}

TEST_F(h2_server, response_trailers_follow_the_body_with_end_stream) {
  client c(port);
  c.get(1, "/trailers");
  c.get(3, "/trailers?how=whole");
  c.get(5, "/trailers?how=empty");
  ASSERT_TRUE(c.response_done(1));
  ASSERT_TRUE(c.response_done(3));
  ASSERT_TRUE(c.response_done(5));
  EXPECT_EQ(c.s.body[1], "streamed body");
  EXPECT_EQ(c.s.trailers[1], "x-sum=42;");
  EXPECT_EQ(c.s.body[3], "whole body");
  EXPECT_EQ(c.s.trailers[3], "x-sum=42;");
  EXPECT_EQ(c.s.body[5], "");
  EXPECT_EQ(c.s.trailers[5], "x-sum=42;");
  // HEAD has no body, so no trailers: END_STREAM is on the head.
  c.request(7,
            {{":method", "HEAD"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/trailers"}},
            true);
  ASSERT_TRUE(c.response_done(7));
  EXPECT_EQ(c.s.status[7], 200);
  EXPECT_EQ(c.s.trailers.count(7), 0u);
}

// --- timeouts (server_session_timer.cpp), shortened -----------------------------------------

lwspp::http::server_options short_timeouts() {
  lwspp::http::server_options o;
  o.header_timeout = 300ms;  // also SETTINGS' acknowledgement
  o.keepalive_timeout = 400ms;
  o.send_timeout = 300ms;
  o.body_timeout = 300ms;
  return o;
}

class h2_timeouts : public h2_server_base {
 protected:
  h2_timeouts() : h2_server_base(short_timeouts()) {}
  // Milliseconds since the test began.
  long long elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

TEST_F(h2_timeouts, unacknowledged_settings_are_a_settings_timeout) {
  client c(port);
  c.ack_settings = false;
  c.get(1, "/hello");
  ASSERT_TRUE(c.response_done(1));  // served meanwhile
  ASSERT_TRUE(c.until([](const seen& s) { return s.goaway && s.closed; }));
  EXPECT_EQ(c.s.goaway_code, static_cast<std::uint32_t>(error::settings_timeout));
  EXPECT_GE(elapsed(), 250);
}

TEST_F(h2_timeouts, an_idle_connection_gets_goaway_and_closes) {
  client c(port);
  c.get(1, "/hello");
  ASSERT_TRUE(c.response_done(1));
  ASSERT_TRUE(c.until([](const seen& s) { return s.closed; }));
  EXPECT_TRUE(c.s.goaway);
  EXPECT_EQ(c.s.goaway_code, static_cast<std::uint32_t>(error::no_error));
  EXPECT_EQ(c.s.goaway_last, 1u);
  EXPECT_GE(elapsed(), 350);
}

TEST_F(h2_timeouts, pings_do_not_keep_an_idle_connection_open) {
  client c(port);
  const auto end = std::chrono::steady_clock::now() + 3s;
  while (!c.s.closed && std::chrono::steady_clock::now() < end) {
    std::string ping;
    h2::append_ping(ping, "pingping");
    c.send(ping);
    c.until([](const seen&) { return false; });  // reads for a while
  }
  EXPECT_TRUE(c.s.closed);
  EXPECT_TRUE(c.s.goaway);
}

TEST_F(h2_timeouts, a_stream_window_left_at_zero_resets_the_stream) {
  h2::settings zero;
  zero.initial_window_size = 0;
  client c(port, zero);
  c.get(1, "/hello");
  ASSERT_TRUE(c.until([](const seen& s) { return s.reset.count(1) > 0; }));
  EXPECT_EQ(c.s.reset[1], static_cast<std::uint32_t>(error::cancel));
  EXPECT_EQ(c.s.status[1], 200);  // the head went out; the body could not
  EXPECT_GE(elapsed(), 250);
  // The connection goes on.
  std::string out;
  h2::settings open;
  open.initial_window_size = 100000;
  h2::append_settings(out, open);
  c.send(out);
  c.get(3, "/hello");
  ASSERT_TRUE(c.response_done(3));
  EXPECT_EQ(c.s.body[3], "Hello, world!");
  EXPECT_FALSE(c.s.goaway);
}

TEST_F(h2_timeouts, a_connection_window_left_at_zero_closes_the_connection) {
  client c(port);
  c.credit = false;
  c.get(1, "/big");
  ASSERT_TRUE(c.until([](const seen& s) { return s.closed; }));
  EXPECT_EQ(c.s.body[1].size(), 65535u);  // the default connection window, then nothing
  EXPECT_GE(elapsed(), 250);
}

TEST_F(h2_timeouts, a_stalled_request_body_is_408) {
  client c(port);
  c.request(1, {{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/echo"}},
            false);
  c.data(1, "part", false);
  ASSERT_TRUE(c.response_done(1));
  EXPECT_EQ(c.s.status[1], 408);
  EXPECT_GE(elapsed(), 250);
  c.get(3, "/hello");
  ASSERT_TRUE(c.response_done(3));
  EXPECT_EQ(c.s.status[3], 200);
}

}  // namespace
