// The size of an idle connection is a benchmark target (bench/http_run.sh:
// at most 256 bytes of user-space RSS per idle keep-alive connection), and
// the connection object is nearly all of it: a member that grows it should
// be a deliberate choice, made here, not an accident.
#include <gtest/gtest.h>

#include "lwspp/connection.hpp"

namespace {

TEST(connection_size, idle_connection_stays_small) {
  if constexpr (sizeof(void*) != 8) GTEST_SKIP() << "sizes are budgeted for 64-bit targets";
  // 192 bytes is a 208-byte glibc heap chunk; see docs/architecture.md.
  EXPECT_LE(sizeof(lwspp::connection), 192u);
  EXPECT_LE(sizeof(lwspp::timer), 64u);
}

}  // namespace
