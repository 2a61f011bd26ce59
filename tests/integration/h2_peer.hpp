// The client end of one fixed HTTP/2 exchange, sans-I/O, built on the
// project's own frame and HPACK codecs: three concurrent streams (a GET, a
// POST echoed, a 100 KiB GET) on one connection. The caller moves bytes:
// output() to the server, feed() from it. Used over a plain socket (h2c,
// prior knowledge) and under TLS by the fault walks.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h2/frame_reader.hpp"
#include "h2/frame_sink.hpp"
#include "h2/frame_writer.hpp"
#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"
#include "test_support.hpp"

namespace test {

class h2_peer {
 public:
  // What the three streams must answer (the server's routes: /hello, /echo, /big).
  static std::string echo_body() { return pattern(7, 0, 16000); }  // one frame, within the window
  static std::string big_body() { return pattern(8, 0, 100 * 1024); }

  h2_peer() {
    namespace h2 = lwspp::h2;
    out_ = h2::client_preface;
    h2::append_settings(out_, h2::settings{});
    request(1, "GET", "/hello", true);
    request(3, "POST", "/echo", false);
    h2::append_data(out_, 3, echo_body(), true);
    request(5, "GET", "/big", true);
  }

  // Bytes for the server (then cleared).
  std::string take_output() { return std::exchange(out_, {}); }

  void feed(std::string_view bytes) {
    lwspp::h2::read_frames(reader_, std::span<const char>(bytes.data(), bytes.size()), *this);
  }

  // Every stream answered 200 with its whole body.
  bool complete() const {
    for (const auto& [id, want] : wanted())
      if (!ended_.count(id) || status_.count(id) == 0 || status_.at(id) != 200 || body(id) != want)
        return false;
    return true;
  }
  // The server ended the connection or a stream (GOAWAY, RST_STREAM, a
  // connection error), or answered something other than what was asked.
  bool ended_early() const { return goaway_ || failed_ || !reset_.empty(); }
  bool wrong() const {
    for (const auto& [id, want] : wanted()) {
      if (status_.count(id) && status_.at(id) != 200) return true;
      if (want.compare(0, body(id).size(), body(id)) != 0) return true;  // not a prefix
    }
    return false;
  }

  // frame_sink
  void on_data(const lwspp::h2::data_piece& d) {
    body_[d.stream_id] += d.data;
    if (d.end_stream) ended_[d.stream_id] = true;
    if (d.first && d.frame_length) {
      lwspp::h2::append_window_update(out_, 0, d.frame_length);
      if (!d.end_stream) lwspp::h2::append_window_update(out_, d.stream_id, d.frame_length);
    }
  }
  void on_headers(const lwspp::h2::header_block& h) {
    lwspp::h2::hpack::header_list l;
    if (!dec_.decode(h.block, l).ok()) {
      failed_ = true;
      return;
    }
    for (const auto f : l)
      if (f.name == ":status") status_[h.stream_id] = std::stoi(std::string(f.value));
    if (h.end_stream) ended_[h.stream_id] = true;
  }
  void on_push_promise(const lwspp::h2::push_promise_block&) { failed_ = true; }
  void on_priority(const lwspp::h2::priority_frame&) {}
  void on_rst_stream(const lwspp::h2::rst_stream_frame& f) { reset_[f.stream_id] = f.error_code; }
  void on_settings(const lwspp::h2::settings_frame& f) {
    if (!f.ack) lwspp::h2::append_settings_ack(out_);
  }
  void on_ping(const lwspp::h2::ping_frame&) {}
  void on_goaway(const lwspp::h2::goaway_frame& f) { goaway_ = goaway_ || f.error_code != 0; }
  void on_window_update(const lwspp::h2::window_update_frame&) {}
  void on_unknown(const lwspp::h2::unknown_frame&) {}
  void on_stream_error(const lwspp::h2::frame_error&) { failed_ = true; }
  void on_connection_error(const lwspp::h2::frame_error&) { failed_ = true; }

 private:
  static const std::map<std::uint32_t, std::string>& wanted() {
    static const std::map<std::uint32_t, std::string> w = {
        {1, "Hello, world!"}, {3, echo_body()}, {5, big_body()}};
    return w;
  }
  std::string body(std::uint32_t id) const {
    auto it = body_.find(id);
    return it == body_.end() ? std::string() : it->second;
  }
  void request(std::uint32_t id, std::string_view method, std::string_view path, bool end) {
    const lwspp::h2::hpack::header_field fields[] = {
        {":method", method}, {":scheme", "http"}, {":authority", "x"}, {":path", path}};
    std::string block;
    enc_.encode(fields, block);
    lwspp::h2::append_headers(out_, id, block, {.end_stream = end});
  }

  std::string out_;
  lwspp::h2::frame_reader reader_{{.preface = lwspp::h2::preface_mode::settings}};
  lwspp::h2::hpack::encoder enc_;
  lwspp::h2::hpack::decoder dec_;
  std::map<std::uint32_t, int> status_;
  std::map<std::uint32_t, std::string> body_;
  std::map<std::uint32_t, bool> ended_;
  std::map<std::uint32_t, std::uint32_t> reset_;
  bool goaway_ = false;
  bool failed_ = false;
};

}  // namespace test
