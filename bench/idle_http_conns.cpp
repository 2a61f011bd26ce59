// idle_http_conns — opens N HTTP/1.1 keep-alive connections, makes one
// request on each, reads the whole response, and then keeps every connection
// open and silent. Plain epoll, no lwspp code, so that it can measure lwspp
// and its peers alike (bench/http_run.sh).
//
//   idle_http_conns --port P [--host 127.0.0.1] [--conns N] [--path /hello]
//                   [--hold SECS] [--max-pending 256] [--timeout 120]
//                   [--expect-body TEXT] [--expect-length BYTES]
//
// At most --max-pending connections are between connect() and a complete
// response at any time. When every connection has its response it prints
//   idle conns=N ready=1 setup_secs=S status=200 content_length=L
// and holds them for SECS seconds (default 5; 0 closes them at once) or
// until SIGTERM/SIGINT. It watches them meanwhile, and at the end prints
//   idle done still_open=K closed=C unexpected_data=U
// where C counts connections the server closed during the hold and U those
// on which it sent bytes nobody asked for.
//
// It is also the benchmark's correctness check: --conns 1 --hold 0 with
// --expect-body or --expect-length verifies one response.
//
// Responses must carry Content-Length (no chunked encoding) and must not say
// "Connection: close": the point is keep-alive.
//
// Exit status: 0 ok, 1 usage or setup error, 2 a response was wrong,
// 3 a connection failed or closed before its response was complete,
// 4 connections were closed (or got unexpected data) during the hold.
#include <arpa/inet.h>
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
#include <string_view>
#include <vector>

namespace {

double now_secs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  unsigned conns = 1;
  std::string path = "/hello";
  double hold = 5;
  unsigned max_pending = 256;
  double timeout = 120;
  bool check_body = false;
  std::string expect_body;
  long long expect_length = -1;
};

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr,
               "idle_http_conns: %s\n"
               "usage: idle_http_conns --port P [--host H] [--conns N] [--path /hello] "
               "[--hold SECS] [--max-pending K] [--timeout SECS] [--expect-body TEXT] "
               "[--expect-length BYTES]\n",
               msg.c_str());
  std::exit(1);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage("missing value for " + a);
    const char* v = argv[++i];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::atoi(v);
    else if (a == "--conns")
      o.conns = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--path")
      o.path = v;
    else if (a == "--hold")
      o.hold = std::atof(v);
    else if (a == "--max-pending")
      o.max_pending = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--timeout")
      o.timeout = std::atof(v);
    else if (a == "--expect-body") {
      o.check_body = true;
      o.expect_body = v;
    } else if (a == "--expect-length")
      o.expect_length = std::atoll(v);
    else
      usage("unknown option " + a);
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.conns == 0 || o.max_pending == 0) usage("--conns and --max-pending must be > 0");
  if (o.path.empty() || o.path[0] != '/') usage("--path must start with /");
  return o;
}

enum class state : std::uint8_t { connecting, writing, head, body, done, closed };

struct conn {
  int fd = -1;
  state st = state::connecting;
  std::size_t sent = 0;     // request bytes written
  long long body_left = 0;  // response body bytes still to come
  std::string head;         // response head until complete, then freed
  std::string body;         // kept only with --expect-body
};

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

class runner {
 public:
  explicit runner(const options& o) : o_(o), conns_(o.conns) {
    request_ = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) +
               "\r\n\r\n";
  }

  int run() {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    if (::inet_pton(AF_INET, o_.host.c_str(), &sa.sin_addr) != 1) usage("bad --host " + o_.host);
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) {
      std::perror("idle_http_conns: epoll_create1");
      return 1;
    }
    const double t0 = now_secs();
    std::vector<epoll_event> events(1024);
    unsigned next = 0, in_progress = 0;
    while (done_ < o_.conns) {
      while (next < o_.conns && in_progress < o_.max_pending) {
        if (!open(next++, sa)) return 3;
        ++in_progress;
      }
      const int k = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 100);
      if (g_stop) return 1;
      if (now_secs() - t0 > o_.timeout) {
        std::fprintf(stderr, "idle_http_conns: only %u of %u responses within %.0f s\n", done_,
                     o_.conns, o_.timeout);
        return 3;
      }
      for (int i = 0; i < k; ++i) {
        const unsigned idx = static_cast<unsigned>(events[i].data.u32);
        const unsigned before = done_;
        if (const int rc = on_event(idx, events[i].events); rc != 0) return rc;
        if (done_ != before) --in_progress;
      }
    }
    std::printf("idle conns=%u ready=1 setup_secs=%.3f status=%d content_length=%lld\n", o_.conns,
                now_secs() - t0, status_, content_length_);
    std::fflush(stdout);
    return hold();
  }

 private:
  bool open(unsigned idx, const sockaddr_in& sa) {
    conn& c = conns_[idx];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      std::fprintf(stderr, "idle_http_conns: socket #%u: %s\n", idx, std::strerror(errno));
      return false;
    }
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0 &&
        errno != EINPROGRESS) {
      std::fprintf(stderr, "idle_http_conns: connect #%u: %s\n", idx, std::strerror(errno));
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = idx;
    ::epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    return true;
  }

  void watch_input(unsigned idx) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = idx;
    ::epoll_ctl(ep_, EPOLL_CTL_MOD, conns_[idx].fd, &ev);
  }

  // 0 to go on, else the exit status.
  int on_event(unsigned idx, std::uint32_t ev) {
    conn& c = conns_[idx];
    if (c.st == state::connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        std::fprintf(stderr, "idle_http_conns: connect #%u: %s\n", idx, std::strerror(err));
        return 3;
      }
      c.st = state::writing;
    }
    if (c.st == state::writing) {
      while (c.sent < request_.size()) {
        const ssize_t w =
            ::send(c.fd, request_.data() + c.sent, request_.size() - c.sent, MSG_NOSIGNAL);
        if (w > 0) {
          c.sent += static_cast<std::size_t>(w);
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;  // EPOLLOUT stays armed
        std::fprintf(stderr, "idle_http_conns: send #%u: %s\n", idx, std::strerror(errno));
        return 3;
      }
      c.st = state::head;
      watch_input(idx);
      return 0;  // the response comes with a later event
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) return read_response(idx);
    return 0;
  }

  int read_response(unsigned idx) {
    conn& c = conns_[idx];
    for (;;) {
      const ssize_t r = ::recv(c.fd, buf_, sizeof buf_, 0);
      if (r == 0) {
        std::fprintf(stderr,
                     "idle_http_conns: #%u: server closed before the response was complete\n", idx);
        return 3;
      }
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        std::fprintf(stderr, "idle_http_conns: recv #%u: %s\n", idx, std::strerror(errno));
        return 3;
      }
      std::string_view data(buf_, static_cast<std::size_t>(r));
      if (c.st == state::head) {
        c.head.append(data);
        const std::size_t end = c.head.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (c.head.size() > 16384) {
            std::fprintf(stderr, "idle_http_conns: #%u: response head over 16 KiB\n", idx);
            return 2;
          }
          continue;
        }
        if (const int rc = parse_head(idx, std::string_view(c.head).substr(0, end + 2)); rc != 0)
          return rc;
        const std::string rest = c.head.substr(end + 4);
        std::string().swap(c.head);
        c.st = state::body;
        data = rest;
        if (const int rc = take_body(idx, data); rc != 0) return rc;
      } else if (c.st == state::body) {
        if (const int rc = take_body(idx, data); rc != 0) return rc;
      } else {
        std::fprintf(stderr, "idle_http_conns: #%u: %zd bytes after the response\n", idx, r);
        return 2;
      }
    }
  }

  int take_body(unsigned idx, std::string_view data) {
    conn& c = conns_[idx];
    if (static_cast<long long>(data.size()) > c.body_left) {
      std::fprintf(stderr, "idle_http_conns: #%u: %lld bytes after the response\n", idx,
                   static_cast<long long>(data.size()) - c.body_left);
      return 2;
    }
    c.body_left -= static_cast<long long>(data.size());
    if (o_.check_body) c.body.append(data);
    if (c.body_left > 0) return 0;
    if (o_.check_body && c.body != o_.expect_body) {
      std::fprintf(stderr, "idle_http_conns: #%u: body is \"%.64s\", expected \"%.64s\"\n", idx,
                   c.body.c_str(), o_.expect_body.c_str());
      return 2;
    }
    std::string().swap(c.body);
    c.st = state::done;
    ++done_;
    return 0;
  }

  int parse_head(unsigned idx, std::string_view head) {
    conn& c = conns_[idx];
    // Status line: HTTP/1.x SP code SP reason
    const std::size_t eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1.") {
      std::fprintf(stderr, "idle_http_conns: #%u: bad status line \"%.*s\"\n", idx,
                   static_cast<int>(status_line.size()), status_line.data());
      return 2;
    }
    const int status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    long long length = -1;
    std::size_t pos = eol + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string_view::npos) e = head.size();
      const std::string_view line = head.substr(pos, e - pos);
      pos = e + 2;
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = line.substr(0, colon + 1);
      const std::string_view value = trim(line.substr(colon + 1));
      if (iequals_prefix(name, "content-length:") && name.size() == 15) {
        length = std::atoll(std::string(value).c_str());
      } else if (iequals_prefix(name, "transfer-encoding:") && name.size() == 18) {
        std::fprintf(stderr, "idle_http_conns: #%u: Transfer-Encoding %.*s is not supported\n", idx,
                     static_cast<int>(value.size()), value.data());
        return 2;
      } else if (iequals_prefix(name, "connection:") && name.size() == 11 &&
                 iequals_prefix(value, "close")) {
        std::fprintf(stderr, "idle_http_conns: #%u: server says Connection: close\n", idx);
        return 2;
      }
    }
    if (status != 200) {
      std::fprintf(stderr, "idle_http_conns: #%u: status %d for %s\n", idx, status,
                   o_.path.c_str());
      return 2;
    }
    if (length < 0) {
      std::fprintf(stderr, "idle_http_conns: #%u: response has no Content-Length\n", idx);
      return 2;
    }
    if (o_.expect_length >= 0 && length != o_.expect_length) {
      std::fprintf(stderr, "idle_http_conns: #%u: Content-Length %lld, expected %lld\n", idx,
                   length, o_.expect_length);
      return 2;
    }
    status_ = status;
    content_length_ = length;
    c.body_left = length;
    return 0;
  }

  // Keeps the connections open; counts the ones the server closes meanwhile.
  int hold() {
    unsigned closed = 0, unexpected = 0;
    std::vector<epoll_event> events(1024);
    const double until = now_secs() + o_.hold;
    while (!g_stop && now_secs() < until) {
      double left_ms = (until - now_secs()) * 1000;
      const int timeout = left_ms > 200 ? 200 : (left_ms < 0 ? 0 : static_cast<int>(left_ms));
      const int k = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), timeout);
      for (int i = 0; i < k; ++i) {
        conn& c = conns_[events[i].data.u32];
        if (c.st != state::done) continue;
        const ssize_t r = ::recv(c.fd, buf_, sizeof buf_, MSG_DONTWAIT);
        if (r > 0) {
          ++unexpected;  // counted once; stop watching it
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          continue;
        } else {
          ++closed;
        }
        ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
        c.st = state::closed;
      }
    }
    // A last look, without waiting, at every connection still thought open.
    unsigned open = 0;
    for (conn& c : conns_) {
      if (c.st == state::done) {
        const ssize_t r = ::recv(c.fd, buf_, sizeof buf_, MSG_DONTWAIT | MSG_PEEK);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
          ++open;
        else if (r > 0)
          ++unexpected;
        else
          ++closed;
      }
      ::close(c.fd);
    }
    ::close(ep_);
    std::printf("idle done still_open=%u closed=%u unexpected_data=%u\n", open, closed, unexpected);
    std::fflush(stdout);
    return (closed || unexpected) ? 4 : 0;
  }

  const options& o_;
  std::vector<conn> conns_;
  std::string request_;
  int ep_ = -1;
  unsigned done_ = 0;
  int status_ = 0;
  long long content_length_ = -1;
  char buf_[64 * 1024];
};

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  // N connections need N descriptors: take the hard limit.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < o.conns + 16) {
    std::fprintf(stderr, "idle_http_conns: open-files limit %llu is too low for %u connections\n",
                 static_cast<unsigned long long>(rl.rlim_cur), o.conns);
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: epoll_wait returns EINTR
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  static runner r(o);  // static: 64 KiB buffer inside
  return r.run();
}
