// An echo server that honours backpressure the way the docs tell users to:
// pause reading while the write queue is above its high-water mark.
#pragma once

#include "lwspp/raw.hpp"

namespace test {

inline lwspp::raw::handlers echo_handlers() {
  return {
      .on_open = {},
      .on_data =
          [](lwspp::connection& c, std::string_view bytes) {
            if (c.send(bytes).backpressure) c.pause_reading();
          },
      .on_writable = [](lwspp::connection& c) { c.resume_reading(); },
      .on_close = {},
  };
}

}  // namespace test
