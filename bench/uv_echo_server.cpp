// Benchmark peer: a TCP echo server written directly against libuv, the way
// libuv's own docs and uvbook write one — uv_tcp_t per client, uv_read_start
// with an alloc_cb that hands out a malloc'd buffer of the suggested size, one
// uv_write_t per read that owns that buffer, freed in the write callback.
// TCP_NODELAY on every client, like lwspp's listener; SIGPIPE ignored.
//
//   uv_echo_server [port]        (default 7682; listens on 127.0.0.1 only)
//
// Backpressure mirrors lwspp's defaults: when more than 256 KiB wait in a
// client's write queue, reading stops; it resumes once the queue is below
// 128 KiB. Stop with SIGINT or SIGTERM.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr size_t high_water = 256 * 1024;

struct client {
  uv_tcp_t tcp;  // first member: a uv_stream_t* is a client*
  bool paused = false;
};

struct write_req {
  uv_write_t req;  // first member: a uv_write_t* is a write_req*
  uv_buf_t buf;
};

void on_alloc(uv_handle_t*, size_t suggested, uv_buf_t* buf) {
  buf->base = static_cast<char*>(std::malloc(suggested));
  buf->len = buf->base ? suggested : 0;
}

void on_closed(uv_handle_t* h) {
  delete reinterpret_cast<client*>(h);
}

void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);

void on_write(uv_write_t* req, int status) {
  auto* c = reinterpret_cast<client*>(req->handle);
  auto* w = reinterpret_cast<write_req*>(req);
  std::free(w->buf.base);
  delete w;
  if (status < 0) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&c->tcp)))
      uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), on_closed);
    return;
  }
  if (c->paused && c->tcp.write_queue_size <= high_water / 2) {
    c->paused = false;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), on_alloc, on_read);
  }
}

void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* c = reinterpret_cast<client*>(s);
  if (nread > 0) {
    auto* w = new write_req;
    w->buf = uv_buf_init(buf->base, static_cast<unsigned>(nread));
    if (uv_write(&w->req, s, &w->buf, 1, on_write) < 0) {
      std::free(buf->base);
      delete w;
      uv_close(reinterpret_cast<uv_handle_t*>(s), on_closed);
      return;
    }
    if (s->write_queue_size > high_water) {
      c->paused = true;
      uv_read_stop(s);
    }
    return;
  }
  std::free(buf->base);  // nread == 0 (EAGAIN) or an error: the buffer is unused
  if (nread < 0 && !uv_is_closing(reinterpret_cast<uv_handle_t*>(s)))
    uv_close(reinterpret_cast<uv_handle_t*>(s), on_closed);
}

void on_connection(uv_stream_t* server, int status) {
  if (status < 0) return;
  auto* c = new client;
  uv_tcp_init(server->loop, &c->tcp);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), on_closed);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), on_alloc, on_read);
}

void on_signal(uv_signal_t* sig, int) {
  uv_stop(sig->loop);
}

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 7682;
  // libuv writes with write(2): a peer that resets mid-write would kill the
  // process with SIGPIPE (lwspp uses MSG_NOSIGNAL instead).
  std::signal(SIGPIPE, SIG_IGN);
  uv_loop_t* loop = uv_default_loop();

  uv_tcp_t server;
  uv_tcp_init(loop, &server);
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", port, &addr);
  int r = uv_tcp_bind(&server, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (r == 0) r = uv_listen(reinterpret_cast<uv_stream_t*>(&server), 4096, on_connection);
  if (r != 0) {
    std::fprintf(stderr, "uv_echo_server: 127.0.0.1:%d: %s\n", port, uv_strerror(r));
    return 1;
  }

  uv_signal_t sigint, sigterm;
  uv_signal_init(loop, &sigint);
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigint, on_signal, SIGINT);
  uv_signal_start(&sigterm, on_signal, SIGTERM);

  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}
