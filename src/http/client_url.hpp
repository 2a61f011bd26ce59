// The HTTP client's URLs over the common client URL parser (net/url.hpp):
//   http://host[:port]/path?query  https://...  (user:password@ allowed,
//   #fragment dropped)
//   http+unix://%2Frun%2Fapp.sock/path  https+unix://...  (the socket path
//   percent-encoded as the host, the requests-unixsocket convention)
//   unix:/run/app.sock  unix:/run/app.sock:/path?query  unix:@abstract:/path
//   (plain HTTP; the resource after the first ":/" that follows the path)
// and redirect Locations resolved against them. Sans-I/O.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "lwspp/result.hpp"
#include "net/url.hpp"

namespace lwspp::http::detail {

struct client_url {
  net::url u;             // scheme "http" or "https"; host "localhost" over a Unix socket
  bool secure = false;    // https
  std::string unix_path;  // non-empty: connect to this Unix socket ("@name": abstract)

  // What context::connect takes: "host:port", "[v6]:port" or "unix:/path".
  std::string connect_target() const;
  // The Host field: host[:port], port omitted when it is the default.
  std::string authority() const;
  // Connections are shared by requests with the same key: scheme, host,
  // port or socket path.
  std::string origin_key() const;
  // The URL again, normalised (without userinfo; a Unix socket in the
  // http+unix:// or https+unix:// form).
  std::string to_string() const;
  // The same with authority() already made (a request's Host field): one
  // allocation, no temporaries.
  std::string to_string(std::string_view authority) const;
};

// client_error::bad_url with the reason and the URL when it is bad.
result<client_url> parse_client_url(std::string_view text);
// A redirect's Location against the URL that answered (client_error::bad_redirect
// for another scheme).
result<client_url> resolve_redirect(const client_url& base, std::string_view location);

}  // namespace lwspp::http::detail
