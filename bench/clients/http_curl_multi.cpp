// http_curl_multi — libcurl's multi interface as a load generator: the peer
// of bench/http_client_load.cpp in bench/http_client_run.sh, with the same
// arguments, checks and result line (bench/load_proc.hpp).
//
//   http_curl_multi --url URL --conns C --expect-size N
//                   [--secs D] [--warmup W] [--requests R] [--api socket|perform]
//
// C easy handles, made once and reused for every request (remove from the
// multi handle when done, add again: the connection goes back to the
// multi's cache and is picked up again), so C requests are in flight over
// at most C keep-alive connections (CURLMOPT_MAX_HOST_CONNECTIONS and
// CURLMOPT_MAXCONNECTS = C). HTTP/1.1 only, no multiplexing, no
// Accept-Encoding, no proxy from the environment, no signals.
//
// --api socket (default): curl_multi_socket_action driven by our own epoll
// loop, the API libcurl recommends for many connections. --api perform:
// curl_multi_perform + curl_multi_poll, the simple loop of libcurl's
// examples (poll() over every socket on each turn).
//
// Every response must be a 200 with an N-byte body. Timed mode: W s
// warm-up, then D s measured (requests and CPU over that window); fixed
// mode (--requests R): exactly R requests. Exit status: 0 ok, 1 usage or
// setup error, 2 a bad response or a failed transfer.
#include <curl/curl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "load_proc.hpp"

namespace {

struct transfer {
  CURL* easy = nullptr;
  std::size_t body = 0;
};

std::size_t on_write(char*, std::size_t size, std::size_t n, void* userp) {
  static_cast<transfer*>(userp)->body += size * n;
  return size * n;
}

struct state {
  CURLM* multi = nullptr;
  int epfd = -1;
  long timeout_ms = -1;  // from CURLMOPT_TIMERFUNCTION, not yet taken as a deadline; -1: none
  double deadline = -1;  // when to call curl_multi_socket_action(CURL_SOCKET_TIMEOUT); -1: none
  std::size_t expect = 0;
  unsigned long long limit = 0, issued = 0, done = 0, errors = 0;
  unsigned inflight = 0;
  bool stopping = false;
};

int on_socket(CURL*, curl_socket_t s, int what, void* userp, void*) {
  auto* st = static_cast<state*>(userp);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(st->epfd, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  ev.data.fd = s;
  // libcurl does not say whether it told us about this socket before: try MOD, then ADD.
  if (epoll_ctl(st->epfd, EPOLL_CTL_MOD, s, &ev) != 0) epoll_ctl(st->epfd, EPOLL_CTL_ADD, s, &ev);
  return 0;
}

int on_timer(CURLM*, long timeout_ms, void* userp) {
  auto* st = static_cast<state*>(userp);
  st->timeout_ms = timeout_ms;
  if (timeout_ms < 0) st->deadline = -1;  // -1: delete the timer
  return 0;
}

void issue(state& st, transfer& t) {
  t.body = 0;
  ++st.issued;
  ++st.inflight;
  curl_multi_add_handle(st.multi, t.easy);
}

// Completed transfers: check, then reuse the handle for the next request.
void reap(state& st) {
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(st.multi, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    transfer* t = nullptr;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    long code = 0;
    curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
    const CURLcode res = m->data.result;
    curl_multi_remove_handle(st.multi, m->easy_handle);
    --st.inflight;
    ++st.done;
    if (res != CURLE_OK || code != 200 || t->body != st.expect) {
      if (++st.errors <= 3)
        std::fprintf(stderr, "http_curl_multi: %s, status %ld, %zu body bytes (want 200, %zu)\n",
                     curl_easy_strerror(res), code, t->body, st.expect);
      st.stopping = true;
    }
    if (st.limit && st.issued >= st.limit) st.stopping = true;
    if (!st.stopping) issue(st, *t);
  }
}

int usage() {
  std::fprintf(stderr,
               "usage: http_curl_multi --url URL --conns C --expect-size N [--secs D] [--warmup W]"
               " [--requests R] [--api socket|perform]\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bench_proc::load_args args;
  args.api = "socket";
  if (!bench_proc::parse_args(argc, argv, args, true) ||
      (args.api != "socket" && args.api != "perform"))
    return usage();
  const std::string& url = args.url;
  const std::string& api = args.api;
  const unsigned conns = args.conns;
  const long long expect = args.expect;
  const unsigned long long requests = args.requests;
  const double secs = args.secs, warmup = args.warmup;

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  state st;
  st.expect = static_cast<std::size_t>(expect);
  st.limit = requests;
  st.multi = curl_multi_init();
  curl_multi_setopt(st.multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(conns));
  curl_multi_setopt(st.multi, CURLMOPT_MAXCONNECTS, static_cast<long>(conns));
  curl_multi_setopt(st.multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_NOTHING));
  const bool socket_api = api == "socket";
  if (socket_api) {
    st.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (st.epfd < 0) return 1;
    curl_multi_setopt(st.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(st.multi, CURLMOPT_SOCKETDATA, &st);
    curl_multi_setopt(st.multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(st.multi, CURLMOPT_TIMERDATA, &st);
  }

  std::vector<transfer> ts(conns);
  for (transfer& t : ts) {
    t.easy = curl_easy_init();
    curl_easy_setopt(t.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(t.easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t.easy, CURLOPT_PROXY, "");  // no proxy from the environment
    curl_easy_setopt(t.easy, CURLOPT_MAXCONNECTS, static_cast<long>(conns));
  }

  double t0 = bench_proc::now_secs(), t1 = 0;
  const double start_at = t0 + warmup, end_at = start_at + secs;
  long long ticks0 = requests ? bench_proc::cpu_ticks() : 0, ticks1 = 0;
  unsigned long long done0 = 0, done1 = 0;
  bool in_window = false;
  for (transfer& t : ts) {
    if (requests && st.issued >= requests) break;
    issue(st, t);
  }

  std::vector<epoll_event> evs(conns + 16);
  int running = 0;
  while (st.inflight > 0) {
    if (socket_api) {
      // libcurl's timeout is relative to when it was set: keep it as a deadline,
      // or a steady stream of events would postpone it for ever.
      if (st.timeout_ms >= 0) {
        st.deadline = bench_proc::now_secs() + static_cast<double>(st.timeout_ms) / 1000;
        st.timeout_ms = -1;
      }
      const double left = st.deadline - bench_proc::now_secs();
      const int n = epoll_wait(st.epfd, evs.data(), static_cast<int>(evs.size()),
                               st.deadline < 0 ? 1000
                               : left <= 0     ? 0
                                               : static_cast<int>(left * 1000) + 1);
      if (st.deadline >= 0 && bench_proc::now_secs() >= st.deadline) {
        st.deadline = -1;
        curl_multi_socket_action(st.multi, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      for (int i = 0; i < n; ++i) {
        const int mask = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                         (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                         (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(st.multi, evs[i].data.fd, mask, &running);
      }
    } else {
      curl_multi_perform(st.multi, &running);
    }
    reap(st);  // re-adds handles: before the poll, which then returns at once for them
    if (!socket_api && st.inflight > 0) curl_multi_poll(st.multi, nullptr, 0, 1000, nullptr);
    if (!requests) {
      const double now = bench_proc::now_secs();
      if (!in_window && now >= start_at) {
        in_window = true;
        done0 = st.done;
        ticks0 = bench_proc::cpu_ticks();
        t0 = now;
      } else if (in_window && !st.stopping && now >= end_at) {
        done1 = st.done;
        ticks1 = bench_proc::cpu_ticks();
        t1 = now;
        st.stopping = true;
      }
    }
  }
  if (requests) {
    done1 = st.done;
    ticks1 = bench_proc::cpu_ticks();
    t1 = bench_proc::now_secs();
  }
  bench_proc::print_result(socket_api ? "curl-multi-socket" : "curl-multi-perform", done1 - done0,
                           t1 - t0, conns, ticks1 - ticks0, st.errors);
  for (transfer& t : ts)
    curl_easy_cleanup(t.easy);
  curl_multi_cleanup(st.multi);
  if (st.epfd >= 0) close(st.epfd);
  curl_global_cleanup();
  return st.errors ? 2 : 0;
}
