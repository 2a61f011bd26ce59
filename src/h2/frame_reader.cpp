// The frame reader's phases and the frames other than header blocks
// (those are in frame_reader_block.cpp).
#include <algorithm>
#include <cstring>

#include "h2/frame_reader.hpp"
#include "h2/settings.hpp"

namespace lwspp::h2 {
namespace {

// What a frame header alone must satisfy, per type (RFC 9113 §6). Padding
// and the PRIORITY flag add to min_length; PRIORITY's own length is a stream
// error, checked apart.
enum class sid_rule : std::uint8_t { any, nonzero, zero };
struct type_rule {
  sid_rule stream;
  std::uint8_t min_length;
  bool exact;
  const char* stream_reason;
  const char* length_reason;
};

constexpr type_rule rules[known_frame_types] = {
    {sid_rule::nonzero, 0, false, "DATA on stream 0", "DATA too short for its pad length"},
    {sid_rule::nonzero, 0, false, "HEADERS on stream 0", "HEADERS too short for its fields"},
    {sid_rule::nonzero, 0, false, "PRIORITY on stream 0", ""},
    {sid_rule::nonzero, 4, true, "RST_STREAM on stream 0", "RST_STREAM length is not 4"},
    {sid_rule::zero, 0, false, "SETTINGS with a stream id",
     "SETTINGS length is not a multiple of 6"},
    {sid_rule::nonzero, 4, false, "PUSH_PROMISE on stream 0",
     "PUSH_PROMISE too short for its fields"},
    {sid_rule::zero, 8, true, "PING with a stream id", "PING length is not 8"},
    {sid_rule::zero, 8, false, "GOAWAY with a stream id", "GOAWAY shorter than 8"},
    {sid_rule::any, 4, true, "", "WINDOW_UPDATE length is not 4"},
    {sid_rule::nonzero, 0, false, "CONTINUATION on stream 0", ""},
};

bool has(std::uint8_t flags, std::uint8_t f) noexcept {
  return (flags & f) != 0;
}

}  // namespace

frame_reader::frame_reader(frame_reader_settings s)
    : settings_(s),
      phase_(s.preface == preface_mode::magic_and_settings ? &frame_reader::on_preface
                                                           : &frame_reader::on_header),
      settings_seen_(s.preface == preface_mode::none) {}

frame_step frame_reader::next(std::span<const char> in) {
  std::size_t used = 0;
  for (;;) {
    const phase_fn before = phase_;
    frame_step s = (this->*phase_)(in.subspan(used));
    used += s.consumed;
    offset_ += s.consumed;
    if (s.ev != frame_event::need_more) {
      s.consumed = used;
      return s;
    }
    // Stop when the input is used up and no phase change lets another
    // phase act on nothing (an empty payload still makes an event).
    if (used == in.size() && phase_ == before) return {.consumed = used};
  }
}

bool frame_reader::at_boundary() const noexcept {
  return phase_ == &frame_reader::on_header && header_len_ == 0 && block_stream_ == 0;
}

frame_step frame_reader::pass_on(frame_step s, std::size_t used) const noexcept {
  s.consumed = used;
  return s;
}

frame_step frame_reader::event(frame_event ev) const {
  return {.ev = ev,
          .type = frame_.type,
          .flags = frame_.flags,
          .stream_id = frame_.stream_id,
          .frame_length = frame_.length};
}

frame_step frame_reader::fail(error code, const char* reason) {
  error_ = {.code = code,
            .scope = error_scope::connection,
            .stream_id = frame_.stream_id,
            .reason = reason,
            .offset = frame_offset_};
  phase_ = &frame_reader::on_failed;
  return event(frame_event::connection_error);
}

frame_step frame_reader::stream_fail(error code, const char* reason) {
  error_ = {.code = code,
            .scope = error_scope::stream,
            .stream_id = frame_.stream_id,
            .reason = reason,
            .offset = frame_offset_};
  return event(frame_event::stream_error);
}

frame_step frame_reader::skip_payload(frame_step s) {
  left_ = frame_.length;
  phase_ = &frame_reader::on_skip;
  return s;
}

frame_step frame_reader::on_failed(std::span<const char>) {
  return event(frame_event::connection_error);
}

frame_step frame_reader::on_preface(std::span<const char> in) {
  // left_ counts the preface bytes matched so far.
  const std::size_t n = std::min<std::size_t>(in.size(), client_preface.size() - left_);
  if (std::memcmp(in.data(), client_preface.data() + left_, n) != 0)
    return fail(error::protocol_error, "bad connection preface");
  left_ += static_cast<std::uint32_t>(n);
  if (left_ == client_preface.size()) {
    left_ = 0;
    phase_ = &frame_reader::on_header;
  }
  return {.consumed = n};
}

frame_step frame_reader::on_header(std::span<const char> in) {
  if (header_len_ == 0) frame_offset_ = offset_;
  if (header_len_ == 0 && in.size() >= frame_header_size)
    return pass_on(start_frame(parse_frame_header(in.first<frame_header_size>())),
                   frame_header_size);
  const std::size_t n = std::min<std::size_t>(in.size(), frame_header_size - header_len_);
  std::memcpy(header_ + header_len_, in.data(), n);
  header_len_ = static_cast<std::uint8_t>(header_len_ + n);
  if (header_len_ < frame_header_size) return {.consumed = n};
  header_len_ = 0;
  return pass_on(start_frame(parse_frame_header(std::span<const char, frame_header_size>(header_))),
                 n);
}

frame_step frame_reader::start_frame(const frame_header& h) {
  frame_ = h;
  if (is_known(h.type)) frame_.flags &= defined_flags(h.type);
  if (frame_step s = check_header(); s.ev != frame_event::need_more) return s;
  switch (frame_.type) {
    case frame_type::data:
      data_started_ = false;
      pad_left_ = 0;
      left_ = frame_.length;
      phase_ =
          has(frame_.flags, flag::padded) ? &frame_reader::on_pad_length : &frame_reader::on_data;
      return {};
    case frame_type::priority:
      if (frame_.length != 5)
        return skip_payload(stream_fail(error::frame_size_error, "PRIORITY length is not 5"));
      break;
    default:
      if (is_priority_update()) {
        // RFC 9218 §7.1: on stream 0, and at least the prioritized id.
        if (frame_.stream_id != 0)
          return fail(error::protocol_error, "PRIORITY_UPDATE not on stream 0");
        if (frame_.length < 4)
          return fail(error::frame_size_error, "PRIORITY_UPDATE under 4 bytes");
        break;
      }
      if (!is_known(frame_.type)) return skip_payload(event(frame_event::unknown));
      break;
  }
  held_.clear();
  left_ = frame_.length;
  phase_ = &frame_reader::on_payload;
  return {};
}

frame_step frame_reader::check_header() {
  const frame_header& h = frame_;
  if (h.length > settings_.max_frame_size)
    return fail(error::frame_size_error, "frame larger than SETTINGS_MAX_FRAME_SIZE");
  if (block_stream_ != 0 && (h.type != frame_type::continuation || h.stream_id != block_stream_))
    return fail(error::protocol_error, "expected CONTINUATION of the open header block");
  if (!settings_seen_) {
    if (h.type != frame_type::settings || has(h.flags, flag::ack))
      return fail(error::protocol_error, "first frame is not SETTINGS");
    settings_seen_ = true;
  }
  if (!is_known(h.type)) return {};
  const type_rule& r = rules[static_cast<unsigned>(h.type)];
  if ((r.stream == sid_rule::nonzero && h.stream_id == 0) ||
      (r.stream == sid_rule::zero && h.stream_id != 0))
    return fail(error::protocol_error, r.stream_reason);
  std::uint32_t min = r.min_length;
  if (has(h.flags, flag::padded)) min += 1;
  if (h.type == frame_type::headers && has(h.flags, flag::priority)) min += 5;
  if (h.length < min || (r.exact && h.length != min))
    return fail(error::frame_size_error, r.length_reason);
  switch (h.type) {
    case frame_type::settings:
      if (has(h.flags, flag::ack) && h.length != 0)
        return fail(error::frame_size_error, "SETTINGS ACK with a payload");
      if (h.length % setting_entry_size != 0) return fail(error::frame_size_error, r.length_reason);
      break;
    case frame_type::push_promise:
      if (!settings_.allow_push_promise)
        return fail(error::protocol_error, "PUSH_PROMISE not allowed (push is off)");
      [[fallthrough]];
    case frame_type::headers:
      // A fragment certainly over the bound (even after 255 bytes of
      // padding) fails now, before its payload is buffered.
      if (h.length > settings_.max_header_block + min + 255)
        return fail(error::enhance_your_calm, "header block larger than max_header_block");
      break;
    case frame_type::continuation:
      if (block_stream_ == 0) return fail(error::protocol_error, "CONTINUATION without HEADERS");
      if (++continuations_ > settings_.max_continuations)
        return fail(error::enhance_your_calm, "too many CONTINUATION frames");
      if (block_.size() + h.length > settings_.max_header_block)
        return fail(error::enhance_your_calm, "header block larger than max_header_block");
      break;
    default:
      break;
  }
  return {};
}

frame_step frame_reader::on_pad_length(std::span<const char> in) {
  if (in.empty()) return {};
  const auto pad = static_cast<std::uint8_t>(in[0]);
  if (pad >= frame_.length)
    return fail(error::protocol_error, "DATA padding not shorter than the payload");
  left_ = frame_.length - 1 - pad;
  pad_left_ = pad;
  phase_ = &frame_reader::on_data;
  return {.consumed = 1};
}

frame_step frame_reader::on_data(std::span<const char> in) {
  const std::size_t n = std::min<std::size_t>(in.size(), left_);
  // A frame with no data still makes one (empty) event; otherwise wait for bytes.
  if (n == 0 && left_ > 0) return {};
  frame_step s = event(frame_event::data);
  s.payload = std::string_view(in.data(), n);
  s.first = !data_started_;
  data_started_ = true;
  left_ -= static_cast<std::uint32_t>(n);
  s.last = left_ == 0;
  s.end_stream = s.last && has(frame_.flags, flag::end_stream);
  s.consumed = n;
  if (s.last) {
    left_ = pad_left_;
    phase_ = pad_left_ > 0 ? &frame_reader::on_skip : &frame_reader::on_header;
  }
  return s;
}

frame_step frame_reader::on_skip(std::span<const char> in) {
  const std::size_t n = std::min<std::size_t>(in.size(), left_);
  left_ -= static_cast<std::uint32_t>(n);
  if (left_ == 0) phase_ = &frame_reader::on_header;
  return {.consumed = n};
}

frame_step frame_reader::on_payload(std::span<const char> in) {
  if (held_.empty() && in.size() >= left_)
    return pass_on(finish_frame(std::string_view(in.data(), left_)), left_);
  const std::size_t n = std::min<std::size_t>(in.size(), left_ - held_.size());
  held_.append(in.data(), n);
  if (held_.size() < left_) return {.consumed = n};
  return pass_on(finish_frame(held_), n);
}

frame_step frame_reader::finish_frame(std::string_view p) {
  phase_ = &frame_reader::on_header;
  // DATA and unknown types never get here (their payloads are streamed).
  if (is_priority_update()) return on_priority_update_frame(p);
  switch (frame_.type) {
    case frame_type::headers:
      return on_headers_frame(p);
    case frame_type::priority:
      return on_priority_frame(p);
    case frame_type::rst_stream:
      return on_rst_stream_frame(p);
    case frame_type::settings:
      return on_settings_frame(p);
    case frame_type::push_promise:
      return on_push_promise_frame(p);
    case frame_type::ping:
      return on_ping_frame(p);
    case frame_type::goaway:
      return on_goaway_frame(p);
    case frame_type::window_update:
      return on_window_update_frame(p);
    default:
      return on_continuation_frame(p);
  }
}

frame_step frame_reader::on_priority_frame(std::string_view p) {
  frame_step s = event(frame_event::priority);
  s.priority = parse_priority(p.data());
  s.has_priority = true;
  if (s.priority.dependency == frame_.stream_id)
    return stream_fail(error::protocol_error, "stream depends on itself");
  return s;
}

frame_step frame_reader::on_rst_stream_frame(std::string_view p) {
  frame_step s = event(frame_event::rst_stream);
  s.value = read_u32(p.data());
  return s;
}

frame_step frame_reader::on_settings_frame(std::string_view p) {
  frame_step s = event(frame_event::settings);
  s.ack = has(frame_.flags, flag::ack);
  switch (check_settings_payload(p)) {
    case error::no_error:
      break;
    case error::flow_control_error:
      return fail(error::flow_control_error, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
    default:
      return fail(error::protocol_error, "SETTINGS value out of range");
  }
  s.payload = p;
  return s;
}

frame_step frame_reader::on_ping_frame(std::string_view p) {
  frame_step s = event(frame_event::ping);
  s.ack = has(frame_.flags, flag::ack);
  s.payload = p;
  return s;
}

frame_step frame_reader::on_goaway_frame(std::string_view p) {
  frame_step s = event(frame_event::goaway);
  s.other_id = read_u32(p.data()) & max_stream_id;
  s.value = read_u32(p.data() + 4);
  s.payload = p.substr(8);
  return s;
}

frame_step frame_reader::on_window_update_frame(std::string_view p) {
  frame_step s = event(frame_event::window_update);
  s.value = read_u32(p.data()) & max_window_size;
  if (s.value == 0) {
    if (frame_.stream_id == 0)
      return fail(error::protocol_error, "WINDOW_UPDATE of 0 on the connection");
    return stream_fail(error::protocol_error, "WINDOW_UPDATE of 0");
  }
  return s;
}

bool frame_reader::is_priority_update() const noexcept {
  return settings_.read_priority_update &&
         static_cast<std::uint8_t>(frame_.type) == priority_update_type;
}

frame_step frame_reader::on_priority_update_frame(std::string_view p) {
  frame_step s = event(frame_event::priority_update);
  s.other_id = read_u32(p.data()) & max_stream_id;
  if (s.other_id == 0) return fail(error::protocol_error, "PRIORITY_UPDATE for stream 0");
  s.payload = p.substr(4);
  return s;
}

}  // namespace lwspp::h2
