// What the HTTP client load tools (bench/http_client_load.cpp,
// bench/clients/http_curl_multi.cpp) share, so that both are driven and
// measure the same way: their arguments, CPU as utime+stime clock ticks
// from /proc/self/stat (read at the start and the end of the measured
// window), peak memory as VmHWM from /proc/self/status, and their one
// result line. Header-only; no lwspp code.
#pragma once
#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace bench_proc {

// --url URL --conns C --expect-size N [--secs D] [--warmup W] [--requests R]
// [--api A] (only where `api` is given).
struct load_args {
  std::string url;
  unsigned conns = 1;
  long long expect = -1;
  unsigned long long requests = 0;  // 0: timed mode
  double secs = 10, warmup = 1;
  std::string api;
};

// False on an unknown option or a missing or bad value.
inline bool parse_args(int argc, char** argv, load_args& a, bool with_api) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--url")
      a.url = v;
    else if (k == "--conns")
      a.conns = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (k == "--expect-size")
      a.expect = std::strtoll(v, nullptr, 10);
    else if (k == "--secs")
      a.secs = std::strtod(v, nullptr);
    else if (k == "--warmup")
      a.warmup = std::strtod(v, nullptr);
    else if (k == "--requests")
      a.requests = std::strtoull(v, nullptr, 10);
    else if (k == "--api" && with_api)
      a.api = v;
    else
      return false;
  }
  return !a.url.empty() && a.conns > 0 && a.expect >= 0 && a.secs > 0 && a.warmup >= 0;
}

// utime + stime of this process (all threads), in clock ticks; -1 on error.
inline long long cpu_ticks() {
  std::FILE* f = std::fopen("/proc/self/stat", "r");
  if (!f) return -1;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const char* p = std::strrchr(buf, ')');
  if (!p) return -1;
  unsigned long long ut = 0, st = 0;
  // After ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14)
  // stime(15)
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return -1;
  return static_cast<long long>(ut + st);
}

// A field of /proc/self/status in KiB (VmHWM, VmRSS); -1 when absent.
inline long status_kib(const char* name) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  const std::size_t len = std::strlen(name);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, name, len) == 0 && line[len] == ':') {
      std::sscanf(line + len + 1, "%ld", &v);
      break;
    }
  }
  std::fclose(f);
  return v;
}

inline double now_secs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The one result line both tools print (bench/http_client_run.sh parses it).
inline void print_result(const char* tool, unsigned long long reqs, double secs, unsigned conns,
                         long long ticks, unsigned long long errors) {
  const long tck = sysconf(_SC_CLK_TCK);
  const double cpu = static_cast<double>(ticks) / static_cast<double>(tck);
  std::printf(
      "tool=%s reqs=%llu secs=%.3f rate=%.0f conns=%u cpu_ticks=%lld clk_tck=%ld cpu_s=%.2f "
      "cpu_us_per_req=%.2f rss_peak_kib=%ld errors=%llu\n",
      tool, reqs, secs, secs > 0 ? static_cast<double>(reqs) / secs : 0.0, conns, ticks, tck, cpu,
      reqs ? cpu * 1e6 / static_cast<double>(reqs) : 0.0, status_kib("VmHWM"), errors);
  std::fflush(stdout);
}

}  // namespace bench_proc
