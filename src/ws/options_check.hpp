// The checks of lwspp::ws::options that both ends make before using them
// (a server route's at listen(), a client's at connect()).
#pragma once
#include <string>

#include "lwspp/ws.hpp"

namespace lwspp::ws::detail {

// What is wrong with the options both ends share ("" if nothing): a
// subprotocol that is not a token, more than 127 of them, deflate window
// bits outside 8-15 or a level outside 1-9, a zero size limit, a ping
// interval without a pong timeout, a close timeout that is not positive.
std::string check_common_options(const options& o);

}  // namespace lwspp::ws::detail
