// From config text to server settings: parse, locate, check every key
// against the registry, apply environment overrides. Errors are collected
// (every problem, each with file:line and key), never thrown.
#pragma once

#include <string>
#include <vector>

#include "config_schema.hpp"
#include "env_overrides.hpp"
#include "lwspp/result.hpp"
#include "settings.hpp"

namespace lwspp_server {

struct config_source {
  std::string name;  // the file as given on the command line, or "<default>"
  std::string text;
  // Relative paths in the config are relative to this directory: the file's
  // own; "" (the current directory) for the embedded default.
  std::string dir = {};
};

struct loaded_config {
  server_settings settings;
  std::vector<std::string> errors;  // "FILE:LINE: key "x": what is wrong", in line order
  std::vector<std::string> notes;   // things worth an info log line (overrides applied)
  bool ok() const noexcept { return errors.empty(); }
};

// Every key the server knows, registered by the feature that owns it.
const config_schema& server_schema();

lwspp::result<config_source> read_config_file(const std::string& path);
config_source default_config_source();

loaded_config load_config(const config_source& source, const env_lookup& env);

}  // namespace lwspp_server
