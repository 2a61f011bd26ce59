// The HTTP/2 client session: responses in. See client_session.hpp.
//
// A response is HEADERS (1xx heads skipped, then the final one), DATA, and
// optionally trailers (a HEADERS with END_STREAM, checked and dropped).
// Body pieces go to the exchange as they arrive; while it has paused
// delivery they are held, and no credit goes back for them, so the
// server stops once the stream's window is full. The connection's credit
// returns at once: each stream's window bounds what is held.
#include "h2/client_head.hpp"
#include "h2/client_session.hpp"
#include "h2/frame_writer.hpp"
#include "http/pooled_session.hpp"

namespace lwspp::h2 {

namespace {

error_info bad_response(std::string detail) {
  return error_info(make_error_code(http::client_error::bad_response), std::move(detail));
}

}  // namespace

void client_session::on_headers(const header_block& h) {
  if (failed_) return;
  // Decoded whatever happens next: the HPACK table must stay in step.
  const hpack::decode_result d = dec_.decode(h.block, fields_);
  if (!d.ok() && hpack::is_connection_error(d.err))
    return fail(error::compression_error,
                error_info(make_error_code(error::compression_error),
                           "the server's header block cannot be decoded (" +
                               std::string(hpack::reason_for(d.err)) + ")"));
  client_stream* s = find(h.stream_id);
  if (!s) {
    if (idle_stream(h.stream_id))
      fail(error::protocol_error, error_info(make_error_code(error::protocol_error),
                                             "HEADERS on stream " + std::to_string(h.stream_id) +
                                                 ", which the client did not open"));
    return;  // a stream we reset or finished: its late frames are dropped
  }
  ++s->received;
  progress(*s);
  if (s->remote_closed)
    return fail_stream(*s, bad_response("HEADERS after the response ended"), error::stream_closed);
  if (h.stream_error != error::no_error)
    return fail_stream(*s, bad_response("HEADERS that depend on their own stream"), h.stream_error);
  if (!d.ok())
    return fail_stream(*s,
                       bad_response("the response head passed max_response_head (" +
                                    std::to_string(pool_->opts().max_response_head) + " bytes)"),
                       error::cancel);
  if (s->head_done) return read_trailers(*s, h.end_stream);
  read_head(*s, h.end_stream);
}

void client_session::read_head(client_stream& s, bool end_stream) {
  http::client_response& r = s.x->response;
  const response_head_result head = read_response_head(fields_, r);
  if (head.error)
    return fail_stream(s, bad_response(std::string("a malformed response head: ") + head.error),
                       error::protocol_error);
  if (head.status < 200) {
    if (head.status == 101 || end_stream)
      return fail_stream(s,
                         bad_response("an informational response that ends the stream or "
                                      "switches protocols"),
                         error::protocol_error);
    return;  // 1xx: the final response follows
  }
  s.head_done = true;
  s.content_length = head.content_length;
  const std::uint32_t id = s.id;
  s.x->on_head(r);
  client_stream* again = find(id);
  if (!again || again != &s) return;  // abandoned from the callback
  if (end_stream) {
    s.remote_closed = true;
    if (s.paused)
      s.end_held = true;
    else
      finish_response(s);
  }
}

void client_session::read_trailers(client_stream& s, bool end_stream) {
  if (!end_stream)
    return fail_stream(s, bad_response("a second HEADERS without END_STREAM"),
                       error::protocol_error);
  if (const char* why = check_trailers(fields_))
    return fail_stream(s, bad_response(std::string("malformed trailers: ") + why),
                       error::protocol_error);
  s.remote_closed = true;
  if (s.paused)
    s.end_held = true;
  else
    finish_response(s);
}

void client_session::on_data(const data_piece& d) {
  if (failed_) return;
  if (d.first) {
    if (!conn_recv_.receive(d.frame_length))
      return fail(error::flow_control_error, error_info(make_error_code(error::flow_control_error),
                                                        "DATA over the connection window"));
    conn_recv_.consumed(d.frame_length);
  }
  client_stream* s = find(d.stream_id);
  if (!s) {
    if (idle_stream(d.stream_id))
      fail(error::protocol_error, error_info(make_error_code(error::protocol_error),
                                             "DATA on stream " + std::to_string(d.stream_id) +
                                                 ", which the client did not open"));
    return;
  }
  if (d.first) {
    ++s->received;
    progress(*s);
    if (s->remote_closed)
      return fail_stream(*s, bad_response("DATA after the response ended"), error::stream_closed);
    if (!s->head_done)
      return fail_stream(*s, bad_response("DATA before the response head"), error::protocol_error);
    if (!s->recv_win.receive(d.frame_length))
      return fail_stream(*s,
                         error_info(make_error_code(error::flow_control_error),
                                    "the server sent DATA over the stream's window"),
                         error::flow_control_error);
    s->frame_left = d.frame_length;
  }
  s->frame_left -= static_cast<std::uint32_t>(d.data.size());
  if (d.last && s->frame_left > 0) {
    credit(*s, s->frame_left);  // padding: nothing to deliver, credit now
    s->frame_left = 0;
  }
  s->body_received += d.data.size();
  if (s->content_length >= 0 && s->body_received > static_cast<std::uint64_t>(s->content_length))
    return fail_stream(
        *s,
        bad_response("more DATA than the content-length of " + std::to_string(s->content_length)),
        error::protocol_error);
  const std::uint32_t id = s->id;
  if (!d.data.empty()) deliver(*s, d.data);
  s = find(id);
  if (!s) return;
  if (d.last && d.end_stream) {
    s->remote_closed = true;
    if (s->paused)
      s->end_held = true;
    else
      finish_response(*s);
  }
}

void client_session::deliver(client_stream& s, std::string_view data) {
  if (s.paused) {
    s.held.append(data);
    return;
  }
  s.x->on_body(data);
  if (!s.closed) credit(s, static_cast<std::uint32_t>(data.size()));
}

void client_session::credit(client_stream& s, std::uint32_t n) {
  s.recv_win.consumed(n);
  if (s.remote_closed || failed_) return;
  if (const std::uint32_t inc = s.recv_win.take_update()) append_window_update(out_, s.id, inc);
}

void client_session::finish_response(client_stream& s) {
  if (s.closed) return;
  const int status = s.x->response.status;
  const bool no_body = s.x->outgoing().head || status == 204 || status == 304;
  if (!no_body && s.content_length >= 0 &&
      s.body_received != static_cast<std::uint64_t>(s.content_length))
    return fail_stream(
        s,
        bad_response("the response ended after " + std::to_string(s.body_received) +
                     " of its content-length of " + std::to_string(s.content_length) + " bytes"),
        error::protocol_error);
  // The response came before the whole request was sent (§8.1): the rest
  // of the request is not wanted. A tunnel's (RFC 8441) two halves end
  // apart: ours goes on until our own END_STREAM (request_sent).
  if (s.local_closed)
    close_stream(s);
  else if (s.x->outgoing().protocol.empty())
    reset_stream(s, error::cancel);
  else
    s.response_done = true;
  s.x->on_end();
}

// --- the exchange's side ---------------------------------------------------------------

void client_session::pause(http::detail::client_exchange& x, bool on) {
  client_stream* s = find(x);
  if (!s || s->paused == on) return;
  batch b(*this);
  s->paused = on;
  if (on) return;
  progress(*s);  // the read deadline starts again from the resume
  const std::uint32_t id = s->id;
  while (s && !s->paused && !s->held.empty()) {
    const std::string piece = std::move(s->held);
    s->held.clear();
    s->x->on_body(piece);
    s = find(id);
    if (s) credit(*s, static_cast<std::uint32_t>(piece.size()));
  }
  if (s && !s->paused && s->end_held) finish_response(*s);
}

void client_session::abandon(http::detail::client_exchange& x) {
  client_stream* s = find(x);
  if (!s) return;
  batch b(*this);
  // Unlike HTTP/1.1, the connection carries on: only this stream is reset.
  reset_stream(*s, error::cancel);
}

}  // namespace lwspp::h2
