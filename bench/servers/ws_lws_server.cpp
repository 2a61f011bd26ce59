// Benchmark peer: a WebSocket echo and broadcast server on libwebsockets
// (Debian's libwebsockets-dev, through pkg-config), for bench/ws_run.sh.
// Written for the benchmark from the lws API headers, in the shape lws's
// documentation recommends: receive into a per-session queue, ask for a
// writeable callback, write one message per LWS_CALLBACK_SERVER_WRITEABLE.
//
//   ws_lws_server PORT [--serv-buf BYTES]
//
// Listens on 127.0.0.1:PORT with one service thread (lws's default event
// loop, poll()). lws binds a WebSocket to a protocol by its subprotocol,
// not by its path, so the load tool offers one:
//   "echo"    every message comes back as it came (text as text, binary as binary)
//   "fanout"  a message from any client goes to every "fanout" client (the
//             sender too): it is stored once in a ring shared by all, and
//             lws_callback_on_writable_all_protocol() asks each member to
//             write what it has not written yet
// --serv-buf sets pt_serv_buf_size, the per-thread buffer lws reads into
// (lws's default is 4096; ws_run.sh passes 65536, as http_run.sh does, so
// that a 4 KiB message is not read in two pieces). SIGINT/SIGTERM stop it.
#include <libwebsockets.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) {
  g_interrupted = 1;
}

// A message with LWS_PRE bytes of headroom for lws's frame header.
struct message {
  message* next = nullptr;
  std::size_t len = 0;
  std::size_t cap = 0;
  bool binary = false;
  unsigned char* buf = nullptr;  // LWS_PRE + cap bytes

  unsigned char* payload() { return buf + LWS_PRE; }
};

// A buffer from the start: lws_write needs headroom even for an empty message.
message* new_message() {
  auto* m = new message();
  m->cap = 256;
  m->buf = static_cast<unsigned char*>(std::malloc(LWS_PRE + m->cap));
  return m;
}

void free_message(message* m) {
  std::free(m->buf);
  delete m;
}

// Appends a received piece; false when out of memory.
bool append(message& m, const void* in, std::size_t len) {
  if (m.len + len > m.cap) {
    std::size_t cap = m.cap;
    while (cap < m.len + len)
      cap *= 2;
    auto* nb = static_cast<unsigned char*>(std::realloc(m.buf, LWS_PRE + cap));
    if (!nb) return false;
    m.buf = nb;
    m.cap = cap;
  }
  std::memcpy(m.payload() + m.len, in, len);
  m.len += len;
  return true;
}

// The part of a session that collects a message that arrives in pieces.
// Plain data: lws allocates per-session data zeroed and frees it itself.
struct receiver {
  message* partial;
};

// Feeds one LWS_CALLBACK_RECEIVE; returns the message once it is whole.
message* receive(receiver& r, struct lws* wsi, const void* in, std::size_t len, bool& failed) {
  if (!r.partial) {
    r.partial = new_message();
    r.partial->binary = lws_frame_is_binary(wsi);
  }
  if (!r.partial->buf || !append(*r.partial, in, len)) {
    failed = true;
    return nullptr;
  }
  if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0) return nullptr;
  message* m = r.partial;
  r.partial = nullptr;
  return m;
}

int write_message(struct lws* wsi, message& m) {
  const auto n = lws_write(wsi, m.payload(), m.len, m.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
  return n < static_cast<int>(m.len) ? -1 : 0;
}

// --- echo --------------------------------------------------------------------------

struct echo_session {
  receiver rx;
  message* head;  // queued echoes, oldest first
  message* tail;
};

int callback_echo(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in,
                  std::size_t len) {
  auto* s = static_cast<echo_session*>(user);
  switch (reason) {
    case LWS_CALLBACK_RECEIVE: {
      bool failed = false;
      message* m = receive(s->rx, wsi, in, len, failed);
      if (failed) return -1;
      if (!m) return 0;
      if (s->tail)
        s->tail->next = m;
      else
        s->head = m;
      s->tail = m;
      lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
      message* m = s->head;
      if (!m) return 0;
      s->head = m->next;
      if (!s->head) s->tail = nullptr;
      const int rc = write_message(wsi, *m);
      free_message(m);
      if (rc) return -1;
      if (s->head) lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLOSED:
      while (message* m = s->head) {
        s->head = m->next;
        free_message(m);
      }
      s->tail = nullptr;
      if (s->rx.partial) free_message(s->rx.partial);
      s->rx.partial = nullptr;
      return 0;
    default:
      return 0;
  }
}

// --- fanout ------------------------------------------------------------------------

// The last ring_size published messages; message number k is in slot
// k % ring_size. A member that falls further behind skips ahead (the load
// tool reports the gap); its pipelining depth keeps that from happening.
constexpr std::uint64_t ring_size = 1024;
std::vector<message> ring(ring_size);
std::uint64_t published = 0;  // messages published so far

struct fanout_session {
  receiver rx;
  std::uint64_t next;  // the next message number this member writes
};

int callback_fanout(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in,
                    std::size_t len) {
  auto* s = static_cast<fanout_session*>(user);
  switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
      s->next = published;
      return 0;
    case LWS_CALLBACK_RECEIVE: {
      bool failed = false;
      message* m = receive(s->rx, wsi, in, len, failed);
      if (failed) return -1;
      if (!m) return 0;
      // Keep the slot's buffer, take the new message's bytes.
      message& slot = ring[published % ring_size];
      std::swap(slot.buf, m->buf);
      std::swap(slot.cap, m->cap);
      slot.len = m->len;
      slot.binary = m->binary;
      free_message(m);
      ++published;
      lws_callback_on_writable_all_protocol(lws_get_context(wsi), lws_get_protocol(wsi));
      return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
      if (s->next >= published) return 0;
      if (published - s->next > ring_size) s->next = published - ring_size;
      // Every member writes the same slot: lws puts the (unmasked, identical)
      // frame header into its headroom each time.
      if (write_message(wsi, ring[s->next % ring_size])) return -1;
      ++s->next;
      if (s->next < published) lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLOSED:
      if (s->rx.partial) free_message(s->rx.partial);
      s->rx.partial = nullptr;
      return 0;
    default:
      return 0;
  }
}

const struct lws_protocols protocols[] = {
    // protocols[0] gets the plain HTTP callbacks: lws's stock handler.
    {"http", lws_callback_http_dummy, 0, 0, 0, nullptr, 0},
    {"echo", callback_echo, sizeof(echo_session), 0, 0, nullptr, 0},
    {"fanout", callback_fanout, sizeof(fanout_session), 0, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: ws_lws_server PORT [--serv-buf BYTES]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const int port = std::atoi(argv[1]);
  unsigned serv_buf = 0;  // 0: lws's default
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--serv-buf" && i + 1 < argc)
      serv_buf = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    else
      usage();
  }
  if (port <= 0 || port > 65535) usage();

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  lws_set_log_level(LLL_ERR | LLL_WARN, nullptr);

  struct lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = port;
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  info.count_threads = 1;
  info.pt_serv_buf_size = serv_buf;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6;

  struct lws_context* context = lws_create_context(&info);
  if (!context) {
    std::fprintf(stderr, "ws_lws_server: lws_create_context failed\n");
    return 1;
  }
  int n = 0;
  while (n >= 0 && !g_interrupted)
    n = lws_service(context, 0);
  lws_context_destroy(context);
  return 0;
}
