// Making a connection with the role a role_factory describes.
#pragma once

#include <memory>

#include "lwspp/context.hpp"

namespace lwspp::detail {

// A connection on loop l for fd (-1 for a client not yet connected) whose
// role comes from roles: the shared one, or one made for it. A listener
// passes shared_opts: its vhost's options and roles outlive the connection,
// so they are pointed at, not copied or co-owned. If it throws (out of
// memory), fd is closed.
connection_ref make_connection(loop& l, int fd, const role_factory& roles,
                               const connection_options& opts, bool shared_opts = false);

}  // namespace lwspp::detail
