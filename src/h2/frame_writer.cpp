// The frame writer: every frame type, header blocks split at max_frame_size.
#include "h2/frame_writer.hpp"

#include <algorithm>

namespace lwspp::h2 {
namespace {

void put_header(std::string& out, frame_type t, std::uint8_t flags, std::uint32_t stream_id,
                std::size_t length) {
  char h[frame_header_size];
  write_frame_header({static_cast<std::uint32_t>(length), t, flags, stream_id}, h);
  out.append(h, sizeof h);
}

// One frame whose payload is `fixed` (fields) then `body`.
void put_frame(std::string& out, frame_type t, std::uint8_t flags, std::uint32_t stream_id,
               std::string_view fixed, std::string_view body = {}) {
  put_header(out, t, flags, stream_id, fixed.size() + body.size());
  out.append(fixed);
  out.append(body);
}

bool valid_stream(std::uint32_t id) noexcept {
  return id != 0 && id <= max_stream_id;
}

std::string_view u32_field(char (&buf)[4], std::uint32_t v) {
  write_u32(buf, v);
  return {buf, 4};
}

// A header block: the first frame (HEADERS or PUSH_PROMISE) carries the pad
// length, `fields` and as much of the block as fits, then its padding; the
// rest goes into CONTINUATIONs of at most max_frame_size.
bool put_block(std::string& out, frame_type t, std::uint8_t flags, std::uint32_t stream_id,
               std::string_view fields, std::string_view block, std::uint8_t pad,
               std::uint32_t max_frame_size) {
  const std::size_t overhead = fields.size() + (pad > 0 ? 1u + pad : 0u);
  if (!valid_stream(stream_id) || max_frame_size < default_max_frame_size ||
      max_frame_size > max_max_frame_size || overhead >= max_frame_size)
    return false;
  const std::size_t first = std::min(block.size(), max_frame_size - overhead);
  const bool whole = first == block.size();
  if (pad > 0) flags |= flag::padded;
  if (whole) flags |= flag::end_headers;
  put_header(out, t, flags, stream_id, overhead + first);
  if (pad > 0) out.push_back(static_cast<char>(pad));
  out.append(fields);
  out.append(block.substr(0, first));
  out.append(pad, '\0');
  for (std::size_t at = first; at < block.size();) {
    const std::size_t n = std::min<std::size_t>(block.size() - at, max_frame_size);
    at += n;
    put_frame(out, frame_type::continuation, at == block.size() ? flag::end_headers : 0, stream_id,
              block.substr(at - n, n));
  }
  return true;
}

}  // namespace

std::size_t write_data_prefix(std::span<char, max_data_prefix> out, std::uint32_t stream_id,
                              std::size_t length, bool end_stream, std::uint8_t pad) noexcept {
  const std::size_t payload = length + (pad > 0 ? 1u + pad : 0u);
  if (!valid_stream(stream_id) || payload > max_max_frame_size) return 0;
  std::uint8_t flags = end_stream ? flag::end_stream : 0;
  if (pad > 0) flags |= flag::padded;
  write_frame_header({static_cast<std::uint32_t>(payload), frame_type::data, flags, stream_id},
                     out.first<frame_header_size>());
  if (pad == 0) return frame_header_size;
  out[frame_header_size] = static_cast<char>(pad);
  return frame_header_size + 1;
}

bool append_data(std::string& out, std::uint32_t stream_id, std::string_view data, bool end_stream,
                 std::uint8_t pad) {
  char prefix[max_data_prefix];
  const std::size_t n = write_data_prefix(prefix, stream_id, data.size(), end_stream, pad);
  if (n == 0) return false;
  out.append(prefix, n);
  out.append(data);
  out.append(pad, '\0');
  return true;
}

bool append_headers(std::string& out, std::uint32_t stream_id, std::string_view block,
                    const headers_options& o) {
  char prio[5];
  std::string_view fields;
  std::uint8_t flags = o.end_stream ? flag::end_stream : 0;
  if (o.has_priority) {
    if (o.priority.dependency > max_stream_id) return false;
    write_u32(prio, o.priority.dependency | (o.priority.exclusive ? 0x80000000u : 0u));
    prio[4] = static_cast<char>(o.priority.weight);
    fields = {prio, sizeof prio};
    flags |= flag::priority;
  }
  return put_block(out, frame_type::headers, flags, stream_id, fields, block, o.pad,
                   o.max_frame_size);
}

bool append_push_promise(std::string& out, std::uint32_t stream_id, std::uint32_t promised,
                         std::string_view block, std::uint32_t max_frame_size, std::uint8_t pad) {
  if (!valid_stream(promised)) return false;
  char f[4];
  return put_block(out, frame_type::push_promise, 0, stream_id, u32_field(f, promised), block, pad,
                   max_frame_size);
}

bool append_priority(std::string& out, std::uint32_t stream_id, const priority_spec& p) {
  if (!valid_stream(stream_id) || p.dependency > max_stream_id) return false;
  char f[5];
  write_u32(f, p.dependency | (p.exclusive ? 0x80000000u : 0u));
  f[4] = static_cast<char>(p.weight);
  put_frame(out, frame_type::priority, 0, stream_id, {f, sizeof f});
  return true;
}

bool append_rst_stream(std::string& out, std::uint32_t stream_id, error code) {
  if (!valid_stream(stream_id)) return false;
  char f[4];
  put_frame(out, frame_type::rst_stream, 0, stream_id,
            u32_field(f, static_cast<std::uint32_t>(code)));
  return true;
}

bool append_settings(std::string& out, const settings& s) {
  std::string entries;
  s.encode(entries);
  put_frame(out, frame_type::settings, 0, 0, entries);
  return true;
}

bool append_settings_ack(std::string& out) {
  put_frame(out, frame_type::settings, flag::ack, 0, {});
  return true;
}

bool append_ping(std::string& out, std::string_view opaque, bool ack) {
  if (opaque.size() != 8) return false;
  put_frame(out, frame_type::ping, ack ? flag::ack : 0, 0, opaque);
  return true;
}

bool append_goaway(std::string& out, std::uint32_t last_stream_id, error code,
                   std::string_view debug) {
  if (last_stream_id > max_stream_id || debug.size() + 8 > max_max_frame_size) return false;
  char f[8];
  write_u32(f, last_stream_id);
  write_u32(f + 4, static_cast<std::uint32_t>(code));
  put_frame(out, frame_type::goaway, 0, 0, {f, sizeof f}, debug);
  return true;
}

bool append_window_update(std::string& out, std::uint32_t stream_id, std::uint32_t increment) {
  if (stream_id > max_stream_id || increment == 0 || increment > max_window_size) return false;
  char f[4];
  put_frame(out, frame_type::window_update, 0, stream_id, u32_field(f, increment));
  return true;
}

bool append_frame(std::string& out, const frame_header& h, std::string_view payload) {
  if (payload.size() > max_max_frame_size || h.stream_id > max_stream_id) return false;
  put_frame(out, h.type, h.flags, h.stream_id, payload);
  return true;
}

}  // namespace lwspp::h2
