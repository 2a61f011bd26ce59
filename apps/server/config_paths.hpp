// Files and directories named by the config. Relative paths are relative to
// the config file's directory (the current directory for the embedded
// default), and --check looks at each one without creating anything.
#pragma once

#include <string>

#include "settings.hpp"

namespace lwspp_server {

// path as the server will open it: unchanged when absolute, else under
// s.config_dir.
std::string resolve_path(const server_settings& s, const std::string& path);

// Each returns "" when path is fine, otherwise what is wrong, starting with
// the path ("/srv/www: no such directory").
std::string check_directory(const std::string& path);
std::string check_readable_file(const std::string& path);
// A file the server creates or appends to: its directory must exist, and it
// must not be a directory itself.
std::string check_writable_file(const std::string& path);

}  // namespace lwspp_server
