// PROBE, NOT lwspp: a throwaway io_uring HTTP/1.1 "hello" server, written to
// answer one question (bench/RESULTS.md, "HTTP/1.1 hello: can io_uring reach
// 1.3x nginx per server CPU-second?"): how little kernel + user CPU a
// keep-alive hello request can cost on this machine when the loop is driven
// by io_uring instead of epoll + read + send. It is not a server:
//   - it does not parse HTTP: every "\r\n\r\n" it receives counts as one
//     request and is answered with the same fixed 200 response (the Date is a
//     constant string), whatever the method, path or body;
//   - it never times anything out and has no limits but the fd table.
// Do not use it for anything but measuring. It uses io_uring through raw
// syscalls and <linux/io_uring.h> only (no liburing, which is not one of the
// project's dependencies), and no SQPOLL: a kernel polling thread would do
// the work outside this process's CPU time and dodge the measure.
//
//   uring_hello_probe PORT [--no-defer] [--send-syscall] [--poll] [--no-register-ring]
//
// Default: IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN (completions run only
// when we ask, in one batch), the ring fd registered, one multishot accept,
// one multishot recv per connection reading into a provided-buffer ring,
// one IORING_OP_SEND per connection per loop turn for every request counted
// in that turn (at most one send in flight per connection; bytes owed while
// it is in flight go in the next one), and one io_uring_enter per loop turn
// that submits everything queued and waits for at least one completion.
//   --no-defer          no DEFER_TASKRUN (task work runs on any kernel entry)
//   --send-syscall      answer with send(2) (once per connection per turn)
//                       instead of an SQE: io_uring for waiting and reading only
//   --poll              io_uring as an epoll replacement only: a multishot
//                       POLL_ADD per connection, then read(2) and send(2) as
//                       an epoll loop would (implies --send-syscall)
//   --no-register-ring  io_uring_enter by the plain ring fd
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// The same length and header set as nginx's `return 200 "Hello, world!"`.
constexpr std::string_view response =
    "HTTP/1.1 200 OK\r\n"
    "Server: probe/0.0.0\r\n"
    "Date: Sat, 21 Nov 2026 20:30:00 GMT\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 13\r\n"
    "Connection: keep-alive\r\n"
    "\r\n"
    "Hello, world!";
// Responses owed are sent from this many copies back to back, so that one
// send can answer a pipelined batch and a short send can resume mid-response.
constexpr std::size_t copies = 64;

constexpr unsigned sq_entries = 4096;
constexpr unsigned buf_entries = 1024;  // provided buffers (a power of two)
constexpr unsigned buf_size = 4096;
constexpr unsigned buf_group = 1;

enum op : std::uint64_t {
  op_accept = 1,
  op_recv = 2,
  op_send = 3,
  op_poll = 4,
  op_poll_remove = 5
};
std::uint64_t tag(op o, int fd) {
  return (std::uint64_t{o} << 32) | static_cast<std::uint32_t>(fd);
}

struct conn {
  bool open = false;
  bool recv_armed = false;  // the multishot recv or poll is still armed
  bool send_in_flight = false;
  bool closing = false;
  std::uint8_t match = 0;  // bytes of "\r\n\r\n" matched at the end of the last recv
  std::uint64_t owed = 0;  // response bytes not yet handed to a send
  std::uint64_t sent = 0;  // response bytes sent so far (to resume mid-response)
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "uring_hello_probe: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

template <class T>
T load_acquire(T* p) {
  return std::atomic_ref<T>(*p).load(std::memory_order_acquire);
}
template <class T>
void store_release(T* p, T v) {
  std::atomic_ref<T>(*p).store(v, std::memory_order_release);
}

struct ring {
  int fd = -1;
  unsigned enter_flags = IORING_ENTER_GETEVENTS;
  int enter_fd = -1;
  // SQ
  unsigned* sq_head = nullptr;
  unsigned* sq_tail = nullptr;
  unsigned sq_mask = 0;
  unsigned* sq_array = nullptr;
  io_uring_sqe* sqes = nullptr;
  unsigned local_tail = 0;
  unsigned pending = 0;
  // CQ
  unsigned* cq_head = nullptr;
  unsigned* cq_tail = nullptr;
  unsigned cq_mask = 0;
  io_uring_cqe* cqes = nullptr;

  void setup(unsigned flags) {
    io_uring_params p{};
    p.flags = flags | IORING_SETUP_CQSIZE;
    p.cq_entries = sq_entries * 4;
    fd = static_cast<int>(::syscall(SYS_io_uring_setup, sq_entries, &p));
    if (fd < 0) die("io_uring_setup");
    if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
      errno = ENOSYS;
      die("io_uring without IORING_FEAT_SINGLE_MMAP");
    }
    const std::size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    const std::size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
    const std::size_t len = sq_len > cq_len ? sq_len : cq_len;
    auto* base = static_cast<char*>(::mmap(nullptr, len, PROT_READ | PROT_WRITE,
                                           MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING));
    if (base == MAP_FAILED) die("mmap sq/cq ring");
    sq_head = reinterpret_cast<unsigned*>(base + p.sq_off.head);
    sq_tail = reinterpret_cast<unsigned*>(base + p.sq_off.tail);
    sq_mask = *reinterpret_cast<unsigned*>(base + p.sq_off.ring_mask);
    sq_array = reinterpret_cast<unsigned*>(base + p.sq_off.array);
    cq_head = reinterpret_cast<unsigned*>(base + p.cq_off.head);
    cq_tail = reinterpret_cast<unsigned*>(base + p.cq_off.tail);
    cq_mask = *reinterpret_cast<unsigned*>(base + p.cq_off.ring_mask);
    cqes = reinterpret_cast<io_uring_cqe*>(base + p.cq_off.cqes);
    sqes = static_cast<io_uring_sqe*>(::mmap(nullptr, p.sq_entries * sizeof(io_uring_sqe),
                                             PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                                             IORING_OFF_SQES));
    if (sqes == MAP_FAILED) die("mmap sqes");
    // The index array is the identity: slot i of the ring is sqe i.
    for (unsigned i = 0; i <= sq_mask; ++i)
      sq_array[i] = i;
    local_tail = *sq_tail;
    enter_fd = fd;
  }

  // Registering the ring fd saves the fd lookup on every io_uring_enter.
  void register_ring_fd() {
    io_uring_rsrc_update up{};
    up.offset = -1U;  // any free slot
    up.data = static_cast<__u64>(static_cast<unsigned>(fd));
    if (::syscall(SYS_io_uring_register, fd, IORING_REGISTER_RING_FDS, &up, 1) != 1)
      die("IORING_REGISTER_RING_FDS");
    enter_fd = static_cast<int>(up.offset);
    enter_flags |= IORING_ENTER_REGISTERED_RING;
  }

  io_uring_sqe* next_sqe() {
    if (local_tail - load_acquire(sq_head) > sq_mask) submit_and_wait(0);  // full: flush first
    io_uring_sqe* s = &sqes[local_tail & sq_mask];
    std::memset(s, 0, sizeof *s);
    ++local_tail;
    ++pending;
    return s;
  }

  void submit_and_wait(unsigned wait_nr) {
    store_release(sq_tail, local_tail);
    for (;;) {
      const long r =
          ::syscall(SYS_io_uring_enter, enter_fd, pending, wait_nr,
                    wait_nr ? enter_flags : (enter_flags & ~IORING_ENTER_GETEVENTS), nullptr, 0);
      if (r >= 0) {
        pending -= static_cast<unsigned>(r);
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EBUSY) return;  // CQ pressure: reap, then go on
      die("io_uring_enter");
    }
  }
};

// The provided-buffer ring multishot recv picks its buffers from. Reached as
// a plain io_uring_buf array, not through io_uring_buf_ring: in C++ the
// header's __DECLARE_FLEX_ARRAY puts an empty struct (size 1) before `bufs`,
// which moves every entry 8 bytes away from where the kernel reads it. The
// ring's tail overlays the `resv` field of entry 0, as the kernel defines.
struct buffers {
  io_uring_buf* br = nullptr;
  char* mem = nullptr;
  unsigned tail = 0;

  void setup(int ring_fd) {
    const std::size_t ring_len = buf_entries * sizeof(io_uring_buf);
    void* r = ::mmap(nullptr, ring_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED) die("mmap buffer ring");
    br = static_cast<io_uring_buf*>(r);
    mem = static_cast<char*>(std::aligned_alloc(4096, std::size_t{buf_entries} * buf_size));
    if (!mem) die("buffers");
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(br);
    reg.ring_entries = buf_entries;
    reg.bgid = buf_group;
    if (::syscall(SYS_io_uring_register, ring_fd, IORING_REGISTER_PBUF_RING, &reg, 1) != 0)
      die("IORING_REGISTER_PBUF_RING (needs Linux 5.19)");
    for (unsigned i = 0; i < buf_entries; ++i)
      give_back(static_cast<std::uint16_t>(i));
    publish();
  }
  char* data(std::uint16_t bid) const { return mem + std::size_t{bid} * buf_size; }
  void give_back(std::uint16_t bid) {
    io_uring_buf& b = br[tail & (buf_entries - 1)];
    b.addr = reinterpret_cast<std::uint64_t>(data(bid));
    b.len = buf_size;
    b.bid = bid;
    ++tail;
  }
  // One release store per loop turn makes every buffer given back visible.
  void publish() { store_release(&br[0].resv, static_cast<std::uint16_t>(tail)); }
};

struct server {
  ring r;
  buffers bufs;
  std::vector<conn> conns;
  std::string many;  // `copies` responses back to back
  int listen_fd = -1;
  bool send_syscall = false;
  bool poll_mode = false;
  std::vector<char> read_buf = std::vector<char>(64 * 1024);
  std::vector<int> dirty;  // connections that owe bytes after this batch of completions

  void arm_accept() {
    io_uring_sqe* s = r.next_sqe();
    s->opcode = IORING_OP_ACCEPT;
    s->fd = listen_fd;
    s->ioprio = IORING_ACCEPT_MULTISHOT;
    s->user_data = tag(op_accept, listen_fd);
  }
  void arm_recv(int fd) {
    if (poll_mode) return arm_poll(fd);
    io_uring_sqe* s = r.next_sqe();
    s->opcode = IORING_OP_RECV;
    s->fd = fd;
    s->ioprio = IORING_RECV_MULTISHOT;
    s->flags = IOSQE_BUFFER_SELECT;
    s->buf_group = buf_group;
    s->user_data = tag(op_recv, fd);
    conns[static_cast<std::size_t>(fd)].recv_armed = true;
  }
  void arm_poll(int fd) {
    io_uring_sqe* s = r.next_sqe();
    s->opcode = IORING_OP_POLL_ADD;
    s->fd = fd;
    s->len = IORING_POLL_ADD_MULTI;
    s->poll32_events = POLLIN | POLLRDHUP;  // little-endian: the kernel's own layout
    s->user_data = tag(op_poll, fd);
    conns[static_cast<std::size_t>(fd)].recv_armed = true;
  }
  // Poll mode: read until a short read, as lwspp's connection does.
  void on_readable(int fd) {
    conn& c = conns[static_cast<std::size_t>(fd)];
    for (;;) {
      const ssize_t n = ::read(fd, read_buf.data(), read_buf.size());
      if (n > 0) {
        const std::uint64_t reqs = count_requests(c, read_buf.data(), static_cast<std::size_t>(n));
        if (reqs) {
          if (!c.owed) dirty.push_back(fd);
          c.owed += reqs * response.size();
        }
        if (static_cast<std::size_t>(n) < read_buf.size()) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      close_conn(fd);  // EOF or error
      return;
    }
  }
  void close_conn(int fd) {
    conn& c = conns[static_cast<std::size_t>(fd)];
    // A multishot recv still armed ends (with EOF) once the socket is shut.
    if (c.recv_armed && !poll_mode) ::shutdown(fd, SHUT_RDWR);
    if (c.recv_armed && poll_mode && !c.closing) {
      io_uring_sqe* s = r.next_sqe();
      s->opcode = IORING_OP_POLL_REMOVE;
      s->addr = tag(op_poll, fd);
      s->user_data = tag(op_poll_remove, fd);
    }
    c.closing = true;
    // The fd number may be reused by the next accept only once no operation
    // of ours still names it.
    if (c.send_in_flight || c.recv_armed) return;
    ::close(fd);
    c = conn{};
  }
  void send_owed(int fd) {
    conn& c = conns[static_cast<std::size_t>(fd)];
    const std::size_t off = c.sent % response.size();
    const std::size_t len =
        static_cast<std::size_t>(std::min<std::uint64_t>(c.owed, many.size() - off));
    if (send_syscall) {
      const ssize_t n = ::send(fd, many.data() + off, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        // A full socket buffer does not happen with this load; give up on it.
        close_conn(fd);
        return;
      }
      c.owed -= static_cast<std::uint64_t>(n);
      c.sent += static_cast<std::uint64_t>(n);
      if (c.owed) dirty.push_back(fd);
      return;
    }
    io_uring_sqe* s = r.next_sqe();
    s->opcode = IORING_OP_SEND;
    s->fd = fd;
    s->addr = reinterpret_cast<std::uint64_t>(many.data() + off);
    s->len = static_cast<std::uint32_t>(len);
    s->msg_flags = MSG_NOSIGNAL;
    s->user_data = tag(op_send, fd);
    c.send_in_flight = true;
  }

  // Requests in this piece: "\r\n\r\n" counted across recv boundaries.
  static std::uint64_t count_requests(conn& c, const char* p, std::size_t n) {
    static constexpr char end[4] = {'\r', '\n', '\r', '\n'};
    std::uint64_t found = 0;
    unsigned m = c.match;
    for (std::size_t i = 0; i < n; ++i) {
      if (p[i] == end[m]) {
        if (++m == 4) {
          ++found;
          m = 0;
        }
      } else {
        m = (p[i] == '\r') ? 1 : 0;
      }
    }
    c.match = static_cast<std::uint8_t>(m);
    return found;
  }

  void on_cqe(const io_uring_cqe& e) {
    const auto o = static_cast<op>(e.user_data >> 32);
    const int fd = static_cast<int>(e.user_data & 0xffffffffu);
    const bool more = e.flags & IORING_CQE_F_MORE;
    switch (o) {
      case op_accept:
        if (e.res >= 0) {
          const int cfd = e.res;
          if (static_cast<std::size_t>(cfd) >= conns.size())
            conns.resize(static_cast<std::size_t>(cfd) + 1);
          conns[static_cast<std::size_t>(cfd)] = conn{.open = true};
          const int one = 1;
          ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          arm_recv(cfd);
        } else if (e.res != -EINTR && e.res != -ECONNABORTED) {
          errno = -e.res;
          die("accept");  // a probe: no retry policy for a broken listener
        }
        if (!more) arm_accept();
        return;
      case op_recv: {
        conn& c = conns[static_cast<std::size_t>(fd)];
        if (!more) c.recv_armed = false;
        if (e.res > 0 && (e.flags & IORING_CQE_F_BUFFER)) {
          const auto bid = static_cast<std::uint16_t>(e.flags >> IORING_CQE_BUFFER_SHIFT);
          const std::uint64_t n =
              count_requests(c, bufs.data(bid), static_cast<std::size_t>(e.res));
          bufs.give_back(bid);
          if (n && !c.closing) {
            if (!c.owed && !c.send_in_flight) dirty.push_back(fd);
            c.owed += n * response.size();
          }
          if (!more && !c.closing) arm_recv(fd);
          return;
        }
        if (e.res == -ENOBUFS && !c.closing) {  // out of buffers for a moment: they come back below
          if (!more) arm_recv(fd);
          return;
        }
        if (!more) close_conn(fd);  // EOF or error
        return;
      }
      case op_poll: {
        conn& c = conns[static_cast<std::size_t>(fd)];
        if (!more) c.recv_armed = false;
        if (!c.closing && e.res > 0) on_readable(fd);
        if (!c.open) return;  // closed (and forgotten) just now
        if (c.closing) {
          if (!c.recv_armed) close_conn(fd);
          return;
        }
        if (!more) arm_poll(fd);
        return;
      }
      case op_poll_remove:
        return;
      case op_send: {
        conn& c = conns[static_cast<std::size_t>(fd)];
        c.send_in_flight = false;
        if (e.res < 0 || c.closing) {
          close_conn(fd);
          return;
        }
        c.owed -= static_cast<std::uint64_t>(e.res);
        c.sent += static_cast<std::uint64_t>(e.res);
        if (c.owed) dirty.push_back(fd);
        return;
      }
    }
  }

  [[noreturn]] void run() {
    arm_accept();
    std::vector<int> now;
    for (;;) {
      r.submit_and_wait(dirty.empty() ? 1 : 0);  // --send-syscall may leave bytes owed
      unsigned head = *r.cq_head;
      const unsigned tail = load_acquire(r.cq_tail);
      for (; head != tail; ++head)
        on_cqe(r.cqes[head & r.cq_mask]);
      store_release(r.cq_head, head);
      bufs.publish();
      // One send per connection for everything it asked for in this batch.
      now.swap(dirty);
      dirty.clear();
      for (int fd : now) {
        conn& c = conns[static_cast<std::size_t>(fd)];
        if (c.owed && !c.send_in_flight && !c.closing) send_owed(fd);
      }
      now.clear();
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: uring_hello_probe PORT [--no-defer] [--send-syscall] [--no-register-ring]\n");
    return 2;
  }
  unsigned flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  bool register_ring = true;
  server s;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--no-defer")
      flags = 0;
    else if (a == "--send-syscall")
      s.send_syscall = true;
    else if (a == "--poll")
      s.poll_mode = s.send_syscall = true;
    else if (a == "--no-register-ring")
      register_ring = false;
    else {
      std::fprintf(stderr, "uring_hello_probe: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) die("socket");
  const int one = 1;
  ::setsockopt(s.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) die("bind");
  if (::listen(s.listen_fd, 4096) < 0) die("listen");
  s.r.setup(flags);
  if (register_ring) s.r.register_ring_fd();
  s.bufs.setup(s.r.fd);
  s.conns.resize(1024);
  for (std::size_t i = 0; i < copies; ++i)
    s.many += response;
  s.run();
}
