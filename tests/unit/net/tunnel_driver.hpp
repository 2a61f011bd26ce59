// Drives a sans-I/O lwspp::tunnel over a proxy's bytes the way the
// connector does, in pieces, and checks the contract on the way: consumed
// never exceeds the piece, need_more consumes it all. every_split() feeds
// the bytes whole, split in two at every position and byte by byte, and
// expects one outcome.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lwspp/tunnel.hpp"

namespace tunnel_test {

struct outcome {
  lwspp::tunnel_status status = lwspp::tunnel_status::need_more;
  std::size_t consumed = 0;  // of the proxy's bytes, in all
  std::string sent;          // what the tunnel asked to send, in all
  lwspp::close_reason why;   // after failed

  // What every split must agree on. After a failure what was consumed does
  // not matter (the connection is dropped), so it is left out.
  std::string describe() const {
    const bool failed = status == lwspp::tunnel_status::failed;
    return std::to_string(static_cast<int>(status)) + " consumed " +
           (failed ? "-" : std::to_string(consumed)) + " sent " + std::to_string(sent.size()) +
           " [" + why.message() + "] code " + std::to_string(why.protocol_code);
  }
};

using maker = std::function<std::unique_ptr<lwspp::tunnel>()>;

inline outcome run(const maker& make, std::string_view proxy_bytes,
                   const std::vector<std::size_t>& cuts) {
  auto t = make();
  outcome o;
  if (t->start(o.sent) == lwspp::tunnel_status::failed) {
    o.status = lwspp::tunnel_status::failed;
    o.why = t->failure();
    return o;
  }
  std::size_t from = 0;
  for (std::size_t k = 0; k <= cuts.size() && o.status == lwspp::tunnel_status::need_more; ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : proxy_bytes.size();
    const std::string piece(proxy_bytes.substr(from, to - from));  // its own buffer
    from = to;
    if (piece.empty()) continue;
    const lwspp::tunnel_step s = t->on_data(piece, o.sent);
    EXPECT_LE(s.consumed, piece.size());
    if (s.status == lwspp::tunnel_status::need_more) {
      EXPECT_EQ(s.consumed, piece.size());
    }
    o.consumed += s.consumed;
    o.status = s.status;
  }
  if (o.status == lwspp::tunnel_status::failed) o.why = t->failure();
  return o;
}

inline outcome every_split(const maker& make, std::string_view proxy_bytes) {
  const outcome whole = run(make, proxy_bytes, {});
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < proxy_bytes.size(); ++i) {
    const outcome split = run(make, proxy_bytes, {i});
    EXPECT_EQ(split.describe(), whole.describe()) << "split at " << i;
    EXPECT_EQ(split.sent, whole.sent) << "split at " << i;
    bytewise.push_back(i);
  }
  const outcome one_by_one = run(make, proxy_bytes, bytewise);
  EXPECT_EQ(one_by_one.describe(), whole.describe());
  EXPECT_EQ(one_by_one.sent, whole.sent);
  return whole;
}

inline std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b)
    s.push_back(static_cast<char>(x));
  return s;
}

}  // namespace tunnel_test
