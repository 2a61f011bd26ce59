// What a WebSocket test's handlers saw (messages, events, closes), kept
// under a lock for the test thread to check. Shared by ws_server_test and
// ws_client_test.
#pragma once
#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "lwspp/error.hpp"
#include "lwspp/ws.hpp"

namespace test {

struct ws_journal {
  std::mutex m;
  std::vector<std::pair<std::string, lwspp::ws::message_kind>> messages;
  std::vector<std::string> events;
  struct closed {
    int code = 0;
    std::string reason;
    lwspp::close_reason why;
    bool finished = false;  // a client: finished() was true in its close handler
  };
  std::vector<closed> closes;
  std::atomic<int> opens{0};

  void add(std::string e) {
    std::lock_guard l(m);
    events.push_back(std::move(e));
  }
  std::size_t message_count() {
    std::lock_guard l(m);
    return messages.size();
  }
  std::size_t close_count() {
    std::lock_guard l(m);
    return closes.size();
  }
  closed last_close() {
    std::lock_guard l(m);
    return closes.empty() ? closed{} : closes.back();
  }
  bool has(const std::string& e) {
    std::lock_guard l(m);
    for (const auto& x : events)
      if (x == e) return true;
    return false;
  }
};

}  // namespace test
