// HPACK throughput: ns per header block and heap allocations per block for
// a typical browser request header set (14 fields, a cookie, a path that
// changes per request), decoded and encoded as one connection would: 1000
// blocks in order through one decoder or encoder (the dynamic table warm
// after the first). With libnghttp2 (pkg-config libnghttp2, Debian's
// libnghttp2-dev), nghttp2's nghttp2_hd_inflate/deflate run the same blocks
// in the same process and the ratio is printed.
//
//   build/release/bench/hpack_bench [passes]      (per round; default 20)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"

#ifdef LWSPP_BENCH_NGHTTP2
#include <nghttp2/nghttp2.h>
#endif

namespace {
std::size_t allocations = 0;
}

// Counts every heap allocation of the process (both libraries use new or
// malloc; nghttp2's go through malloc and are counted by its own mem hooks
// below).
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using namespace lwspp::h2::hpack;
using clock_type = std::chrono::steady_clock;

constexpr int blocks = 1000;

std::vector<std::vector<std::pair<std::string, std::string>>> make_requests() {
  std::vector<std::vector<std::pair<std::string, std::string>>> out;
  for (int i = 0; i < blocks; ++i) {
    out.push_back({
        {":method", "GET"},
        {":authority", "www.example.com"},
        {":scheme", "https"},
        {":path", "/assets/chunk-" + std::to_string(i * 7919 % 100000) + ".js?v=3"},
        {"sec-ch-ua", "\"Chromium\";v=\"120\", \"Not?A_Brand\";v=\"8\""},
        {"sec-ch-ua-mobile", "?0"},
        {"user-agent",
         "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Safari/537.36"},
        {"accept", "*/*"},
        {"sec-fetch-site", "same-origin"},
        {"sec-fetch-mode", "no-cors"},
        {"referer", "https://www.example.com/app/dashboard"},
        {"accept-encoding", "gzip, deflate, br"},
        {"accept-language", "en-US,en;q=0.9"},
        {"cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.2.1234567"},
    });
  }
  return out;
}

struct figures {
  double ns_per_block;
  double allocs_per_block;
};

// One round of `passes` passes.
template <class F>
figures measure(int passes, F& pass) {
  const std::size_t a0 = allocations;
  const auto t0 = clock_type::now();
  for (int p = 0; p < passes; ++p)
    pass();
  const auto t1 = clock_type::now();
  const double n = double(passes) * blocks;
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / n,
          double(allocations - a0) / n};
}

// The machine is shared: the contenders run in turn within each of 9
// rounds, so that each round's ratio compares runs under the same load; the
// best time of each and the median of the per-round ratios are reported.
struct contender {
  const char* name;
  std::function<void()> pass;
  std::vector<figures> rounds;
};

void run_rounds(std::vector<contender>& cs, int passes) {
  for (auto& c : cs)
    c.pass();  // warm caches and allocators
  for (int r = 0; r < 9; ++r)
    for (auto& c : cs)
      c.rounds.push_back(measure(passes, c.pass));
}

figures best(const contender& c) {
  figures b = c.rounds[0];
  for (const auto& f : c.rounds)
    if (f.ns_per_block < b.ns_per_block) b = f;
  return b;
}

double median_ratio(const contender& slow, const contender& fast) {
  std::vector<double> r;
  for (std::size_t i = 0; i < slow.rounds.size(); ++i)
    r.push_back(slow.rounds[i].ns_per_block / fast.rounds[i].ns_per_block);
  std::sort(r.begin(), r.end());
  return r[r.size() / 2];
}

#ifdef LWSPP_BENCH_NGHTTP2
// nghttp2 allocates through these: count them like operator new.
void* ng_malloc(size_t n, void*) {
  ++allocations;
  return std::malloc(n);
}
void ng_free(void* p, void*) {
  std::free(p);
}
void* ng_calloc(size_t n, size_t m, void*) {
  ++allocations;
  return std::calloc(n, m);
}
void* ng_realloc(void* p, size_t n, void*) {
  ++allocations;
  return std::realloc(p, n);
}
nghttp2_mem ng_mem = {nullptr, ng_malloc, ng_free, ng_calloc, ng_realloc};

std::vector<std::vector<nghttp2_nv>> to_nv(
    const std::vector<std::vector<std::pair<std::string, std::string>>>& reqs) {
  std::vector<std::vector<nghttp2_nv>> out;
  for (const auto& r : reqs) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [n, v] : r)
      nv.push_back(
          {(uint8_t*)n.data(), (uint8_t*)v.data(), n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
    out.push_back(std::move(nv));
  }
  return out;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const int passes = argc > 1 ? std::atoi(argv[1]) : 20;
  const auto reqs = make_requests();
  std::vector<std::vector<header_field>> lists;
  for (const auto& r : reqs) {
    std::vector<header_field> l;
    for (const auto& [n, v] : r)
      l.push_back({n, v});
    lists.push_back(std::move(l));
  }

  // The blocks every decoder reads: one connection's worth, from our encoder.
  std::vector<std::string> wire;
  {
    encoder e;
    for (const auto& l : lists)
      e.encode(l, wire.emplace_back());
  }
  std::size_t wire_bytes = 0;
  std::size_t plain_bytes = 0;
  for (const auto& w : wire)
    wire_bytes += w.size();
  for (const auto& r : reqs)
    for (const auto& [n, v] : r)
      plain_bytes += n.size() + v.size() + 4;

  std::size_t sink = 0;
  header_list out;
  std::string buf;
  std::vector<contender> cs;
  cs.push_back({"lwspp   decode",
                [&] {
                  decoder d;
                  for (const auto& w : wire) {
                    if (!d.decode(w, out).ok()) std::abort();
                    sink += out.size();
                  }
                },
                {}});
  cs.push_back({"lwspp   encode",
                [&] {
                  encoder e;
                  for (const auto& l : lists) {
                    buf.clear();
                    e.encode(l, buf);
                    sink += buf.size();
                  }
                },
                {}});

#ifdef LWSPP_BENCH_NGHTTP2
  const auto nvs = to_nv(reqs);
  std::vector<uint8_t> obuf(64 * 1024);
  // nghttp2 reads our blocks, and we read its: each must decode the other's.
  std::vector<std::string> ng_wire;
  {
    nghttp2_hd_deflater* d = nullptr;
    nghttp2_hd_deflate_new2(&d, 4096, &ng_mem);
    for (const auto& nv : nvs) {
      const auto n = nghttp2_hd_deflate_hd(d, obuf.data(), obuf.size(), nv.data(), nv.size());
      if (n < 0) std::abort();
      ng_wire.emplace_back(reinterpret_cast<const char*>(obuf.data()), static_cast<std::size_t>(n));
    }
    nghttp2_hd_deflate_del(d);
    decoder ours;
    for (std::size_t i = 0; i < ng_wire.size(); ++i) {
      if (!ours.decode(ng_wire[i], out).ok() || out.size() != reqs[i].size()) std::abort();
    }
  }
  cs.push_back({"nghttp2 decode",
                [&] {
                  nghttp2_hd_inflater* inf = nullptr;
                  nghttp2_hd_inflate_new2(&inf, &ng_mem);
                  for (const auto& w : wire) {
                    auto* p = reinterpret_cast<const uint8_t*>(w.data());
                    std::size_t left = w.size();
                    for (;;) {
                      nghttp2_nv nv;
                      int flags = 0;
                      const auto n = nghttp2_hd_inflate_hd2(inf, &nv, &flags, p, left, 1);
                      if (n < 0) std::abort();
                      p += n;
                      left -= static_cast<std::size_t>(n);
                      if (flags & NGHTTP2_HD_INFLATE_EMIT) sink += nv.namelen + nv.valuelen;
                      if (flags & NGHTTP2_HD_INFLATE_FINAL) {
                        nghttp2_hd_inflate_end_headers(inf);
                        break;
                      }
                      if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) break;
                    }
                  }
                  nghttp2_hd_inflate_del(inf);
                },
                {}});
  cs.push_back({"nghttp2 encode",
                [&] {
                  nghttp2_hd_deflater* d = nullptr;
                  nghttp2_hd_deflate_new2(&d, 4096, &ng_mem);
                  for (const auto& nv : nvs) {
                    const auto n =
                        nghttp2_hd_deflate_hd(d, obuf.data(), obuf.size(), nv.data(), nv.size());
                    if (n < 0) std::abort();
                    sink += static_cast<std::size_t>(n);
                  }
                  nghttp2_hd_deflate_del(d);
                },
                {}});
#endif

  run_rounds(cs, passes);
  std::printf("HPACK, %d request blocks of 14 fields per pass, %d passes per round, 9 rounds\n",
              blocks, passes);
  std::printf(
      "  block: %.1f bytes on the wire (lwspp encoder, warm table) for %.1f bytes of fields\n",
      double(wire_bytes) / blocks, double(plain_bytes) / blocks);
  for (const auto& c : cs) {
    const figures b = best(c);
    std::printf("  %s %7.1f ns/block (best round)  %5.2f allocs/block\n", c.name, b.ns_per_block,
                b.allocs_per_block);
  }
#ifdef LWSPP_BENCH_NGHTTP2
  std::size_t ng_bytes = 0;
  for (const auto& w : ng_wire)
    ng_bytes += w.size();
  std::printf("  nghttp2 %s: %.1f bytes/block from its encoder\n", NGHTTP2_VERSION,
              double(ng_bytes) / blocks);
  std::printf("  nghttp2 time / lwspp time, median of the rounds: decode %.2fx, encode %.2fx\n",
              median_ratio(cs[2], cs[0]), median_ratio(cs[3], cs[1]));
#endif
  return sink == 42 ? 1 : 0;
}
