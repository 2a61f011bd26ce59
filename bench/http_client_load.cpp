// http_client_load — the lwspp HTTP client as a load generator, for
// bench/http_client_run.sh (side by side with bench/clients/http_curl_multi).
//
//   http_client_load --url URL --conns C --expect-size N
//                    [--secs D] [--warmup W] [--requests R]
//
// Keeps C GET requests in flight against URL over at most C keep-alive
// connections (max_connections_per_origin = C): each completed request
// issues the next one from its callback. Every response must be a 200 whose
// body is N bytes. Timed mode (default): W s of warm-up (default 1), then
// D s measured (default 10); requests and this process's CPU (utime+stime
// from /proc/self/stat) are counted over that window only. Fixed mode
// (--requests R): exactly R requests, all counted (for strace -c and
// callgrind). Prints one line (bench/load_proc.hpp's print_result).
// Compression is off (no Accept-Encoding), as for curl. Exit status: 0 ok,
// 1 usage, 2 a bad response or a failed request.
#include <lwspp/http_client.hpp>
#include <lwspp/timer.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "load_proc.hpp"

namespace http = lwspp::http;

namespace {

struct load {
  lwspp::context& ctx;
  http::client& client;
  std::string url;
  std::size_t expect_size = 0;
  unsigned long long limit = 0;  // fixed mode: requests to issue (0: timed)
  unsigned long long issued = 0, done = 0, errors = 0;
  unsigned inflight = 0;
  bool stopping = false;

  void issue() {
    ++issued;
    ++inflight;
    client.get(url, [this](lwspp::result<http::client_response> r) { complete(r); });
  }

  void complete(const lwspp::result<http::client_response>& r) {
    --inflight;
    ++done;
    if (!r) {
      if (++errors <= 3)
        std::fprintf(stderr, "http_client_load: %s\n", r.error().message().c_str());
    } else if (r->status != 200 || r->body.size() != expect_size) {
      if (++errors <= 3)
        std::fprintf(stderr, "http_client_load: status %d, %zu body bytes (want 200, %zu)\n",
                     r->status, r->body.size(), expect_size);
    }
    if (errors) stopping = true;
    if (limit && issued >= limit) stopping = true;
    if (!stopping) {
      issue();
    } else if (inflight == 0) {
      ctx.stop();
    }
  }
};

int usage() {
  std::fprintf(stderr,
               "usage: http_client_load --url URL --conns C --expect-size N [--secs D] [--warmup W]"
               " [--requests R]\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bench_proc::load_args args;
  if (!bench_proc::parse_args(argc, argv, args, false)) return usage();
  const std::string& url = args.url;
  const unsigned conns = args.conns;
  const long long expect = args.expect;
  const unsigned long long requests = args.requests;
  const double secs = args.secs, warmup = args.warmup;

  lwspp::context ctx;
  http::client_options opts;
  opts.max_connections_per_origin = conns;
  opts.decompress = false;  // no Accept-Encoding: the same request as curl's
  opts.proxy_from_environment = false;
  http::client client(ctx, opts);
  load l{ctx, client, url, static_cast<std::size_t>(expect), requests};

  unsigned long long done0 = 0;
  long long ticks0 = 0;
  double t0 = bench_proc::now_secs(), t1 = 0;
  long long ticks1 = 0;
  unsigned long long done1 = 0;
  lwspp::loop& lp = ctx.get_loop(0);
  lwspp::timer start_window(lp, [&] {
    done0 = l.done;
    ticks0 = bench_proc::cpu_ticks();
    t0 = bench_proc::now_secs();
  });
  lwspp::timer end_window(lp, [&] {
    done1 = l.done;
    ticks1 = bench_proc::cpu_ticks();
    t1 = bench_proc::now_secs();
    l.stopping = true;
  });
  lp.post([&] {
    if (requests == 0) {
      start_window.arm(std::chrono::duration_cast<lwspp::clock_type::duration>(
          std::chrono::duration<double>(warmup)));
      end_window.arm(std::chrono::duration_cast<lwspp::clock_type::duration>(
          std::chrono::duration<double>(warmup + secs)));
    } else {
      ticks0 = bench_proc::cpu_ticks();
      t0 = bench_proc::now_secs();
    }
    for (unsigned i = 0; i < conns && (requests == 0 || l.issued < requests); ++i)
      l.issue();
  });
  ctx.run();
  if (requests) {
    done1 = l.done;
    ticks1 = bench_proc::cpu_ticks();
    t1 = bench_proc::now_secs();
  }
  bench_proc::print_result("lwspp", done1 - done0, t1 - t0, conns, ticks1 - ticks0, l.errors);
  return l.errors ? 2 : 0;
}
