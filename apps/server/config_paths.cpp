#include "config_paths.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace lwspp_server {
namespace {

namespace fs = std::filesystem;

std::string in_quotes(const std::string& path) {
  return "\"" + path + "\"";
}

// "" when path exists; else why not.
std::string check_exists(const std::string& path, fs::file_status& st, std::string_view what) {
  std::error_code ec;
  st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found)
    return in_quotes(path) + ": no such " + std::string(what);
  if (ec) return in_quotes(path) + ": " + ec.message();
  return {};
}

std::string check_access(const std::string& path, int mode) {
  if (::access(path.c_str(), mode) == 0) return {};
  return in_quotes(path) + ": " + std::strerror(errno);
}

}  // namespace

std::string resolve_path(const server_settings& s, const std::string& path) {
  if (path.empty() || s.config_dir.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(s.config_dir) / path).lexically_normal().string();
}

std::string check_directory(const std::string& path) {
  fs::file_status st;
  if (std::string why = check_exists(path, st, "directory"); !why.empty()) return why;
  if (!fs::is_directory(st)) return in_quotes(path) + ": not a directory";
  return check_access(path, R_OK | X_OK);
}

std::string check_readable_file(const std::string& path) {
  fs::file_status st;
  if (std::string why = check_exists(path, st, "file"); !why.empty()) return why;
  if (!fs::is_regular_file(st)) return in_quotes(path) + ": not a regular file";
  return check_access(path, R_OK);
}

std::string check_writable_file(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st)) return in_quotes(path) + ": is a directory";
  if (fs::exists(st)) return check_access(path, W_OK);
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec))
    return in_quotes(path) + ": directory " + in_quotes(dir) + " does not exist";
  return check_access(dir, W_OK | X_OK);
}

}  // namespace lwspp_server
