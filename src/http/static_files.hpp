// Serving a static file mount (see static_files.cpp and docs/static-files.md).
#pragma once
#include "http/exchange.hpp"
#include "http/server_impl.hpp"

namespace lwspp::http::detail {

// Answers a GET or HEAD under mount m; the request's subpath() is the path
// below the mount's prefix.
void serve_static(exchange& ex, const mount_rule& m);

}  // namespace lwspp::http::detail
