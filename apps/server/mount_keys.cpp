// Mount keys. A mount serves a directory (lwspp::http::server::mount, the
// keys writing into lwspp::http::static_options) or redirects everything
// under its mountpoint (lwspp::http::server::redirect), never both.
#include <fstream>
#include <map>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config_paths.hpp"
#include "http_keys.hpp"

namespace lwspp_server {
namespace {

using json = nlohmann::json;
using lwspp::http::static_options;

constexpr std::int64_t max_compress_bytes = 1LL << 40;

bool has_control(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// Request paths are matched after normalisation, so a mountpoint with "."
// or ".." segments or "//" would never match anything.
std::string check_mountpoint(std::string_view path) {
  if (path.empty() || path[0] != '/') return "must start with \"/\"";
  if (has_control(path) || path.find_first_of("?#") != std::string_view::npos)
    return "must be a plain path (no query, fragment or control characters)";
  for (std::size_t start = 1; start < path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    const bool trailing_slash = segment.empty() && end == path.size();
    if ((segment.empty() && !trailing_slash) || segment == "." || segment == "..")
      return "\"" + std::string(path) +
             "\" never matches: request paths are normalised (no \".\", \"..\" or \"//\")";
    start = end + 1;
  }
  return {};
}

// "/static/" and "/static" are one mountpoint.
std::string trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

// "/srv/www", "www" (relative to the config) or "file:///srv/www" → the
// directory; "" with why set otherwise.
std::string origin_directory(const server_settings& s, const std::string& origin,
                             std::string& why) {
  std::string path = origin;
  if (origin.starts_with("file://")) {
    path = origin.substr(7);
    if (path.empty() || path[0] != '/') {
      why = "a file:// origin takes an absolute path: file:///srv/www";
      return {};
    }
  } else if (const auto scheme = origin.find("://"); scheme != std::string::npos) {
    why = "\"" + origin.substr(0, scheme + 3) +
          "\" origins are not supported: an origin is a directory (\"/srv/www\" or "
          "\"file:///srv/www\"); to send clients elsewhere use \"redirect\"";
    return {};
  }
  if (path.empty()) {
    why = "must not be empty";
    return {};
  }
  path = resolve_path(s, path);
  why = check_directory(path);
  return why.empty() ? path : std::string();
}

// Reads the file as lwspp::http does at start-up, so that --check finds
// what start-up would refuse.
std::string check_credentials(const std::string& path) {
  if (std::string why = check_readable_file(path); !why.empty()) return why;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  int users = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      return path + ":" + std::to_string(number) + ": expected user:password";
    ++users;
  }
  if (users == 0) return "\"" + path + "\": no users (one user:password per line)";
  return {};
}

std::string check_location(std::string_view to) {
  const bool path = to.starts_with("/");
  const std::size_t scheme = to.find("://");
  const bool url = scheme != std::string_view::npos && scheme > 0 &&
                   to.substr(0, scheme).find_first_not_of(
                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") ==
                       std::string_view::npos;
  if ((!path && !url) || has_control(to) || to.find(' ') != std::string_view::npos)
    return "expected a URL (\"https://example.com/new\") or a path (\"/new\")";
  return {};
}

using files_setter = std::string (*)(const json&, static_options&);

// A key of a files mount: recorded, so that a redirect mount can refuse it.
key_spec files_key(std::string_view name, value_type type, std::string_view description,
                   files_setter set, std::int64_t max = 0) {
  return {.name = name,
          .where = place::mount,
          .type = type,
          .description = description,
          .min = 0,
          .max = max,
          .apply = [name, set](const json& v, config_target& t) {
            t.mount->files_keys.emplace_back(name);
            return set ? set(v, t.mount->files) : std::string();
          }};
}

void register_files_keys(config_schema& s) {
  key_spec origin = files_key(
      "origin", value_type::string,
      "the directory served: /srv/www, file:///srv/www, or relative to the config file", nullptr);
  origin.apply = [](const json& v, config_target& t) -> std::string {
    t.mount->files_keys.emplace_back("origin");
    t.mount->has_origin = true;
    std::string why;
    t.mount->files.root = origin_directory(t.server, v.get<std::string>(), why);
    return why;
  };
  s.add(std::move(origin));
  s.add(files_key("index", value_type::string,
                  "file served for a directory (default index.html; \"\" = none)",
                  [](const json& v, static_options& o) -> std::string {
                    const std::string name = v.get<std::string>();
                    if (name.find('/') != std::string::npos || name == "." || name == "..")
                      return "a file name in the directory, without \"/\"";
                    o.index = name;
                    return {};
                  }));
  s.add(files_key("cache_control", value_type::string,
                  "Cache-Control value sent with the files (default none)",
                  [](const json& v, static_options& o) -> std::string {
                    if (has_control(v.get<std::string>())) return "holds a control character";
                    o.cache_control = v.get<std::string>();
                    return {};
                  }));
  s.add(files_key("directory_listing", value_type::boolean,
                  "list a directory that has no index (default false)",
                  [](const json& v, static_options& o) {
                    o.directory_listing = v.get<bool>();
                    return std::string();
                  }));
  s.add(files_key("symlinks_outside_root", value_type::boolean,
                  "follow symlinks that leave the origin (default false)",
                  [](const json& v, static_options& o) {
                    o.symlinks_outside_root = v.get<bool>();
                    return std::string();
                  }));
  s.add(files_key("precompressed", value_type::boolean,
                  "serve file.br / file.gz to clients that accept them (default true)",
                  [](const json& v, static_options& o) {
                    o.precompressed = v.get<bool>();
                    return std::string();
                  }));
  s.add(files_key("compress", value_type::boolean,
                  "gzip/brotli compressible types on the fly (default true)",
                  [](const json& v, static_options& o) {
                    o.compress = v.get<bool>();
                    return std::string();
                  }));
  s.add(files_key(
      "compress_max", value_type::integer, "larger files are sent uncompressed (default 8388608)",
      [](const json& v, static_options& o) {
        o.compress_max = static_cast<std::uint64_t>(v.get<std::int64_t>());
        return std::string();
      },
      max_compress_bytes));
  key_spec auth =
      files_key("auth", value_type::object,
                "basic authentication: { \"credentials_file\": ..., \"realm\": ... }", nullptr);
  auth.fields = place::auth;
  s.add(std::move(auth));
}

void register_mountpoint(config_schema& s) {
  s.add({.name = "mountpoint",
         .where = place::mount,
         .description = "the path prefix served: \"/static\" (also /static/...); \"/\" for all",
         .required = true,
         .apply = [](const json& v, config_target& t) {
           t.mount->mountpoint = v.get<std::string>();
           return check_mountpoint(t.mount->mountpoint);
         }});
}

void register_redirect_keys(config_schema& s) {
  s.add({.name = "redirect",
         .where = place::mount,
         .description = "redirect mount: the URL or path that replaces the mountpoint",
         .apply = [](const json& v, config_target& t) {
           t.mount->has_redirect = true;
           t.mount->redirect = v.get<std::string>();
           return check_location(t.mount->redirect);
         }});
  s.add({.name = "status",
         .where = place::mount,
         .type = value_type::integer,
         .description = "redirect mount: 301 (default), 302, 303, 307 or 308",
         .min = 300,
         .max = 399,
         .apply = [](const json& v, config_target& t) -> std::string {
           const int status = static_cast<int>(v.get<std::int64_t>());
           t.mount->has_status = true;
           if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
             return "a redirect status is 301, 302, 303, 307 or 308, got " + std::to_string(status);
           t.mount->status = status;
           return {};
         }});
}

void register_auth_keys(config_schema& s) {
  s.add({.name = "credentials_file",
         .where = place::auth,
         .description = "one user:password per line ('#' starts a comment)",
         .required = true,
         .apply = [](const json& v, config_target& t) {
           const std::string path = resolve_path(t.server, v.get<std::string>());
           if (path.empty()) return std::string("must not be empty");
           t.mount->files.auth.credentials_file = path;
           return check_credentials(path);
         }});
  s.add({.name = "realm",
         .where = place::auth,
         .description = "the realm shown by browsers (default \"lwspp\")",
         .apply = [](const json& v, config_target& t) -> std::string {
           const std::string realm = v.get<std::string>();
           if (has_control(realm) || realm.find_first_of("\"\\") != std::string::npos)
             return "must not hold quotes, backslashes or control characters";
           t.mount->files.auth.realm = realm;
           return {};
         }});
}

// Checks across the keys of a mount, and across the mounts of a vhost.
void check_mount(const mount_settings& m, diagnostics& diag) {
  if (!m.has_origin && !m.has_redirect) {
    diag.error(m.pointer + "/origin", "origin",
               "missing: a mount needs \"origin\" (a directory to serve) or \"redirect\" (a URL)");
  } else if (m.has_origin && m.has_redirect) {
    diag.error(m.pointer + "/redirect", "redirect",
               "a mount has \"origin\" or \"redirect\", not both");
  } else if (m.has_redirect) {
    for (const std::string& key : m.files_keys)
      diag.error(m.pointer + "/" + key, key, "not used by a redirect mount");
  }
  if (m.has_status && !m.has_redirect)
    diag.error(m.pointer + "/status", "status", "only for a redirect mount (with \"redirect\")");
}

void check_mounts(const server_settings& s, diagnostics& diag) {
  for (const vhost_settings& vh : s.vhosts) {
    std::map<std::string, const mount_settings*> seen;
    for (const mount_settings& m : vh.http.mounts) {
      check_mount(m, diag);
      if (m.mountpoint.empty()) continue;
      if (auto [it, fresh] = seen.try_emplace(trimmed(m.mountpoint), &m); !fresh) {
        diag.error(m.pointer + "/mountpoint", "mountpoint",
                   "\"" + m.mountpoint + "\" is already mounted at line " +
                       std::to_string(diag.line_of(it->second->pointer + "/mountpoint")));
      }
    }
  }
}

}  // namespace

void register_mount_keys(config_schema& schema) {
  register_mountpoint(schema);
  register_files_keys(schema);
  register_redirect_keys(schema);
  register_auth_keys(schema);
  schema.add_check(check_mounts);
}

}  // namespace lwspp_server
