// The protocols a vhost can speak, by name, and the "protocol" config key.
// Adding a protocol is one entry in the table in protocols.cpp.
#pragma once

#include <span>
#include <string_view>

#include "config_schema.hpp"
#include "lwspp/context.hpp"

namespace lwspp_server {

struct protocol {
  std::string_view name;
  std::string_view description;
  // The roles for one vhost's connections.
  lwspp::role_factory (*make)(const vhost_settings& vh);
};

std::span<const protocol> known_protocols() noexcept;
const protocol* find_protocol(std::string_view name) noexcept;

void register_protocol_keys(config_schema& schema);

}  // namespace lwspp_server
