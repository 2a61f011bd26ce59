// The Sec-WebSocket-Extensions header (RFC 6455 §9.1):
//   extension-list = 1#extension
//   extension      = token *( OWS ";" OWS token [ "=" ( token / quoted-string ) ] )
// A quoted value must unescape to a token. Empty list elements are skipped
// (RFC 9110 §5.6.1). Several header fields are joined with ", " first.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwspp::ws {

struct extension_param {
  std::string_view name = {};
  std::string value = {};  // unquoted; empty when has_value is false
  bool has_value = false;
};

struct extension {
  std::string_view name = {};
  std::vector<extension_param> params = {};
};

// The extensions in order, or nullopt when the value breaks the grammar.
// Views point into `header`.
std::optional<std::vector<extension>> parse_extensions(std::string_view header);

}  // namespace lwspp::ws
