// echo_load — a load generator for TCP echo servers, written on plain epoll
// (no lwspp) so that the tool measuring lwspp shares no code with it.
//
// Throughput mode:
//   echo_load --port P [--host 127.0.0.1] --conns N --inflight K --size S
//             [--secs T] [--warmup W] [--pid SERVER_PID]
//   Opens N connections; each keeps K messages of S bytes in flight (a
//   ping-pong window: every complete echoed message is answered by a new
//   one). Every echoed byte is checked against what was sent. After W
//   seconds of warm-up it measures for T seconds and prints one line:
//     msgs=<completed in window> secs=<window> rate=<msgs/s> conns=N inflight=K size=S
//       srv_ticks=<server utime+stime over the window, clock ticks; -1 without --pid>
//       clk_tck=<ticks per second> load_cpu=<this tool's CPU-seconds over the window>
//       cpu_busy_ticks=<busy ticks of cpu0,cpu1,... over the window, from /proc/stat>
//   (the busy ticks let a caller see how much else ran on the cores meanwhile)
//
// Idle mode:
//   echo_load --port P --idle N [--hold H]
//   Opens N connections (at most 256 connects outstanding), exchanges one
//   16-byte message on each so the server has surely accepted and served it,
//   prints "idle conns=N ready=1 setup_secs=..." and keeps them open, silent,
//   for H seconds (default 5) or until SIGTERM/SIGINT.
//
// Exit status: 0 ok, 1 usage or setup error, 2 echoed bytes did not match,
// 3 a connection failed or closed during the run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

// The byte at stream offset o of connection c is pattern[(o + c * 37) % period]:
// a misrouted, dropped, duplicated or corrupted byte shows up as a mismatch.
constexpr std::size_t period = 251;
constexpr std::size_t max_chunk = 64 * 1024;
unsigned char pattern[period + max_chunk];

void init_pattern() {
  for (std::size_t i = 0; i < sizeof pattern; ++i)
    pattern[i] = static_cast<unsigned char>((i % period) * 97 + 13);
}

const unsigned char* pattern_at(std::uint64_t offset, unsigned conn) {
  return pattern + (offset + conn * 37ull) % period;
}

double now_secs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double self_cpu_secs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

// utime + stime (fields 14 and 15 of /proc/PID/stat), in clock ticks; -1 on error.
long long proc_ticks(int pid) {
  if (pid <= 0) return -1;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // comm (field 2) may contain spaces: fields after it start after the last ')'.
  const char* p = std::strrchr(buf, ')');
  if (!p) return -1;
  ++p;
  unsigned long long ut = 0, st = 0;
  // fields 3..13 skipped, then utime (14) and stime (15)
  if (std::sscanf(p, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return -1;
  return static_cast<long long>(ut + st);
}

// Busy ticks (everything but idle and iowait) of each CPU from /proc/stat.
std::vector<long long> cpu_busy_ticks() {
  std::vector<long long> out;
  FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return out;
  char line[512];
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "cpu", 3) != 0) break;
    if (line[3] < '0' || line[3] > '9') continue;  // the aggregate "cpu " line
    unsigned long long v[8] = {};
    if (std::sscanf(line + 3, "%*u %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                    &v[3], &v[4], &v[5], &v[6], &v[7]) < 8)
      break;
    // user nice system idle iowait irq softirq steal
    out.push_back(static_cast<long long>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]));
  }
  std::fclose(f);
  return out;
}

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  unsigned conns = 1;
  unsigned inflight = 1;
  std::size_t size = 64;
  double secs = 10;
  double warmup = 1;
  int pid = 0;
  unsigned idle = 0;
  double hold = 5;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "echo_load: %s\n"
               "usage: echo_load --port P [--host H] --conns N --inflight K --size S "
               "[--secs T] [--warmup W] [--pid SERVER_PID]\n"
               "       echo_load --port P [--host H] --idle N [--hold H]\n",
               msg);
  std::exit(1);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::atoi(v);
    else if (a == "--conns")
      o.conns = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--inflight")
      o.inflight = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--size")
      o.size = std::strtoull(v, nullptr, 10);
    else if (a == "--secs")
      o.secs = std::atof(v);
    else if (a == "--warmup")
      o.warmup = std::atof(v);
    else if (a == "--pid")
      o.pid = std::atoi(v);
    else if (a == "--idle")
      o.idle = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--hold")
      o.hold = std::atof(v);
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.idle == 0) {
    if (o.conns == 0 || o.inflight == 0 || o.size == 0) usage("conns, inflight, size must be > 0");
    if (o.secs <= 0 || o.secs > 3600 || o.warmup < 0) usage("secs must be in (0, 3600]");
  }
  return o;
}

struct conn {
  int fd = -1;
  unsigned index = 0;
  std::uint64_t tx = 0;    // bytes written
  std::uint64_t rx = 0;    // bytes received and verified
  std::uint64_t owed = 0;  // bytes we want to write but have not yet
  bool want_out = false;   // EPOLLOUT armed
  bool connected = false;
  bool done = false;  // idle mode: ping echoed
};

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int open_socket(const sockaddr_in& sa) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0 &&
      errno != EINPROGRESS) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

void arm(int ep, conn& c, bool out) {
  epoll_event ev{};
  ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_out = out;
}

// Writes as much of c.owed as the socket takes. false on a hard error.
bool pump_out(int ep, conn& c) {
  while (c.owed > 0) {
    const std::size_t n = c.owed < max_chunk ? static_cast<std::size_t>(c.owed) : max_chunk;
    const ssize_t w = ::send(c.fd, pattern_at(c.tx, c.index), n, MSG_NOSIGNAL);
    if (w > 0) {
      c.tx += static_cast<std::uint64_t>(w);
      c.owed -= static_cast<std::uint64_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.want_out) arm(ep, c, true);
      return true;
    }
    return false;
  }
  if (c.want_out) arm(ep, c, false);
  return true;
}

// Reads what is there, verifies it; returns bytes read, or -1 on error/EOF,
// -2 on a mismatch.
long long drain_in(conn& c, unsigned char* buf) {
  long long total = 0;
  for (;;) {
    const ssize_t r = ::recv(c.fd, buf, max_chunk, 0);
    if (r > 0) {
      if (std::memcmp(buf, pattern_at(c.rx, c.index), static_cast<std::size_t>(r)) != 0) {
        std::fprintf(stderr, "echo_load: conn %u: echoed bytes differ near offset %llu\n", c.index,
                     static_cast<unsigned long long>(c.rx));
        return -2;
      }
      c.rx += static_cast<std::uint64_t>(r);
      total += r;
      if (static_cast<std::size_t>(r) < max_chunk) return total;
      continue;
    }
    if (r == 0) {
      std::fprintf(stderr, "echo_load: conn %u: server closed the connection\n", c.index);
      return -1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return total;
    std::fprintf(stderr, "echo_load: conn %u: recv: %s\n", c.index, std::strerror(errno));
    return -1;
  }
}

bool connect_all(int ep, const sockaddr_in& sa, std::vector<conn>& conns, unsigned max_pending,
                 double deadline) {
  unsigned next = 0, pending = 0, up = 0;
  const unsigned n = static_cast<unsigned>(conns.size());
  epoll_event events[512];
  while (up < n) {
    while (next < n && pending < max_pending) {
      conn& c = conns[next];
      c.index = next++;
      c.fd = open_socket(sa);
      if (c.fd < 0) {
        std::fprintf(stderr, "echo_load: connect #%u: %s\n", c.index, std::strerror(errno));
        return false;
      }
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.ptr = &c;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
      ++pending;
    }
    const int k = ::epoll_wait(ep, events, 512, 100);
    if (now_secs() > deadline) {
      std::fprintf(stderr, "echo_load: only %u of %u connections up before the deadline\n", up, n);
      return false;
    }
    for (int i = 0; i < k; ++i) {
      conn& c = *static_cast<conn*>(events[i].data.ptr);
      if (c.connected) continue;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        std::fprintf(stderr, "echo_load: connect #%u: %s\n", c.index, std::strerror(err));
        return false;
      }
      c.connected = true;
      --pending;
      ++up;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = &c;
      ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    }
  }
  return true;
}

int run_idle(const options& o, const sockaddr_in& sa) {
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<conn> conns(o.idle);
  const double t0 = now_secs();
  if (!connect_all(ep, sa, conns, 256, t0 + 60)) return 3;
  // One 16-byte ping per connection, echoed back, so every connection has
  // been accepted and served once.
  constexpr std::size_t ping = 16;
  for (conn& c : conns) {
    c.owed = ping;
    if (!pump_out(ep, c)) return 3;
  }
  unsigned char buf[max_chunk];
  epoll_event events[512];
  unsigned done = 0;
  while (done < o.idle) {
    const int k = ::epoll_wait(ep, events, 512, 100);
    if (now_secs() - t0 > 60) {
      std::fprintf(stderr, "echo_load: %u of %u pings echoed before the deadline\n", done, o.idle);
      return 3;
    }
    for (int i = 0; i < k; ++i) {
      conn& c = *static_cast<conn*>(events[i].data.ptr);
      if (events[i].events & EPOLLOUT && !pump_out(ep, c)) return 3;
      if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        const long long r = drain_in(c, buf);
        if (r == -2) return 2;
        if (r < 0) return 3;
        if (!c.done && c.rx >= ping) {
          c.done = true;
          ++done;
        }
      }
    }
  }
  std::printf("idle conns=%u ready=1 setup_secs=%.3f\n", o.idle, now_secs() - t0);
  std::fflush(stdout);
  const double until = now_secs() + o.hold;
  while (!g_stop && now_secs() < until)
    ::usleep(20000);
  for (conn& c : conns)
    ::close(c.fd);
  ::close(ep);
  return 0;
}

int run_load(const options& o, const sockaddr_in& sa) {
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<conn> conns(o.conns);
  if (!connect_all(ep, sa, conns, 256, now_secs() + 30)) return 3;
  for (conn& c : conns) {
    c.owed = static_cast<std::uint64_t>(o.inflight) * o.size;
    if (!pump_out(ep, c)) return 3;
  }

  static unsigned char buf[max_chunk];
  std::vector<epoll_event> events(o.conns < 1024 ? o.conns + 1 : 1024);
  std::uint64_t msgs = 0;  // messages completed (echoed in full) so far
  const double start = now_secs();
  const double t_begin = start + o.warmup;
  const double t_end = t_begin + o.secs;
  bool measuring = false;
  std::uint64_t msgs_begin = 0;
  long long ticks_begin = -1;
  double cpu_begin = 0, wall_begin = 0;
  std::vector<long long> busy_begin;

  for (;;) {
    const double now = now_secs();
    if (!measuring && now >= t_begin) {
      measuring = true;
      wall_begin = now;
      msgs_begin = msgs;
      ticks_begin = proc_ticks(o.pid);
      cpu_begin = self_cpu_secs();
      busy_begin = cpu_busy_ticks();
    }
    if (measuring && now >= t_end) {
      const long long ticks_end = proc_ticks(o.pid);
      const double cpu = self_cpu_secs() - cpu_begin;
      const std::vector<long long> busy_end = cpu_busy_ticks();
      std::string busy;
      for (std::size_t i = 0; i < busy_end.size() && i < busy_begin.size(); ++i)
        busy += (i ? "," : "") + std::to_string(busy_end[i] - busy_begin[i]);
      const double wall = now - wall_begin;
      const std::uint64_t m = msgs - msgs_begin;
      const long long ticks = (ticks_begin >= 0 && ticks_end >= 0) ? ticks_end - ticks_begin : -1;
      std::printf(
          "msgs=%llu secs=%.3f rate=%.0f conns=%u inflight=%u size=%zu srv_ticks=%lld "
          "clk_tck=%ld load_cpu=%.3f cpu_busy_ticks=%s\n",
          static_cast<unsigned long long>(m), wall, static_cast<double>(m) / wall, o.conns,
          o.inflight, o.size, ticks, sysconf(_SC_CLK_TCK), cpu, busy.c_str());
      std::fflush(stdout);
      break;
    }
    if (g_stop) return 1;
    const int k = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
    for (int i = 0; i < k; ++i) {
      conn& c = *static_cast<conn*>(events[i].data.ptr);
      if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        const std::uint64_t before = c.rx / o.size;
        const long long r = drain_in(c, buf);
        if (r == -2) return 2;
        if (r < 0) return 3;
        const std::uint64_t completed = c.rx / o.size - before;
        msgs += completed;
        c.owed += completed * o.size;  // refill the window
      }
      if (c.owed > 0 || (events[i].events & EPOLLOUT)) {
        if (!pump_out(ep, c)) {
          std::fprintf(stderr, "echo_load: conn %u: send: %s\n", c.index, std::strerror(errno));
          return 3;
        }
      }
    }
  }
  for (conn& c : conns)
    ::close(c.fd);
  ::close(ep);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  init_pattern();
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(o.port));
  if (::inet_pton(AF_INET, o.host.c_str(), &sa.sin_addr) != 1)
    usage("--host must be an IPv4 address");
  return o.idle ? run_idle(o, sa) : run_load(o, sa);
}
