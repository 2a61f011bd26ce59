// The frame reader's header blocks: HEADERS and PUSH_PROMISE with their
// CONTINUATIONs, joined into one block for the HPACK decoder.
#include "h2/frame_reader.hpp"

namespace lwspp::h2 {

bool frame_reader::strip_padding(std::string_view& p, std::size_t fixed) const noexcept {
  if ((frame_.flags & flag::padded) == 0) return true;
  // The minimum lengths were checked with the header: the pad length and
  // the fixed fields are there.
  const auto pad = static_cast<std::uint8_t>(p[0]);
  p.remove_prefix(1);
  if (pad > p.size() - fixed) return false;
  p.remove_suffix(pad);
  return true;
}

frame_step frame_reader::on_headers_frame(std::string_view p) {
  frame_step s = event(frame_event::headers);
  s.end_stream = (frame_.flags & flag::end_stream) != 0;
  s.has_priority = (frame_.flags & flag::priority) != 0;
  if (!strip_padding(p, s.has_priority ? 5 : 0))
    return fail(error::protocol_error, "HEADERS padding longer than the payload");
  if (s.has_priority) {
    s.priority = parse_priority(p.data());
    p.remove_prefix(5);
    // RFC 9113 §5.3.1: a stream error; the block is still decoded (HPACK).
    if (s.priority.dependency == frame_.stream_id) s.stream_error = error::protocol_error;
  }
  return add_fragment(s, p);
}

frame_step frame_reader::on_push_promise_frame(std::string_view p) {
  frame_step s = event(frame_event::push_promise);
  if (!strip_padding(p, 4))
    return fail(error::protocol_error, "PUSH_PROMISE padding longer than the payload");
  s.other_id = read_u32(p.data()) & max_stream_id;
  p.remove_prefix(4);
  if (s.other_id == 0) return fail(error::protocol_error, "PUSH_PROMISE of stream 0");
  return add_fragment(s, p);
}

frame_step frame_reader::add_fragment(frame_step s, std::string_view fragment) {
  if (fragment.size() > settings_.max_header_block)
    return fail(error::enhance_your_calm, "header block larger than max_header_block");
  if ((frame_.flags & flag::end_headers) != 0) {
    s.payload = fragment;
    return s;
  }
  block_.assign(fragment);
  block_start_ = s;
  block_stream_ = frame_.stream_id;
  continuations_ = 0;
  return {};
}

frame_step frame_reader::on_continuation_frame(std::string_view p) {
  // check_header bounded the block's size and the count of CONTINUATIONs.
  block_.append(p);
  if ((frame_.flags & flag::end_headers) == 0) return {};
  frame_step s = block_start_;
  s.flags |= flag::end_headers;
  s.payload = block_;
  block_stream_ = 0;
  return s;
}

}  // namespace lwspp::h2
