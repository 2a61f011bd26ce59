// Logging: levels, a per-context sink, and no cost when a level is off.
//
//   LWSPP_LOG(ctx.log(), info, "listening on ", addr.to_string());
//
// The macro tests the level before it evaluates its arguments, so a disabled
// line costs one load and one compare.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string_view>

namespace lwspp {

enum class log_level : std::uint8_t { error, warn, notice, info, debug };

std::string_view to_string(log_level level) noexcept;
// "error", "warn", "notice", "info", "debug"; false if unknown.
bool parse_log_level(std::string_view text, log_level& out) noexcept;

using log_sink = std::function<void(log_level, std::string_view message)>;

class logger {
 public:
  logger() = default;  // notice and above, to stderr with a timestamp
  logger(log_level level, log_sink sink) : level_(level), sink_(std::move(sink)) {}
  logger(const logger&) = delete;
  logger& operator=(const logger&) = delete;

  // The level may be changed from any thread; the sink only before loops run.
  bool enabled(log_level level) const noexcept {
    return level <= level_.load(std::memory_order_relaxed);
  }
  log_level level() const noexcept { return level_.load(std::memory_order_relaxed); }
  void set_level(log_level level) noexcept { level_.store(level, std::memory_order_relaxed); }
  void set_sink(log_sink sink) { sink_ = std::move(sink); }

  void write(log_level level, std::string_view message) const;

  template <class... Parts>
  void log(log_level level, const Parts&... parts) const {
    if (!enabled(level)) return;
    std::ostringstream out;
    (out << ... << parts);
    write(level, out.str());
  }

 private:
  std::atomic<log_level> level_{log_level::notice};
  log_sink sink_;  // empty: stderr; called from every loop thread, so it must be thread-safe
};

}  // namespace lwspp

#define LWSPP_LOG(logger_, level_, ...)                      \
  do {                                                       \
    const ::lwspp::logger& lwspp_l_ = (logger_);             \
    if (lwspp_l_.enabled(::lwspp::log_level::level_))        \
      lwspp_l_.log(::lwspp::log_level::level_, __VA_ARGS__); \
  } while (0)
