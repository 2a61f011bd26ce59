// SETTINGS values: range checks and the payload encoding.
#include "h2/settings.hpp"

namespace lwspp::h2 {

error check_setting(std::uint16_t id, std::uint32_t value) noexcept {
  switch (static_cast<setting_id>(id)) {
    case setting_id::enable_push:
    case setting_id::enable_connect_protocol:
    case setting_id::no_rfc7540_priorities:
      return value <= 1 ? error::no_error : error::protocol_error;
    case setting_id::initial_window_size:
      return value <= max_window_size ? error::no_error : error::flow_control_error;
    case setting_id::max_frame_size:
      return value >= default_max_frame_size && value <= max_max_frame_size ? error::no_error
                                                                            : error::protocol_error;
    default:
      return error::no_error;  // any 32-bit value, or an unknown id (ignored)
  }
}

error check_settings_payload(std::string_view entries) noexcept {
  if (entries.size() % setting_entry_size != 0) return error::frame_size_error;
  error e = error::no_error;
  for_each_setting(entries, [&](std::uint16_t id, std::uint32_t value) {
    if (e == error::no_error) e = check_setting(id, value);
  });
  return e;
}

error settings::apply(std::uint16_t id, std::uint32_t value) noexcept {
  if (const error e = check_setting(id, value); e != error::no_error) return e;
  switch (static_cast<setting_id>(id)) {
    case setting_id::header_table_size:
      header_table_size = value;
      break;
    case setting_id::enable_push:
      enable_push = value != 0;
      break;
    case setting_id::max_concurrent_streams:
      max_concurrent_streams = value;
      break;
    case setting_id::initial_window_size:
      initial_window_size = value;
      break;
    case setting_id::max_frame_size:
      max_frame_size = value;
      break;
    case setting_id::max_header_list_size:
      max_header_list_size = value;
      break;
    case setting_id::enable_connect_protocol:
      enable_connect_protocol = value != 0;
      break;
    case setting_id::no_rfc7540_priorities:
      no_rfc7540_priorities = value != 0;
      break;
  }
  return error::no_error;
}

error settings::apply_payload(std::string_view entries) noexcept {
  if (entries.size() % setting_entry_size != 0) return error::frame_size_error;
  error e = error::no_error;
  for_each_setting(entries, [&](std::uint16_t id, std::uint32_t value) {
    if (e == error::no_error) e = apply(id, value);
  });
  return e;
}

void settings::encode(std::string& out) const {
  const settings initial;
  const auto put = [&out](setting_id id, std::uint32_t value) {
    char e[setting_entry_size];
    e[0] = static_cast<char>(static_cast<std::uint16_t>(id) >> 8);
    e[1] = static_cast<char>(static_cast<std::uint16_t>(id));
    write_u32(e + 2, value);
    out.append(e, sizeof e);
  };
  if (header_table_size != initial.header_table_size)
    put(setting_id::header_table_size, header_table_size);
  if (enable_push != initial.enable_push) put(setting_id::enable_push, enable_push ? 1 : 0);
  if (max_concurrent_streams != initial.max_concurrent_streams)
    put(setting_id::max_concurrent_streams, max_concurrent_streams);
  if (initial_window_size != initial.initial_window_size)
    put(setting_id::initial_window_size, initial_window_size);
  if (max_frame_size != initial.max_frame_size) put(setting_id::max_frame_size, max_frame_size);
  if (max_header_list_size != initial.max_header_list_size)
    put(setting_id::max_header_list_size, max_header_list_size);
  if (enable_connect_protocol != initial.enable_connect_protocol)
    put(setting_id::enable_connect_protocol, enable_connect_protocol ? 1 : 0);
  if (no_rfc7540_priorities != initial.no_rfc7540_priorities)
    put(setting_id::no_rfc7540_priorities, no_rfc7540_priorities ? 1 : 0);
}

}  // namespace lwspp::h2
