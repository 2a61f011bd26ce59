// The protocols a vhost can speak, by name, and the "protocol" config key.
// Adding a protocol is one entry in the table in protocols.cpp.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "config_schema.hpp"
#include "lwspp/context.hpp"
#include "lwspp/result.hpp"

namespace lwspp_server {

// What a vhost's protocol keeps alive while the vhost serves (the
// http::server holding its routes), or nullptr. It must outlive the context
// the vhost was added to.
using vhost_state = std::shared_ptr<void>;

struct protocol {
  std::string_view name;
  std::string_view description;
  // Adds the vhost to ctx (binding its listeners now) with this protocol's
  // roles. Errors: the address is bad or busy, a file named by the config
  // cannot be opened.
  lwspp::result<vhost_state> (*listen)(lwspp::context& ctx, const vhost_settings& vh);
};

std::span<const protocol> known_protocols() noexcept;
const protocol* find_protocol(std::string_view name) noexcept;

void register_protocol_keys(config_schema& schema);

}  // namespace lwspp_server
