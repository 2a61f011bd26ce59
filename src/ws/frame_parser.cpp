// The frame decoder: a header phase (2-14 bytes, parsed in place when they
// arrive together, else gathered in header_), a data phase that unmasks
// payload pieces in place, and a control phase that delivers a ping, pong
// or close payload whole (in place, or gathered in held_ when split).
#include "ws/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace lwspp::ws {
namespace {

// Header bytes needed, from the second byte (mask bit and 7-bit length).
std::size_t header_need(unsigned b1) noexcept {
  const unsigned len7 = b1 & 0x7F;
  const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  return 2 + ext + ((b1 & 0x80) != 0 ? 4 : 0);
}

// "Go on": `n` bytes were used and no event is due yet.
frame_step more(std::size_t n) noexcept {
  return frame_step{.consumed = n};
}

}  // namespace

frame_step frame_parser::feed(std::span<char> in) {
  // A control payload gathered in held_ was handed out by the previous feed.
  if (held_ && phase_ != phase::control) held_.reset();
  std::size_t used = 0;
  for (;;) {
    frame_step s = run_phase(in.subspan(used));
    used += s.consumed;
    offset_ += s.consumed;
    if (s.ev != frame_event::need_more) {
      s.consumed = used;
      return s;
    }
    if (used == in.size()) return more(used);
  }
}

frame_step frame_parser::run_phase(std::span<char> in) {
  switch (phase_) {
    case phase::header:
      return on_header(in);
    case phase::data:
      return on_data(in);
    case phase::control:
      return on_control(in);
    case phase::failed:
      break;
  }
  return on_failed(in);
}

bool frame_parser::check_start(unsigned b0, unsigned b1) {
  const auto op = static_cast<opcode>(b0 & 0x0F);
  const bool fin = (b0 & 0x80) != 0;
  const bool rsv1 = (b0 & 0x40) != 0;
  const bool masked = (b1 & 0x80) != 0;
  if ((b0 & 0x30) != 0) {
    error_ = error::reserved_bits;
  } else if (!is_known(op)) {
    error_ = error::reserved_opcode;
  } else if (is_control(op)) {
    if (rsv1) {
      error_ = error::reserved_bits;
    } else if (!fin) {
      error_ = error::fragmented_control;
    } else if ((b1 & 0x7F) > max_control_payload) {
      error_ = error::control_too_long;
    }
  } else if (rsv1 && (!settings_.allow_rsv1 || op == opcode::continuation)) {
    error_ = error::reserved_bits;
  } else if (op == opcode::continuation && !in_message_) {
    error_ = error::unexpected_continuation;
  } else if (op != opcode::continuation && in_message_) {
    error_ = error::expected_continuation;
  }
  if (error_ == error{}) {
    if (settings_.side == endpoint::server && !masked) error_ = error::unmasked_frame;
    if (settings_.side == endpoint::client && masked) error_ = error::masked_frame;
  }
  return error_ == error{};
}

bool frame_parser::start_frame(const unsigned char* h) {
  op_ = static_cast<opcode>(h[0] & 0x0F);
  fin_ = (h[0] & 0x80) != 0;
  masked_ = (h[1] & 0x80) != 0;
  std::uint64_t len = h[1] & 0x7F;
  std::size_t pos = 2;
  if (len == 126) {
    len = std::uint64_t{h[2]} << 8 | h[3];
    pos = 4;
    if (len < 126) error_ = error::bad_length;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i)
      len = len << 8 | h[2 + i];
    pos = 10;
    if ((len >> 63) != 0 || len <= 0xFFFF) error_ = error::bad_length;
  }
  if (error_ != error{}) return false;
  if (masked_) std::memcpy(key_.data(), h + pos, 4);
  mask_phase_ = 0;
  left_ = len;
  if (is_control(op_)) {
    control_len_ = static_cast<std::uint8_t>(len);
    held_len_ = 0;
    return true;
  }
  if (op_ != opcode::continuation) {
    compressed_ = (h[0] & 0x40) != 0;
    message_bytes_ = 0;
  }
  // Uncompressed: refuse before the payload arrives. message_bytes_ never
  // exceeds the limit, so the subtraction cannot wrap.
  if (!compressed_) {
    if (len > settings_.max_message_size - message_bytes_) {
      error_ = error::message_too_big;
      return false;
    }
    message_bytes_ += len;
  }
  in_message_ = !fin_;
  first_piece_ = true;
  return true;
}

frame_step frame_parser::on_header(std::span<char> in) {
  if (in.empty()) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t used = 0;
  const unsigned char* h = nullptr;
  if (header_len_ == 0) {
    frame_offset_ = offset_;
    // The usual case: the whole header is here; parse it in place.
    if (in.size() >= 2 && in.size() >= header_need(p[1])) {
      if (!check_start(p[0], p[1])) return fail(error_);
      h = p;
      used = header_need(p[1]);
    }
  }
  if (h == nullptr) {
    // Gather the header: first the 2 bytes that give its size, checked at
    // once so that a bad frame fails without waiting for the rest.
    const std::uint8_t before = header_len_;
    while (header_len_ < 2 && used < in.size())
      header_[header_len_++] = p[used++];
    if (header_len_ < 2) return more(used);
    if (before < 2 && !check_start(header_[0], header_[1])) return fail(error_);
    const std::size_t need = header_need(header_[1]);
    const std::size_t take = std::min(need - header_len_, in.size() - used);
    std::memcpy(header_ + header_len_, p + used, take);
    header_len_ = static_cast<std::uint8_t>(header_len_ + take);
    used += take;
    if (header_len_ < need) return more(used);
    header_len_ = 0;
    h = header_;
  }
  if (!start_frame(h)) return fail(error_);
  if (left_ > 0) {
    phase_ = is_control(op_) ? phase::control : phase::data;
    return more(used);
  }
  // An empty frame: its event comes with its header.
  frame_step s;
  s.consumed = used;
  s.op = op_;
  if (is_control(op_)) {
    s.ev = frame_event::control;
  } else {
    s.ev = frame_event::data;
    s.frame_first = s.frame_last = true;
    s.fin = fin_;
    s.compressed = compressed_;
  }
  return s;
}

frame_step frame_parser::on_data(std::span<char> in) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
  if (n == 0) return {};
  if (masked_) mask_phase_ = static_cast<std::uint8_t>(apply_mask(in.data(), n, key_, mask_phase_));
  left_ -= n;
  frame_step s;
  s.ev = frame_event::data;
  s.consumed = n;
  s.data = std::string_view(in.data(), n);
  s.op = op_;
  s.frame_first = first_piece_;
  s.frame_last = left_ == 0;
  s.fin = fin_;
  s.compressed = compressed_;
  first_piece_ = false;
  if (left_ == 0) phase_ = phase::header;
  return s;
}

frame_step frame_parser::on_control(std::span<char> in) {
  if (in.empty()) return {};
  frame_step s;
  s.ev = frame_event::control;
  s.op = op_;
  if (held_len_ == 0 && in.size() >= control_len_) {
    // Whole in this span: unmask in place.
    if (masked_) apply_mask(in.data(), control_len_, key_, 0);
    s.consumed = control_len_;
    s.data = std::string_view(in.data(), control_len_);
  } else {
    if (!held_) held_ = std::make_unique<char[]>(max_control_payload);
    const std::size_t take = std::min<std::size_t>(control_len_ - held_len_, in.size());
    std::memcpy(held_.get() + held_len_, in.data(), take);
    held_len_ = static_cast<std::uint8_t>(held_len_ + take);
    if (held_len_ < control_len_) return more(take);
    if (masked_) apply_mask(held_.get(), control_len_, key_, 0);
    s.consumed = take;
    s.data = std::string_view(held_.get(), control_len_);
    held_len_ = 0;
  }
  left_ = 0;
  phase_ = phase::header;
  return s;
}

frame_step frame_parser::on_failed(std::span<char>) {
  frame_step s;
  s.ev = frame_event::error;
  return s;
}

frame_step frame_parser::fail(error e) {
  error_ = e;
  phase_ = phase::failed;
  return on_failed({});
}

void frame_parser::reset() noexcept {
  const frame_parser_settings s = settings_;
  held_.reset();
  *this = frame_parser(s);
}

}  // namespace lwspp::ws
