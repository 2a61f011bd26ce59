// Vhost keys of the http protocol. Each maps onto one field of
// lwspp::http::server_options (or the vhost's route defaults); the ranges
// are sane bounds, the defaults are the library's.
#include "http_keys.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <nlohmann/json.hpp>

#include "config_keys.hpp"
#include "config_paths.hpp"

namespace lwspp_server {
namespace {

using json = nlohmann::json;
using options = lwspp::http::server_options;

constexpr std::int64_t max_body_limit = 1LL << 40;  // 1 TiB: a bound, not a suggestion

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

bool has_control(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A request limit in bytes or a count: one size_t field of server_options.
key_spec limit_key(std::string_view name, std::string_view description, std::int64_t min,
                   std::int64_t max, std::size_t options::*field) {
  return {.name = name,
          .where = place::vhost,
          .type = value_type::integer,
          .description = description,
          .min = min,
          .max = max,
          .protocol = "http",
          .apply = [field](const json& v, config_target& t) {
            t.vhost->http.options.*field = static_cast<std::size_t>(v.get<std::int64_t>());
            return std::string();
          }};
}

key_spec timeout_key(std::string_view name, std::string_view description,
                     std::chrono::milliseconds options::*field) {
  return {.name = name,
          .where = place::vhost,
          .type = value_type::integer,
          .description = description,
          .min = 0,
          .max = max_timeout_ms,
          .protocol = "http",
          .apply = [field](const json& v, config_target& t) {
            t.vhost->http.options.*field = std::chrono::milliseconds(v.get<std::int64_t>());
            return std::string();
          }};
}

void register_limits(config_schema& s) {
  s.add(limit_key("max_request_line", "longest request line in bytes; past it: 414", 32, 1 << 20,
                  &options::max_request_line));
  s.add(limit_key("max_header_bytes", "largest request head in bytes; past it: 431", 64, 16 << 20,
                  &options::max_header_bytes));
  s.add(limit_key("max_headers", "most header fields in a request; past it: 431", 1, 10000,
                  &options::max_headers));
  s.add({.name = "max_body",
         .where = place::vhost,
         .type = value_type::integer,
         .description = "largest request body in bytes for the vhost's routes; past it: 413",
         .min = 0,
         .max = max_body_limit,
         .protocol = "http",
         .apply = [](const json& v, config_target& t) {
           t.vhost->http.max_body = static_cast<std::uint64_t>(v.get<std::int64_t>());
           return std::string();
         }});
  s.add(timeout_key("header_timeout_ms",
                    "the whole request head must arrive within this (0 = no limit)",
                    &options::header_timeout));
  s.add(timeout_key("body_timeout_ms", "longest stall between request body bytes (0 = no limit)",
                    &options::body_timeout));
  s.add(timeout_key("keepalive_timeout_ms",
                    "close a keep-alive connection idle this long (0 = never)",
                    &options::keepalive_timeout));
  s.add(timeout_key("send_timeout_ms",
                    "close when the peer reads nothing of a response this long (0 = no limit)",
                    &options::send_timeout));
}

// Framing and the Server field belong to the library (and server_name).
std::string check_response_header(const std::string& name, const std::string& value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
    return "\"" + name + "\" is not a header name (a token: no spaces, colons or separators)";
  const std::string low = lower(name);
  if (low == "content-length" || low == "transfer-encoding" || low == "connection")
    return "\"" + name + "\" is set by the server for each response, not by the config";
  if (low == "server") return "\"server\" is set by \"server_name\"";
  if (has_control(value)) return "the value of \"" + name + "\" holds a control character";
  return {};
}

// "404" → 404; 0 when the name is not an error status.
int error_status(const std::string& name) {
  int status = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), status);
  if (ec != std::errc() || end != name.data() + name.size() || name.size() != 3) return 0;
  return status >= 400 && status <= 599 ? status : 0;
}

void register_responses(config_schema& s) {
  s.add({.name = "server_name",
         .where = place::vhost,
         .description = "the Server header of every response (default \"lwspp\"; \"\" = none)",
         .protocol = "http",
         .apply = [](const json& v, config_target& t) -> std::string {
           const std::string name = v.get<std::string>();
           if (has_control(name)) return "holds a control character";
           t.vhost->http.options.server_name = name;
           return {};
         }});
  s.add(
      {.name = "response_headers",
       .where = place::vhost,
       .type = value_type::object,
       .description = "header fields added to every response: { \"name\": \"value\" }",
       .protocol = "http",
       .members = value_type::string,
       .apply_member = [](const std::string& name, const json& v, config_target& t) -> std::string {
         const std::string value = v.get<std::string>();
         if (std::string why = check_response_header(name, value); !why.empty()) return why;
         t.vhost->http.options.response_headers.emplace_back(name, value);
         return {};
       }});
  s.add(
      {.name = "error_pages",
       .where = place::vhost,
       .type = value_type::object,
       .description = "custom error pages: { \"404\": \"file\" }, read at start-up",
       .protocol = "http",
       .members = value_type::string,
       .apply_member = [](const std::string& name, const json& v, config_target& t) -> std::string {
         const int status = error_status(name);
         if (status == 0) return "\"" + name + "\" is not an error status (400..599)";
         const std::string file = resolve_path(t.server, v.get<std::string>());
         if (file.empty()) return "the page for " + name + " needs a file name";
         if (std::string why = check_readable_file(file); !why.empty()) return why;
         t.vhost->http.options.error_pages.emplace_back(status, file);
         return {};
       }});
  s.add({.name = "http2",
         .where = place::vhost,
         .type = value_type::boolean,
         .description = "HTTP/2: h2c with prior knowledge on cleartext ports, ALPN \"h2\" on TLS "
                        "(default true)",
         .protocol = "http",
         .apply = [](const json& v, config_target& t) -> std::string {
           t.vhost->http.options.http2 = v.get<bool>();
           return {};
         }});
  s.add({.name = "access_log",
         .where = place::vhost,
         .description = "combined-format access log: a file (appended to), \"-\" for stderr",
         .protocol = "http",
         .apply = [](const json& v, config_target& t) -> std::string {
           std::string path = v.get<std::string>();
           if (path != "-" && !path.empty()) {
             path = resolve_path(t.server, path);
             if (std::string why = check_writable_file(path); !why.empty()) return why;
           }
           t.vhost->http.options.access_log = path;
           return {};
         }});
}

}  // namespace

void register_http_keys(config_schema& schema) {
  register_limits(schema);
  register_responses(schema);
  schema.add(
      {.name = "demo",
       .where = place::vhost,
       .type = value_type::boolean,
       .description =
           "serve the built-in demo site: /, /hello, /favicon.ico, WebSocket /echo, /chat and "
           "libwebsockets' test protocols on /",
       .protocol = "http",
       .apply = [](const json& v, config_target& t) {
         t.vhost->http.demo = v.get<bool>();
         return std::string();
       }});
  schema.add({.name = "demo_deflate",
              .where = place::vhost,
              .type = value_type::boolean,
              .description = "the demo's WebSockets agree to permessage-deflate (default true)",
              .protocol = "http",
              .apply = [](const json& v, config_target& t) {
                t.vhost->http.demo_deflate = v.get<bool>();
                return std::string();
              }});
  schema.add({.name = "mounts",
              .where = place::vhost,
              .type = value_type::array,
              .description = "static file directories and redirects, each an object (mount keys)",
              .items = place::mount,
              .protocol = "http"});
  register_mount_keys(schema);
}

}  // namespace lwspp_server
