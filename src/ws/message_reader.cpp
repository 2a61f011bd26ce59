// The message reader: frame events become message events. Uncompressed
// payloads are delivered in place when a message is one frame in one span,
// else gathered (whole mode) or passed on (streaming). Compressed payloads
// are inflated into the buffer, whose capacity never exceeds the message
// limit plus one byte (whole mode) or max_fragment (streaming).
#include "ws/message_reader.hpp"

#include <algorithm>
#include <limits>

#include "ws/close_payload.hpp"

namespace lwspp::ws {

message_reader::message_reader(reader_settings s)
    : settings_(s),
      frames_(frame_parser_settings{.side = s.side, .max_message_size = s.max_message_size}) {
  if (settings_.max_fragment == 0) settings_.max_fragment = 1;
}

message_reader::~message_reader() = default;
message_reader::message_reader(message_reader&&) noexcept = default;
message_reader& message_reader::operator=(message_reader&&) noexcept = default;

void message_reader::enable_deflate(const inflater_settings& s) {
  inflater_ = std::make_unique<inflater>(s);
  frames_.allow_rsv1(true);
}

std::size_t message_reader::memory() const noexcept {
  return buffer_.capacity() + (inflater_ ? inflater_->memory() : 0);
}

step message_reader::feed(std::span<char> in) {
  if (failed_) return step{.ev = event::error};
  if (closed_) return step{.ev = event::need_more, .consumed = in.size()};
  if (release_) {
    // The last message was handed out from the buffer: an idle reader owns
    // no memory.
    buffer_.release();
    release_ = false;
  }
  std::size_t used = 0;
  if (finishing_ || draining_) {
    const step s = on_streamed({}, finishing_, 0);
    if (s.ev != event::need_more) return s;
  }
  if (pending_ > 0) {
    // Payload the frame parser already passed on (and unmasked) that inflate
    // had no room for: the caller feeds it again at the start of `in`.
    const std::size_t before = pending_;
    const bool before_end = pending_end_;
    const std::size_t n = std::min(before, in.size());
    pending_ = 0;
    const step s = on_streamed(std::string_view(in.data(), n), before_end && n == before, n);
    if (n < before) {  // `in` was shorter than what is pending
      pending_ += before - n;
      pending_end_ = before_end;
    }
    if (s.ev != event::need_more || pending_ > 0) return s;
    used = s.consumed;
  }
  while (used < in.size() || used == 0) {
    const frame_step f = frames_.feed(in.subspan(used));
    used += f.consumed;
    switch (f.ev) {
      case frame_event::need_more:
        return step{.ev = event::need_more, .consumed = used};
      case frame_event::error:
        return fail(frames_.error_code(), frames_.error_offset(), used);
      case frame_event::control:
        return on_control(f, used);
      case frame_event::data: {
        const step s = on_data(f, used);
        if (s.ev != event::need_more) return s;
        used = s.consumed;
        break;
      }
    }
  }
  return step{.ev = event::need_more, .consumed = used};
}

step message_reader::on_data(const frame_step& f, std::size_t used) {
  if (f.frame_first && f.op != opcode::continuation) {
    kind_ = f.op == opcode::text ? message_kind::text : message_kind::binary;
    utf8_.reset();
    message_size_ = 0;
    first_ = true;
    buffer_.clear();
  }
  const bool end = f.frame_last && f.fin;
  if (f.compressed) {
    return settings_.streaming ? on_streamed(f.data, end, used) : on_compressed(f.data, end, used);
  }
  if (!check_text(f.data, end)) return fail(error::invalid_utf8, frames_.error_offset(), used);
  message_size_ += f.data.size();  // the frame parser has bounded it
  if (settings_.streaming) {
    if (f.data.empty() && !end) return step{.consumed = used};
    return fragment(f.data, end, used);
  }
  if (end && f.frame_first && f.op != opcode::continuation) {
    // One frame, one span: deliver in place.
    return step{.ev = event::message, .consumed = used, .data = f.data, .kind = kind_};
  }
  buffer_.append(f.data);
  if (!end) return step{.consumed = used};
  release_ = true;
  return step{.ev = event::message, .consumed = used, .data = buffer_.view(), .kind = kind_};
}

// Whole mode: inflate into the buffer, never letting it hold more than the
// limit plus the one byte that proves the limit was passed. After each
// inflate call the new text is checked first, then zlib's verdict, then the
// limit: whichever way the input was split, the same bytes have been seen
// when an error is found, so the same error is reported.
step message_reader::on_compressed(std::string_view piece, bool end, std::size_t used) {
  const std::uint64_t max = settings_.max_message_size;
  const std::size_t cap = static_cast<std::size_t>(
      std::min<std::uint64_t>(max, std::numeric_limits<std::size_t>::max() - 1) + 1);
  const std::uint64_t offset = frames_.error_offset();
  bool done = !end;
  bool full = false;  // the last call filled its space: zlib may hold more output
  while (!piece.empty() || full || !done) {
    const std::size_t room =
        buffer_.reserve_more(std::max<std::size_t>(piece.size() * 4, 4096), cap);
    if (room == 0) return fail(error::message_too_big, offset, used);
    const std::size_t before = buffer_.size();
    char* out = buffer_.data() + before;
    inflater::result r;
    if (!piece.empty() || full) {
      const bool had_input = !piece.empty();
      r = inflater_->inflate(piece, out, room);
      if (had_input && r.ok && r.consumed == 0 && r.produced == 0) r.ok = false;  // no progress
      piece.remove_prefix(r.consumed);
      full = r.produced == room;
    } else {
      r = inflater_->finish(out, room, done);
    }
    buffer_.commit(r.produced);
    if (!check_text(buffer_.view().substr(before), false))
      return fail(error::invalid_utf8, offset, used);
    if (!r.ok) return fail(error::bad_compressed_data, offset, used);
    if (buffer_.size() > max) return fail(error::message_too_big, offset, used);
  }
  message_size_ = buffer_.size();
  if (!end) return step{.consumed = used};
  if (!check_text({}, true)) return fail(error::invalid_utf8, offset, used);
  release_ = true;
  return step{.ev = event::message, .consumed = used, .data = buffer_.view(), .kind = kind_};
}

// Streaming mode: inflate into a buffer of max_fragment bytes (never more
// than one byte past the limit). When it fills before the piece is used
// up, the rest of the piece stays pending: reported as not consumed, so
// the caller feeds it again. Checks in the order of on_compressed.
step message_reader::on_streamed(std::string_view piece, bool end, std::size_t used) {
  const std::uint64_t left = settings_.max_message_size - message_size_;
  const std::size_t room =
      static_cast<std::size_t>(std::min<std::uint64_t>(settings_.max_fragment, left + 1));
  buffer_.clear();
  buffer_.reserve_more(settings_.max_fragment, settings_.max_fragment);
  char* out = buffer_.data();
  const std::uint64_t offset = frames_.error_offset();
  std::size_t produced = 0;
  std::size_t taken = 0;
  bool ok = true;
  if (!finishing_ && (!piece.empty() || draining_)) {
    const inflater::result r = inflater_->inflate(piece, out, room);
    ok = r.ok && (piece.empty() || r.consumed != 0 || r.produced != 0);  // no progress: corrupt
    taken = r.consumed;
    produced = r.produced;
  }
  draining_ = false;
  if (!finishing_) finishing_ = ok && end && taken == piece.size();
  bool message_end = false;
  if (ok && finishing_ && produced < room) {
    bool done = false;
    const inflater::result r = inflater_->finish(out + produced, room - produced, done);
    ok = r.ok;
    produced += r.produced;
    finishing_ = !done;
    message_end = done;
  }
  pending_ = piece.size() - taken;
  pending_end_ = end;
  // The space is full and the piece used up: zlib may hold more output,
  // to be drained at the next feed before anything else.
  draining_ = ok && !finishing_ && pending_ == 0 && produced == room;
  const std::size_t consumed = used - pending_;
  message_size_ += produced;
  const std::string_view data(out, produced);
  if (!check_text(data, false)) return fail(error::invalid_utf8, offset, consumed);
  if (!ok) return fail(error::bad_compressed_data, offset, consumed);
  if (message_size_ > settings_.max_message_size)
    return fail(error::message_too_big, offset, consumed);
  if (message_end && !check_text({}, true)) return fail(error::invalid_utf8, offset, consumed);
  if (produced == 0 && !message_end) return step{.consumed = consumed};
  if (message_end) release_ = true;
  return fragment(data, message_end, consumed);
}

step message_reader::on_control(const frame_step& f, std::size_t used) {
  if (f.op == opcode::ping) return step{.ev = event::ping, .consumed = used, .data = f.data};
  if (f.op == opcode::pong) return step{.ev = event::pong, .consumed = used, .data = f.data};
  const close_parse c = parse_close_payload(f.data);
  if (c.err != error{}) return fail(c.err, frames_.error_offset(), used);
  closed_ = true;
  return step{
      .ev = event::close, .consumed = used, .data = c.info.reason, .close_code = c.info.code};
}

bool message_reader::check_text(std::string_view out, bool end) {
  if (kind_ != message_kind::text) return true;
  return utf8_.feed(out) && (!end || utf8_.complete());
}

step message_reader::fragment(std::string_view data, bool last, std::size_t used) {
  step s{.ev = event::fragment,
         .consumed = used,
         .data = data,
         .kind = kind_,
         .first = first_,
         .last = last};
  first_ = false;
  return s;
}

step message_reader::fail(error e, std::uint64_t offset, std::size_t used) {
  failed_ = true;
  error_ = e;
  error_offset_ = offset;
  return step{.ev = event::error, .consumed = used};
}

}  // namespace lwspp::ws
