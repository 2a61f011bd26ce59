#include "config_loader.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "config_keys.hpp"
#include "default_config.hpp"
#include "http_keys.hpp"
#include "json_locator.hpp"
#include "protocols.hpp"
#include "tls_keys.hpp"

namespace lwspp_server {
namespace {

using json = nlohmann::json;

config_schema build_schema() {
  config_schema s;
  register_core_keys(s);
  register_protocol_keys(s);
  register_env_keys(s);
  register_http_keys(s);
  register_tls_keys(s);
  return s;
}

// The last segment of a JSON pointer, unescaped: the key as the user wrote it.
std::string last_key(const std::string& pointer) {
  std::string key;
  const std::string segment = pointer.substr(pointer.rfind('/') + 1);
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '~' && i + 1 < segment.size()) {
      key.push_back(segment[++i] == '1' ? '/' : '~');
      continue;
    }
    key.push_back(segment[i]);
  }
  return key;
}

// "[json.exception.parse_error.101] parse error at line 3, column 1: syntax
// error while parsing ..." → "syntax error while parsing ..." (the line is ours).
std::string parse_error_text(const json::parse_error& e) {
  const std::string what = e.what();
  const std::size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

const config_schema& server_schema() {
  static const config_schema schema = build_schema();
  return schema;
}

lwspp::result<config_source> read_config_file(const std::string& path) {
  // A directory opens fine as a stream and then reads as empty: say what it is.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return lwspp::error_info(std::make_error_code(std::errc::is_a_directory), path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return lwspp::error_info(std::error_code(errno, std::system_category()), path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return lwspp::error_info(std::error_code(errno, std::system_category()), path);
  return config_source{path, std::move(text).str(),
                       std::filesystem::path(path).parent_path().string()};
}

config_source default_config_source() {
  return {"<default>", std::string(default_config)};
}

loaded_config load_config(const config_source& source, const env_lookup& env) {
  loaded_config out;
  diagnostics diag(source.name);
  json doc;
  try {
    doc = json::parse(source.text);
  } catch (const json::parse_error& e) {
    // e.byte counts the bytes read, the offending one included.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    diag.error_at_line(json_locator::line_at_offset(source.text, at),
                       "invalid JSON: " + parse_error_text(e));
    out.errors = diag.formatted();
    return out;
  } catch (const json::exception& e) {
    // Valid syntax the parser still refuses, e.g. a number too large for a
    // double (found by fuzz/server_config_fuzz). No byte offset is given.
    diag.error_at_line(1, std::string("invalid JSON: ") + e.what());
    out.errors = diag.formatted();
    return out;
  }
  const json_locator where(source.text);
  diag.set_locator(&where);
  for (const json_locator::duplicate& d : where.duplicates()) {
    diag.error(d.pointer, last_key(d.pointer),
               "given twice (first at line " + std::to_string(d.first_line) +
                   "); only this one would count");
  }
  out.settings.config_dir = source.dir;
  server_schema().apply(doc, out.settings, diag);
  out.notes = apply_env_overrides(out.settings, diag, env);
  out.errors = diag.formatted();
  return out;
}

}  // namespace lwspp_server
