// Logging: levels, a per-context sink, and no work when a level is off.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lwspp/context.hpp"
#include "lwspp/log.hpp"

namespace {

struct line {
  lwspp::log_level level;
  std::string text;
};

TEST(log, sink_gets_lines_at_or_above_the_level) {
  std::vector<line> lines;
  lwspp::logger log(lwspp::log_level::info, [&](lwspp::log_level l, std::string_view t) {
    lines.push_back({l, std::string(t)});
  });
  LWSPP_LOG(log, error, "a", 1);
  LWSPP_LOG(log, info, "b", 2.5);
  LWSPP_LOG(log, debug, "c");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "a1");
  EXPECT_EQ(lines[0].level, lwspp::log_level::error);
  EXPECT_EQ(lines[1].text, "b2.5");
}

TEST(log, disabled_level_does_not_evaluate_arguments) {
  int evaluated = 0;
  auto costly = [&] {
    ++evaluated;
    return std::string("x");
  };
  lwspp::logger log(lwspp::log_level::warn, [](lwspp::log_level, std::string_view) {});
  LWSPP_LOG(log, debug, costly());
  LWSPP_LOG(log, info, costly());
  EXPECT_EQ(evaluated, 0);
  LWSPP_LOG(log, warn, costly());
  EXPECT_EQ(evaluated, 1);
  log.set_level(lwspp::log_level::debug);
  LWSPP_LOG(log, debug, costly());
  EXPECT_EQ(evaluated, 2);
}

TEST(log, level_names_round_trip) {
  for (auto l : {lwspp::log_level::error, lwspp::log_level::warn, lwspp::log_level::notice,
                 lwspp::log_level::info, lwspp::log_level::debug}) {
    lwspp::log_level back{};
    ASSERT_TRUE(lwspp::parse_log_level(lwspp::to_string(l), back));
    EXPECT_EQ(back, l);
  }
  lwspp::log_level out{};
  EXPECT_FALSE(lwspp::parse_log_level("verbose", out));
}

TEST(log, context_uses_its_own_sink) {
  std::vector<std::string> a, b;
  lwspp::context ca({.level = lwspp::log_level::notice,
                     .sink = [&](lwspp::log_level, std::string_view t) { a.emplace_back(t); }});
  lwspp::context cb({.level = lwspp::log_level::notice,
                     .sink = [&](lwspp::log_level, std::string_view t) { b.emplace_back(t); }});
  LWSPP_LOG(ca.log(), notice, "to a");
  LWSPP_LOG(cb.log(), notice, "to b");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0], "to a");
  EXPECT_EQ(b[0], "to b");
}

}  // namespace
