// lwspp::http::server: collecting routes, and listen(), which loads what the
// routes need (credentials, error pages, mount roots, the access log) and
// serves them over HTTP/1.1 on a new vhost.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "h1/server_session.hpp"
#include "http/server_impl.hpp"
#include "lwspp/http_server.hpp"
#include "util/ascii.hpp"
#include "ws/options_check.hpp"
#include "ws/server_session.hpp"

namespace lwspp::http {

namespace {

// "/api/*" → ("/api", prefix); "/" stays "/"; a trailing '/' of an exact
// path is kept (it is a different resource).
std::pair<std::string, bool> split_route_path(std::string path) {
  if (path.size() >= 2 && path.compare(path.size() - 2, 2, "/*") == 0) {
    path.resize(path.size() - 2);
    if (path.empty()) path = "/";
    return {std::move(path), true};
  }
  if (path == "*") return {"/", true};
  return {std::move(path), false};
}

std::string trim_prefix(std::string prefix) {
  while (prefix.size() > 1 && prefix.back() == '/')
    prefix.pop_back();
  if (prefix.empty() || prefix.front() != '/') prefix.insert(prefix.begin(), '/');
  return prefix;
}

}  // namespace

server::server(server_options opts) : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(opts);
}

server::~server() = default;

const server_options& server::options() const noexcept {
  return impl_->opts;
}

server& server::route(method m, std::string path, handler h, basic_auth auth) {
  auto r = std::make_unique<route_rule>();
  auto [p, prefix] = split_route_path(std::move(path));
  r->path = prefix ? trim_prefix(std::move(p)) : std::move(p);
  r->prefix = prefix;
  r->verb = m;
  r->any_method = m == method::other;
  r->h = std::move(h);
  if (!auth.credentials_file.empty()) {
    auto c = load_credentials(auth.credentials_file, auth.realm);
    if (c)
      r->auth = std::make_shared<credentials>(std::move(c.value()));
    else
      impl_->config_errors.push_back("route " + r->path + ": " + c.error().message());
  }
  impl_->routes.push_back(std::move(r));
  return *this;
}

server& server::get(std::string path, handler_fn fn) {
  return route(method::get, std::move(path), handler{.on_request = std::move(fn)});
}
server& server::post(std::string path, handler_fn fn) {
  return route(method::post, std::move(path), handler{.on_request = std::move(fn)});
}
server& server::put(std::string path, handler_fn fn) {
  return route(method::put, std::move(path), handler{.on_request = std::move(fn)});
}
server& server::del(std::string path, handler_fn fn) {
  return route(method::delete_, std::move(path), handler{.on_request = std::move(fn)});
}
server& server::any(std::string path, handler_fn fn) {
  return route(method::other, std::move(path), handler{.on_request = std::move(fn)});
}

server& server::mount(std::string prefix, static_options opts) {
  auto m = std::make_unique<mount_rule>();
  m->prefix = trim_prefix(std::move(prefix));
  if (!opts.auth.credentials_file.empty()) {
    auto c = load_credentials(opts.auth.credentials_file, opts.auth.realm);
    if (c)
      m->auth = std::make_shared<credentials>(std::move(c.value()));
    else
      impl_->config_errors.push_back("mount " + m->prefix + ": " + c.error().message());
  }
  m->opts = std::move(opts);
  impl_->mounts.push_back(std::move(m));
  return *this;
}

server& server::redirect(std::string prefix, std::string location, int status) {
  impl_->redirects.push_back({trim_prefix(std::move(prefix)), std::move(location), status});
  return *this;
}

namespace {

// What is wrong with a WebSocket route's options ("" if nothing).
std::string check_ws_options(const ws::options& o) {
  for (const std::string& origin : o.origins)
    if (origin.empty() || !util::is_field_value(origin))
      return "origin '" + origin + "' is not valid";
  for (const auto& [name, value] : o.response_headers) {
    const bool ours = util::iequals(name, "upgrade") || util::iequals(name, "connection") ||
                      (name.size() >= 14 && util::iequals(name.substr(0, 14), "sec-websocket-"));
    if (!util::is_token(name) || !util::is_field_value(value) || ours)
      return "response header '" + name + "' is not valid here";
  }
  return ws::detail::check_common_options(o);
}

}  // namespace

server& server::ws(std::string path, ws::handlers h, ws::options opts, basic_auth auth) {
  auto cfg = std::make_shared<ws::detail::route_config>();
  if (const std::string problem = check_ws_options(opts); !problem.empty())
    impl_->config_errors.push_back("ws route " + path + ": " + problem);
  if (opts.deflate.enabled) {
    cfg->deflate = ws::deflate_server_settings{
        .server_max_window_bits = opts.deflate.server_max_window_bits,
        .client_max_window_bits = opts.deflate.client_max_window_bits,
        .server_no_context_takeover = opts.deflate.server_no_context_takeover,
        .client_no_context_takeover = opts.deflate.client_no_context_takeover,
    };
  }
  for (const auto& [name, value] : opts.response_headers)
    cfg->fixed_fields += name + ": " + value + "\r\n";
  cfg->h = std::move(h);
  cfg->opts = std::move(opts);
  cfg->prepare_resting();
  route(method::get, std::move(path), handler{}, std::move(auth));
  impl_->routes.back()->ws = std::move(cfg);
  impl_->has_ws = true;
  return *this;
}

namespace {

result<void> prepare(server::impl& s) {
  if (!s.config_errors.empty()) {
    std::string all;
    for (const auto& e : s.config_errors)
      all += (all.empty() ? "" : "; ") + e;
    return error_info(error::invalid_argument, all);
  }
  for (auto& m : s.mounts) {
    if (m->root) continue;
    if (m->opts.root.empty())
      return error_info(error::invalid_argument, "mount " + m->prefix + ": no root directory");
    auto root = document_root::open(m->opts.root);
    if (!root)
      return error_info(error::invalid_argument,
                        "mount " + m->prefix + ": " + m->opts.root + ": " + root.error().message());
    m->root.emplace(std::move(root.value()));
  }
  s.error_bodies.clear();
  for (const auto& [status, file] : s.opts.error_pages) {
    if (status < 400 || status > 599)
      return error_info(error::invalid_argument,
                        "error page for " + std::to_string(status) + ": not an error status");
    std::ifstream in(file, std::ios::binary);
    if (!in)
      return error_info(error::invalid_argument,
                        "error page for " + std::to_string(status) + ": cannot read " + file);
    std::ostringstream body;
    body << in.rdbuf();
    s.error_bodies.emplace_back(status, body.str());
  }
  s.fixed_fields.clear();
  if (!s.opts.server_name.empty()) {
    if (s.opts.server_name.find_first_of("\r\n") != std::string::npos)
      return error_info(error::invalid_argument, "server_name holds CR or LF");
    s.fixed_fields += "server: " + s.opts.server_name + "\r\n";
  }
  for (const auto& [name, value] : s.opts.response_headers) {
    const bool bad_name =
        name.empty() || name.find_first_of(" \t\r\n:\"(),/;<=>?@[\\]{}") != std::string::npos;
    const bool bad_value = value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
    if (bad_name || bad_value)
      return error_info(error::invalid_argument, "response header '" + name + "' is not valid");
    s.fixed_fields += name + ": " + value + "\r\n";
  }
  if (!s.opts.access_log.empty() && !s.log) {
    auto log = access_log::open(s.opts.access_log);
    if (!log) return log.error();
    s.log = std::move(log.value());
  }
  std::uint64_t largest = 0;
  for (const auto& r : s.routes)
    largest = std::max(largest, r->h.max_body);
  s.largest_body = std::max<std::uint64_t>(largest, 1024 * 1024);
  return {};
}

}  // namespace

result<vhost*> server::listen(context& ctx, vhost_options opts) {
  if (auto ok = prepare(*impl_); !ok) return ok.error();
  impl_->ctx = &ctx;
  impl_->listening = true;
  // Between requests only the connection exists: its idle timer is the
  // keep-alive timeout.
  if (opts.connection.idle_timeout.count() == 0)
    opts.connection.idle_timeout = impl_->opts.keepalive_timeout;
  if (opts.tls) {
    // ALPN: "h2" first when HTTP/2 is on, never when it is off.
    auto& alpn = opts.tls->alpn;
    if (alpn.empty()) alpn = {"h2", "http/1.1"};
    if (!impl_->opts.http2) std::erase(alpn, std::string("h2"));
  }
  role_factory roles;
  roles.shared = h1::make_server_role(*impl_);
  return ctx.add_vhost(std::move(opts), std::move(roles));
}

}  // namespace lwspp::http
