// The default log sink (stderr with a UTC timestamp) and level names.
#include "lwspp/log.hpp"

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace lwspp {
namespace {

constexpr std::string_view level_names[] = {"error", "warn", "notice", "info", "debug"};

// One write(2) per line, so lines from several loop threads never interleave.
void write_stderr(log_level level, std::string_view message) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char head[64];
  const int n =
      std::snprintf(head, sizeof head, "[%04d-%02d-%02d %02d:%02d:%02d.%03d] %-6s ",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    static_cast<int>(ms), level_names[static_cast<int>(level)].data());
  std::string line;
  line.reserve(static_cast<std::size_t>(n) + message.size() + 1);
  line.append(head, static_cast<std::size_t>(n));
  line.append(message);
  line.push_back('\n');
  [[maybe_unused]] auto r = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

std::string_view to_string(log_level level) noexcept {
  return level_names[static_cast<int>(level)];
}

bool parse_log_level(std::string_view text, log_level& out) noexcept {
  for (int i = 0; i < 5; ++i) {
    if (text == level_names[i]) {
      out = static_cast<log_level>(i);
      return true;
    }
  }
  return false;
}

void logger::write(log_level level, std::string_view message) const {
  if (sink_)
    sink_(level, message);
  else
    write_stderr(level, message);
}

}  // namespace lwspp
