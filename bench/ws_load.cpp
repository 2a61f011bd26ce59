// ws_load — a WebSocket load generator on plain epoll, one thread, sharing no
// code with lwspp (it does its own client handshake, with SHA-1 and base64
// written here, and its own masked framing), so that it measures lwspp and
// its peers alike (bench/ws_run.sh).
//
//   ws_load --port P [--host 127.0.0.1] [--path /echo] [--protocol NAME]
//           [--mode echo|fanout|idle] [--conns N] [--size BYTES] [--depth K]
//           [--secs T] [--warmup W] [--pid SERVER_PID] [--sources S]
//           [--hold SECS] [--max-pending 256] [--timeout 120] [--text]
//           [--window-start-cmd CMD] [--window-end-cmd CMD]
//
// Modes (every mode first opens N connections, at most --max-pending of them
// between connect() and a checked 101 answer at a time, from S source
// addresses 127.0.0.1 .. 127.0.0.S so that many connections do not run out
// of ephemeral ports):
//   echo    each connection keeps K messages of BYTES in flight; each echoed
//           message is checked byte for byte and answered by a new one.
//   fanout  N subscribers plus one publisher connection, all on the same
//           path; the publisher sends a message (its first 8 bytes are a
//           sequence number) that the server sends to every connection on
//           that path. At most K publishes are in flight: a publish is done
//           when all N subscribers have it. Counts deliveries to the N
//           subscribers; each is checked (content, and no gap in sequence).
//   idle    completes the N handshakes, prints
//             idle conns=N ready=1 setup_secs=S
//           and holds the connections open and silent (answering pings) for
//           --hold seconds (default 5) or until SIGTERM/SIGINT, then prints
//             idle done still_open=K closed=C
// echo and fanout run W seconds of warm-up, then measure T seconds and print
// one line of key=value pairs:
//   mode=echo conns= size= depth= msgs= secs= rate=<msgs/s>
//   mode=fanout subs= size= depth= publishes= msgs=<deliveries> secs= rate=<deliveries/s>
//   then: p50_us= p90_us= p99_us= p999_us= max_us= (echo: round trip of a
//   message; fanout: publish to its last delivery) bad=<wrong messages>
//   closed=<connections the server closed> srv_ticks=<server utime+stime over
//   the window, clock ticks; -1 without --pid> clk_tck= load_cpu=<this
//   tool's CPU-seconds over the window> cpu_busy_ticks=<busy ticks of each
//   CPU over the window, from /proc/stat>
//
// --window-start-cmd / --window-end-cmd run a shell command (std::system) as
// the measured window starts and ends, e.g. to zero and dump a profiler's
// counters (bench/ws_instructions.sh); messages in flight at either edge
// (at most conns x depth) blur the count a little.
// Messages are binary (--text: text; the payload bytes are then printable).
// Exit status: 0 ok, 1 usage or setup error, 2 a message was wrong (bad > 0),
// 3 a connection failed, was refused the upgrade or closed during the run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
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

// --- SHA-1 (FIPS 180-4) and base64, for Sec-WebSocket-Accept -------------------

std::uint32_t rol(std::uint32_t v, int n) {
  return (v << n) | (v >> (32 - n));
}

std::string sha1(std::string_view in) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string m(in);
  const std::uint64_t bits = static_cast<std::uint64_t>(in.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56)
    m.push_back('\0');
  for (int i = 7; i >= 0; --i)
    m.push_back(static_cast<char>(bits >> (i * 8)));
  for (std::size_t off = 0; off < m.size(); off += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(m.data() + off + i * 4);
      w[i] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
             (std::uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 80; ++i)
      w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d), k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d, k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d, k = 0xCA62C1D6;
      }
      const std::uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  std::string out;
  for (std::uint32_t v : h)
    for (int i = 3; i >= 0; --i)
      out.push_back(static_cast<char>(v >> (i * 8)));
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                            static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out.push_back(tbl[(v >> s) & 63]);
  }
  if (i < in.size()) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(in[i])} << 16;
    if (i + 1 < in.size()) v |= std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? tbl[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// xorshift64*: masking keys and handshake keys (unpredictability is the
// browser's concern, not a load generator's).
std::uint64_t rng_state = 0x9E3779B97F4A7C15ull;
std::uint64_t next_random() {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

// --- options ----------------------------------------------------------------------

enum class mode { echo, fanout, idle };

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/echo";
  std::string protocol;
  mode m = mode::echo;
  unsigned conns = 1;
  std::size_t size = 16;
  unsigned depth = 1;
  double secs = 5;
  double warmup = 1;
  int pid = -1;
  unsigned sources = 1;
  double hold = 5;
  unsigned max_pending = 256;
  double timeout = 120;
  bool text = false;
  std::string window_start_cmd;
  std::string window_end_cmd;
};

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr,
               "ws_load: %s\n"
               "usage: ws_load --port P [--host H] [--path /echo] [--protocol NAME] "
               "[--mode echo|fanout|idle] [--conns N] [--size BYTES] [--depth K] [--secs T] "
               "[--warmup W] [--pid PID] [--sources S] [--hold SECS] [--max-pending K] "
               "[--timeout SECS] [--text] [--window-start-cmd CMD] [--window-end-cmd CMD]\n",
               msg.c_str());
  std::exit(1);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--text") {
      o.text = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value for " + a);
    const std::string v = argv[++i];
    if (a == "--host") {
      o.host = v;
    } else if (a == "--port") {
      o.port = std::atoi(v.c_str());
    } else if (a == "--path") {
      o.path = v;
    } else if (a == "--protocol") {
      o.protocol = v;
    } else if (a == "--mode") {
      if (v == "echo") {
        o.m = mode::echo;
      } else if (v == "fanout") {
        o.m = mode::fanout;
      } else if (v == "idle") {
        o.m = mode::idle;
      } else {
        usage("unknown mode " + v);
      }
    } else if (a == "--conns") {
      o.conns = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (a == "--size") {
      o.size = std::strtoull(v.c_str(), nullptr, 10);
    } else if (a == "--depth") {
      o.depth = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (a == "--secs") {
      o.secs = std::atof(v.c_str());
    } else if (a == "--warmup") {
      o.warmup = std::atof(v.c_str());
    } else if (a == "--pid") {
      o.pid = std::atoi(v.c_str());
    } else if (a == "--sources") {
      o.sources = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (a == "--hold") {
      o.hold = std::atof(v.c_str());
    } else if (a == "--max-pending") {
      o.max_pending = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (a == "--timeout") {
      o.timeout = std::atof(v.c_str());
    } else if (a == "--window-start-cmd") {
      o.window_start_cmd = v;
    } else if (a == "--window-end-cmd") {
      o.window_end_cmd = v;
    } else {
      usage("unknown option " + a);
    }
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.conns == 0 || o.depth == 0 || o.max_pending == 0)
    usage("--conns, --depth, --max-pending must be > 0");
  if (o.sources == 0 || o.sources > 254) usage("--sources must be 1..254");
  if (o.size > (64u << 20)) usage("--size is at most 64 MiB");
  if (o.m == mode::fanout && o.size < 8)
    usage("fanout needs --size >= 8 (a sequence number leads each message)");
  if (o.path.empty() || o.path[0] != '/') usage("--path must start with /");
  return o;
}

// --- measurement of the server and the machine ---------------------------------------

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
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return -1;
  unsigned long long ut = 0, st = 0;
  // after ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime(14) stime(15)
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
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
    if (std::strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9') continue;
    unsigned long long v[8] = {};
    std::sscanf(line + 3, "%*u %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                &v[4], &v[5], &v[6], &v[7]);
    // user nice system idle iowait irq softirq steal
    out.push_back(static_cast<long long>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]));
  }
  std::fclose(f);
  return out;
}

double self_cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

// Latencies in µs: 1 µs buckets below 64 ms, 1 ms buckets above (to 64 s).
class histogram {
 public:
  void add(double secs) {
    const double us = secs * 1e6;
    max_ = std::max(max_, us);
    ++count_;
    if (us < fine_n) {
      ++fine_[static_cast<std::size_t>(us < 0 ? 0 : us)];
    } else {
      ++coarse_[std::min<std::size_t>(static_cast<std::size_t>(us / 1000), coarse_n - 1)];
    }
  }
  void clear() { *this = histogram(); }
  double percentile(double p) const {
    if (count_ == 0) return 0;
    const auto want = static_cast<std::uint64_t>(p / 100 * static_cast<double>(count_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < fine_n; ++i)
      if ((seen += fine_[i]) >= want) return static_cast<double>(i);
    for (std::size_t i = 0; i < coarse_n; ++i)
      if ((seen += coarse_[i]) >= want) return static_cast<double>(i) * 1000;
    return max_;
  }
  double max() const { return max_; }

 private:
  static constexpr std::size_t fine_n = 64000;
  static constexpr std::size_t coarse_n = 64000;
  std::vector<std::uint64_t> fine_ = std::vector<std::uint64_t>(fine_n);
  std::vector<std::uint64_t> coarse_ = std::vector<std::uint64_t>(coarse_n);
  std::uint64_t count_ = 0;
  double max_ = 0;
};

// --- payloads -------------------------------------------------------------------------

// Message s of connection c is pattern_at(s * 7 + c * 37) for --size bytes: a
// dropped, duplicated, misrouted or corrupted message shows as a mismatch.
constexpr std::size_t period = 251;
std::vector<unsigned char> pattern;

void init_pattern(std::size_t size, bool text) {
  pattern.resize(period + size);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const unsigned v = static_cast<unsigned>((i % period) * 97 + 13) & 0xff;
    pattern[i] = text ? static_cast<unsigned char>(' ' + v % 95) : static_cast<unsigned char>(v);
  }
}

const unsigned char* pattern_at(std::uint64_t k) {
  return pattern.data() + k % period;
}

// --- connections ----------------------------------------------------------------------

enum class cstate : std::uint8_t { connecting, handshake, open, closed };

struct conn {
  int fd = -1;
  unsigned index = 0;
  cstate state = cstate::connecting;
  bool publisher = false;
  std::string out;  // bytes not yet taken by send()
  std::size_t out_off = 0;
  std::string hs;  // handshake: the expected accept value, then the response being read
  std::size_t accept_len = 0;
  // frame parser
  unsigned char hdr[14] = {};
  unsigned hdr_have = 0;
  std::uint64_t payload_left = 0;
  unsigned char opcode = 0;  // of the current frame (0: a continuation)
  bool fin = false;
  bool in_payload = false;
  bool in_message = false;  // a data message has begun (fragments may follow)
  bool bad_message = false;
  std::uint64_t msg_off = 0;
  std::string control;  // payload of the current control frame
  std::string head8;    // fanout: the sequence number bytes seen so far
  // echo
  std::uint64_t sent = 0, received = 0;
  std::vector<double> sent_at;  // ring of send times, --depth long
  // fanout subscriber
  std::uint64_t expect_seq = 0;
  bool seq_known = false;
};

struct stats {
  std::uint64_t msgs = 0;
  std::uint64_t bad = 0;
  std::uint64_t closed = 0;
  std::uint64_t publishes = 0;
};

options opt;
int ep = -1;
std::vector<conn> conns;
stats st;
histogram hist;
bool running = false;  // sending new messages
bool measuring = false;
double loop_now = 0;
volatile std::sig_atomic_t g_stop = 0;
const char* kind_name = "binary";
unsigned char data_opcode = 2;

// fanout publisher state: publishes in flight, and deliveries of each.
// Publishes before pub_base were the join phase's (see join_fanout).
std::uint64_t pub_sent = 0, pub_done = 0, pub_base = ~0ull;
std::vector<std::uint32_t> pub_count;  // --depth ring: subscribers that got publish s
std::vector<double> pub_at;

void on_signal(int) {
  g_stop = 1;
}

void append_frame(std::string& out, unsigned char opcode, const unsigned char* data,
                  std::size_t len) {
  unsigned char h[14];
  std::size_t n = 0;
  h[n++] = static_cast<unsigned char>(0x80 | opcode);
  if (len < 126) {
    h[n++] = static_cast<unsigned char>(0x80 | len);
  } else if (len < 65536) {
    h[n++] = 0x80 | 126;
    h[n++] = static_cast<unsigned char>(len >> 8);
    h[n++] = static_cast<unsigned char>(len);
  } else {
    h[n++] = 0x80 | 127;
    for (int i = 7; i >= 0; --i)
      h[n++] = static_cast<unsigned char>(static_cast<std::uint64_t>(len) >> (i * 8));
  }
  const auto key32 = static_cast<std::uint32_t>(next_random());
  std::memcpy(h + n, &key32, 4);
  n += 4;
  out.append(reinterpret_cast<const char*>(h), n);
  const std::size_t at = out.size();
  out.append(reinterpret_cast<const char*>(data), len);
  // Mask eight bytes at a time; the key's bytes repeat every four.
  char* p = out.data() + at;
  std::uint64_t key64 = (std::uint64_t{key32} << 32) | key32;
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= key64;
    std::memcpy(p + i, &w, 8);
  }
  const auto* kb = reinterpret_cast<const unsigned char*>(&key32);
  for (; i < len; ++i)
    p[i] = static_cast<char>(static_cast<unsigned char>(p[i]) ^ kb[i % 4]);
}

unsigned pending = 0;  // connections between connect() and open
bool setup_failed = false;

// Ends a connection the server ended or broke; before it was open, the setup failed.
void drop(conn& c, const char* why) {
  if (c.state == cstate::closed) return;
  if (++st.closed <= 5)  // the first few say why; the count says how many
    std::fprintf(stderr, "ws_load: conn %u%s: %s\n", c.index,
                 c.state == cstate::open ? "" : " (before open)", why);
  if (c.state != cstate::open) {
    --pending;
    setup_failed = true;
  }
  epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
  close(c.fd);
  c.fd = -1;
  c.state = cstate::closed;
  std::string().swap(c.out);
  std::string().swap(c.hs);
}

// Sends what is queued; false if the connection failed.
bool flush(conn& c) {
  while (c.out_off < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;  // EPOLLOUT (edge) follows
    if (n < 0 && errno == EINTR) continue;
    drop(c, std::strerror(errno));
    return false;
  }
  c.out.clear();
  c.out_off = 0;
  return true;
}

void send_echo(conn& c) {
  c.sent_at[c.sent % opt.depth] = loop_now;
  append_frame(c.out, data_opcode, pattern_at(c.sent * 7 + c.index * 37ull), opt.size);
  ++c.sent;
}

void publish(conn& pub) {
  std::string msg(reinterpret_cast<const char*>(pattern_at(pub_sent * 7)), opt.size);
  for (int i = 0; i < 8; ++i)
    msg[static_cast<std::size_t>(i)] = static_cast<char>(pub_sent >> (i * 8));
  if (opt.text)  // keep it UTF-8: the sequence number as 8 letters
    for (int i = 0; i < 8; ++i)
      msg[static_cast<std::size_t>(i)] = static_cast<char>('a' + ((pub_sent >> (i * 4)) & 15));
  pub_count[pub_sent % opt.depth] = 0;
  pub_at[pub_sent % opt.depth] = loop_now;
  append_frame(pub.out, data_opcode, reinterpret_cast<const unsigned char*>(msg.data()),
               msg.size());
  ++pub_sent;
}

std::uint64_t decode_seq(const std::string& head) {
  std::uint64_t s = 0;
  for (int i = 0; i < 8; ++i) {
    const auto b = static_cast<unsigned char>(head[static_cast<std::size_t>(i)]);
    if (opt.text)
      s |= std::uint64_t(b - 'a') << (i * 4);
    else
      s |= std::uint64_t{b} << (i * 8);
  }
  return s;
}

// A piece of a data message's payload at c.msg_off.
void on_data(conn& c, const unsigned char* p, std::size_t n) {
  if (c.bad_message) return;
  if (c.msg_off + n > opt.size) {
    c.bad_message = true;
    return;
  }
  if (opt.m == mode::echo) {
    if (std::memcmp(p, pattern_at(c.received * 7 + c.index * 37ull) + c.msg_off, n) != 0)
      c.bad_message = true;
    return;
  }
  // fanout: bytes 0-7 are the sequence number, the rest pattern_at(seq * 7)
  std::size_t skip = 0;
  if (c.msg_off < 8) {
    skip = std::min<std::size_t>(n, 8 - c.msg_off);
    c.head8.append(reinterpret_cast<const char*>(p), skip);
  }
  if (skip < n) {
    const std::uint64_t seq = decode_seq(c.head8);
    if (std::memcmp(p + skip, pattern_at(seq * 7) + c.msg_off + skip, n - skip) != 0)
      c.bad_message = true;
  }
}

void on_message_end(conn& c) {
  const bool ok = !c.bad_message && c.msg_off == opt.size;
  if (opt.m == mode::echo) {
    if (!ok) ++st.bad;
    if (measuring) {
      ++st.msgs;
      hist.add(loop_now - c.sent_at[c.received % opt.depth]);
    }
    ++c.received;
    if (running) send_echo(c);
    return;
  }
  if (opt.m != mode::fanout) {
    ++st.bad;  // idle connections expect nothing
    return;
  }
  const std::uint64_t seq = c.head8.size() == 8 ? decode_seq(c.head8) : ~0ull;
  c.head8.clear();
  if (!ok || seq >= pub_sent || (c.seq_known && seq != c.expect_seq)) {
    ++st.bad;
    if (st.bad <= 5)
      std::fprintf(stderr, "ws_load: conn %u: wrong fanout message (seq %llu, expected %llu)\n",
                   c.index, static_cast<unsigned long long>(seq),
                   static_cast<unsigned long long>(c.expect_seq));
    if (seq >= pub_sent) return;
  }
  c.seq_known = true;
  c.expect_seq = seq + 1;
  if (c.publisher || seq < pub_base) return;
  if (measuring) ++st.msgs;
  // Publishes complete in order: a subscriber sees s before s + 1.
  if (seq < pub_done || seq >= pub_done + opt.depth)
    return;  // older than the ring, counted as bad above
  if (++pub_count[seq % opt.depth] == opt.conns && seq == pub_done) {
    while (pub_done < pub_sent && pub_count[pub_done % opt.depth] == opt.conns) {
      if (measuring) {
        hist.add(loop_now - pub_at[pub_done % opt.depth]);
        ++st.publishes;
      }
      ++pub_done;
      if (running) publish(conns.back());
    }
  }
}

// A complete control frame.
bool on_control(conn& c) {
  if (c.opcode == 0x9) {  // ping: answer with its payload
    append_frame(c.out, 0xA, reinterpret_cast<const unsigned char*>(c.control.data()),
                 c.control.size());
  } else if (c.opcode == 0x8) {
    drop(c, "the server sent a close frame");
    return false;
  }
  return true;
}

// Bytes the frame header needs, as far as the bytes so far tell.
unsigned header_size(const conn& c) {
  if (c.hdr_have < 2) return 2;
  const unsigned l7 = c.hdr[1] & 0x7f;
  return 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0);
}

// A whole header is in c.hdr: start the frame. False when the connection ended.
bool begin_frame(conn& c) {
  if (c.hdr[1] & 0x80) {
    drop(c, "the server sent a masked frame");
    return false;
  }
  if (c.hdr[0] & 0x70) {
    drop(c, "the server set reserved bits (no extension was agreed)");
    return false;
  }
  std::uint64_t len = c.hdr[1] & 0x7f;
  if (len == 126) {
    len = (std::uint64_t{c.hdr[2]} << 8) | c.hdr[3];
  } else if (len == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i)
      len = (len << 8) | c.hdr[i];
  }
  c.hdr_have = 0;
  c.payload_left = len;
  c.fin = c.hdr[0] & 0x80;
  const unsigned char op = c.hdr[0] & 0x0f;
  if (op >= 0x8) {
    c.control.clear();
  } else if (op == 0) {
    if (!c.in_message) {
      drop(c, "continuation frame outside a message");
      return false;
    }
  } else {
    if (c.in_message) {
      drop(c, "new data message inside a fragmented one");
      return false;
    }
    c.in_message = true;
    c.bad_message = op != data_opcode;  // an echo comes back as it went
    c.msg_off = 0;
    c.head8.clear();
  }
  c.opcode = op;
  return true;
}

bool end_frame(conn& c) {
  c.in_payload = false;
  if (c.opcode >= 0x8) return on_control(c);
  if (c.fin) {
    c.in_message = false;
    on_message_end(c);
  }
  return true;
}

// Frames from the server: unmasked, split anywhere. False when the connection ended.
bool feed(conn& c, const unsigned char* p, std::size_t n) {
  while (n > 0) {
    if (!c.in_payload) {
      while (n > 0 && c.hdr_have < header_size(c)) {
        c.hdr[c.hdr_have++] = *p++;
        --n;
      }
      if (c.hdr_have < header_size(c)) return true;
      if (!begin_frame(c)) return false;
      c.in_payload = true;
      if (c.payload_left == 0 && !end_frame(c)) return false;
      continue;
    }
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(c.payload_left, n));
    if (c.opcode >= 0x8) {
      c.control.append(reinterpret_cast<const char*>(p), take);
    } else {
      on_data(c, p, take);
      c.msg_off += take;
    }
    p += take;
    n -= take;
    c.payload_left -= take;
    if (c.payload_left == 0 && !end_frame(c)) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& ch : r)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The 101 answer, whole in `head`; empty string if it is right, else why not.
std::string check_handshake(std::string_view head, std::string_view accept) {
  const std::size_t eol = head.find("\r\n");
  const std::string_view status = head.substr(0, eol);
  if (status.substr(0, 13) != "HTTP/1.1 101 " && status != "HTTP/1.1 101")
    return "not upgraded: " + std::string(status);
  bool upgrade = false, connection = false, accept_ok = false;
  std::string proto;
  bool has_ext = false;
  std::size_t pos = eol + 2;
  while (pos < head.size()) {
    std::size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    const std::string_view line = head.substr(pos, e - pos);
    pos = e + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "upgrade") upgrade = lower(value) == "websocket";
    if (name == "connection") connection = lower(value).find("upgrade") != std::string::npos;
    if (name == "sec-websocket-accept") accept_ok = value == accept;
    if (name == "sec-websocket-protocol") proto = std::string(value);
    if (name == "sec-websocket-extensions") has_ext = true;
  }
  if (!upgrade) return "no 'Upgrade: websocket'";
  if (!connection) return "no 'Connection: Upgrade'";
  if (!accept_ok) return "wrong or missing Sec-WebSocket-Accept";
  if (proto != opt.protocol) return "subprotocol '" + proto + "', asked for '" + opt.protocol + "'";
  if (has_ext) return "an extension was agreed though none was offered";
  return {};
}

unsigned opened = 0;     // connections that completed the handshake
unsigned next_conn = 0;  // next connection to start
void start_connect(conn& c) {
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    std::fprintf(stderr, "ws_load: socket: %s (conn %u)\n", std::strerror(errno), c.index);
    setup_failed = true;
    return;
  }
  int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (opt.sources > 1) {
    // The kernel picks the port at connect() time, per (source, destination).
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000001u + c.index % opt.sources);
    if (bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      std::fprintf(stderr, "ws_load: bind 127.0.0.%u: %s\n", 1 + c.index % opt.sources,
                   std::strerror(errno));
      setup_failed = true;
      return;
    }
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(opt.port));
  if (inet_pton(AF_INET, opt.host.c_str(), &sa.sin_addr) != 1)
    usage("--host must be an IPv4 address");
  if (connect(c.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
    std::fprintf(stderr, "ws_load: connect (conn %u): %s\n", c.index, std::strerror(errno));
    setup_failed = true;
    return;
  }
  char key_raw[16];
  for (int i = 0; i < 16; i += 8) {
    const std::uint64_t r = next_random();
    std::memcpy(key_raw + i, &r, 8);
  }
  const std::string key = base64(std::string_view(key_raw, 16));
  c.hs = base64(sha1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));  // RFC 6455 §1.3
  c.accept_len = c.hs.size();
  c.out = "GET " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + ":" + std::to_string(opt.port) +
          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
          "\r\nSec-WebSocket-Version: 13\r\n";
  if (!opt.protocol.empty()) c.out += "Sec-WebSocket-Protocol: " + opt.protocol + "\r\n";
  c.out += "\r\n";
  c.out_off = 0;
  c.state = cstate::handshake;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
  ev.data.u32 = c.index;
  epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  ++pending;
}

void start_more() {
  while (pending < opt.max_pending && next_conn < conns.size() && !setup_failed)
    start_connect(conns[next_conn++]);
}

unsigned char rbuf[256 * 1024];

// Handshake bytes arrived (already appended to c.hs after the accept value).
void on_handshake_bytes(conn& c) {
  const std::size_t end = c.hs.find("\r\n\r\n", c.accept_len);
  if (end == std::string::npos) {
    if (c.hs.size() > c.accept_len + 16384) drop(c, "handshake answer over 16 KiB");
    return;
  }
  const std::string accept = c.hs.substr(0, c.accept_len);
  const std::string why =
      check_handshake(std::string_view(c.hs).substr(c.accept_len, end + 2 - c.accept_len), accept);
  if (!why.empty()) {
    drop(c, why.c_str());
    return;
  }
  const std::string rest = c.hs.substr(end + 4);
  std::string().swap(c.hs);
  c.state = cstate::open;
  --pending;
  ++opened;
  if (!rest.empty()) feed(c, reinterpret_cast<const unsigned char*>(rest.data()), rest.size());
}

void on_event(conn& c, std::uint32_t events) {
  if (c.state == cstate::closed) return;
  if ((events & EPOLLOUT) && !flush(c)) return;
  if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))) return;
  for (;;) {
    const ssize_t n = recv(c.fd, rbuf, sizeof rbuf, 0);
    if (n > 0) {
      if (c.state == cstate::handshake) {
        c.hs.append(reinterpret_cast<const char*>(rbuf), static_cast<std::size_t>(n));
        on_handshake_bytes(c);
      } else if (!feed(c, rbuf, static_cast<std::size_t>(n))) {
        return;
      }
      if (c.state == cstate::closed) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    drop(c, n == 0 ? "the server closed the connection" : std::strerror(errno));
    return;
  }
  if (!c.out.empty()) flush(c);
}

// One round of the event loop, up to `wait_ms`.
void poll_once(int wait_ms) {
  epoll_event evs[512];
  const int n = epoll_wait(ep, evs, 512, wait_ms);
  loop_now = now_secs();
  for (int i = 0; i < n; ++i)
    on_event(conns[evs[i].data.u32], evs[i].events);
  // A subscriber's delivery can complete a publish and queue the next one on
  // the publisher, whose own events may already have been handled.
  if (opt.m == mode::fanout) {
    conn& pub = conns.back();
    if (pub.state == cstate::open && pub.out_off < pub.out.size()) flush(pub);
  }
}

// Opens every connection; false (after a message) if that failed.
bool open_all(double deadline) {
  start_more();
  while (opened < conns.size()) {
    if (setup_failed) return false;
    if (g_stop || now_secs() > deadline) {
      std::fprintf(stderr, "ws_load: only %u of %zu connections open before the deadline\n", opened,
                   conns.size());
      return false;
    }
    poll_once(100);
    start_more();
  }
  return !setup_failed;
}

std::string busy_delta(const std::vector<long long>& a, const std::vector<long long>& b) {
  std::string s;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(b[i] - a[i]);
  }
  return s;
}

void close_all() {
  static constexpr unsigned char bye[2] = {0x03, 0xe8};  // 1000
  for (conn& c : conns) {
    if (c.state != cstate::open) continue;
    c.out.clear();
    c.out_off = 0;
    append_frame(c.out, 0x8, bye, 2);
    send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    close(c.fd);
    c.state = cstate::closed;
  }
}

int run_idle(double t0) {
  std::printf("idle conns=%u ready=1 setup_secs=%.3f\n", opt.conns, now_secs() - t0);
  std::fflush(stdout);
  const double until = now_secs() + opt.hold;
  while (!g_stop && now_secs() < until)
    poll_once(200);
  unsigned still = 0;
  for (const conn& c : conns)
    still += c.state == cstate::open;
  std::printf("idle done still_open=%u closed=%llu unexpected=%llu\n", still,
              static_cast<unsigned long long>(st.closed), static_cast<unsigned long long>(st.bad));
  close_all();
  return still == opt.conns ? 0 : 3;
}

// A server adds a connection to its fanout group at some point after its 101
// (Beast and asyncio in a handler that runs later), so the first publishes
// may miss late members. Publish, one every 20 ms, until every connection
// (the publisher too) has received one: from then on each gets every
// message. Counting starts with the next publish.
bool join_fanout(double deadline) {
  double last = 0;
  for (;;) {
    std::size_t joined = 0;
    for (const conn& c : conns)
      joined += c.seq_known;
    if (joined == conns.size()) break;
    if (g_stop || st.closed || now_secs() > deadline) {
      std::fprintf(
          stderr, "ws_load: only %zu of %zu connections got a fanout message before the deadline\n",
          joined, conns.size());
      return false;
    }
    if (loop_now - last > 0.02) {
      publish(conns.back());
      flush(conns.back());
      last = loop_now;
    }
    poll_once(5);
  }
  pub_base = pub_done = pub_sent;
  return true;
}

bool run_hook(const std::string& cmd) {
  if (cmd.empty()) return true;
  const int rc = std::system(cmd.c_str());
  if (rc != 0) std::fprintf(stderr, "ws_load: '%s' failed (status %d)\n", cmd.c_str(), rc);
  return rc == 0;
}

int run_load() {
  loop_now = now_secs();
  if (opt.m == mode::fanout && !join_fanout(loop_now + opt.timeout)) {
    close_all();
    return 3;
  }
  running = true;
  if (opt.m == mode::echo) {
    for (conn& c : conns) {
      for (unsigned k = 0; k < opt.depth; ++k)
        send_echo(c);
      flush(c);
    }
  } else {
    for (unsigned k = 0; k < opt.depth; ++k)
      publish(conns.back());
    flush(conns.back());
  }
  const double warm_end = loop_now + opt.warmup;
  while (!g_stop && now_secs() < warm_end)
    poll_once(50);
  if (!run_hook(opt.window_start_cmd)) return 1;
  measuring = true;
  hist.clear();
  st.msgs = st.publishes = 0;
  const long long t_begin = proc_ticks(opt.pid);
  const auto busy_begin = cpu_busy_ticks();
  const double cpu_begin = self_cpu();
  const double w0 = now_secs();
  const double w_end = w0 + opt.secs;
  while (!g_stop && now_secs() < w_end && st.closed == 0)
    poll_once(50);
  const double w1 = now_secs();
  measuring = false;
  if (!run_hook(opt.window_end_cmd)) return 1;
  const long long t_end = proc_ticks(opt.pid);
  const auto busy_end = cpu_busy_ticks();
  const double cpu_end = self_cpu();
  running = false;
  const double secs = w1 - w0;
  const long long ticks = (t_begin >= 0 && t_end >= 0) ? t_end - t_begin : -1;
  if (opt.m == mode::echo) {
    std::printf("mode=echo conns=%u size=%zu depth=%u kind=%s msgs=%llu secs=%.3f rate=%.0f",
                opt.conns, opt.size, opt.depth, kind_name, static_cast<unsigned long long>(st.msgs),
                secs, static_cast<double>(st.msgs) / secs);
  } else {
    std::printf(
        "mode=fanout subs=%u size=%zu depth=%u kind=%s publishes=%llu msgs=%llu secs=%.3f "
        "rate=%.0f",
        opt.conns, opt.size, opt.depth, kind_name, static_cast<unsigned long long>(st.publishes),
        static_cast<unsigned long long>(st.msgs), secs, static_cast<double>(st.msgs) / secs);
  }
  std::printf(
      " p50_us=%.0f p90_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f bad=%llu closed=%llu "
      "srv_ticks=%lld "
      "clk_tck=%ld load_cpu=%.3f cpu_busy_ticks=%s\n",
      hist.percentile(50), hist.percentile(90), hist.percentile(99), hist.percentile(99.9),
      hist.max(), static_cast<unsigned long long>(st.bad),
      static_cast<unsigned long long>(st.closed), ticks, sysconf(_SC_CLK_TCK), cpu_end - cpu_begin,
      busy_delta(busy_begin, busy_end).c_str());
  std::fflush(stdout);
  close_all();
  if (st.closed) return 3;
  if (st.bad) return 2;
  if (st.msgs == 0) {
    std::fprintf(stderr, "ws_load: no message completed in the measured window\n");
    return 3;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  opt = parse(argc, argv);
  if (opt.text) {
    kind_name = "text";
    data_opcode = 1;
  }
  init_pattern(opt.size, opt.text);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  rng_state ^= static_cast<std::uint64_t>(getpid()) * 0x100000001B3ull ^
               static_cast<std::uint64_t>(now_secs() * 1e9);

  const unsigned total = opt.conns + (opt.m == mode::fanout ? 1 : 0);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && total + 16 > rl.rlim_cur) {
    std::fprintf(stderr, "ws_load: %u connections need more descriptors than the limit (%llu)\n",
                 total, static_cast<unsigned long long>(rl.rlim_cur));
    return 1;
  }
  ep = epoll_create1(EPOLL_CLOEXEC);
  conns.resize(total);
  for (unsigned i = 0; i < total; ++i) {
    conns[i].index = i;
    if (opt.m == mode::echo) conns[i].sent_at.resize(opt.depth);
  }
  if (opt.m == mode::fanout) {
    conns.back().publisher = true;
    pub_count.assign(opt.depth, 0);
    pub_at.assign(opt.depth, 0);
  }

  const double t0 = now_secs();
  if (!open_all(t0 + opt.timeout)) {
    std::fprintf(stderr, "ws_load: setup failed: %u of %u connections open, %llu failed\n", opened,
                 total, static_cast<unsigned long long>(st.closed));
    close_all();
    return 3;
  }
  if (opt.m == mode::idle) return run_idle(t0);
  return run_load();
}
