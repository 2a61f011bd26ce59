// The "tls" object of a vhost: it writes lwspp::vhost_options::tls (a
// lwspp::tls_server_options) and the vhost's TLS transport settings. Files
// are checked when the server starts (the library names the file and the
// reason), except that with "self_signed" missing files are made then.
#include "tls_keys.hpp"

#include <chrono>
#include <initializer_list>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "config_paths.hpp"

namespace lwspp_server {
namespace {

using json = nlohmann::json;

lwspp::tls_server_options& tls_of(config_target& t) {
  return *t.vhost->options.tls;  // made by the "tls" key before its fields
}

// The first certificate pair, made on demand by "cert"/"key".
lwspp::tls_certificate& first_certificate(config_target& t) {
  auto& certs = tls_of(t).certificates;
  if (certs.empty()) certs.emplace_back();
  return certs.front();
}

std::string string_list(const json& v, std::vector<std::string>& out, std::string_view what) {
  out.clear();
  for (const json& item : v) {
    if (!item.is_string() || item.get<std::string>().empty())
      return std::string(what) + " must be non-empty strings";
    out.push_back(item.get<std::string>());
  }
  return {};
}

// One of a fixed set of words: writes its value, or says which words there are.
template <class E>
std::string pick(const json& v, std::initializer_list<std::pair<std::string_view, E>> choices,
                 E& out) {
  const std::string given = v.get<std::string>();
  std::string expected;
  for (const auto& [word, value] : choices) {
    if (word == given) {
      out = value;
      return {};
    }
    expected += (expected.empty() ? "\"" : ", \"") + std::string(word) + "\"";
  }
  return "\"" + given + "\": expected one of " + expected;
}

std::string version_of(const json& v, lwspp::tls_version& out) {
  return pick(v, {{"1.2", lwspp::tls_version::tls1_2}, {"1.3", lwspp::tls_version::tls1_3}}, out);
}

void register_tls_section(config_schema& s) {
  key_spec tls{.name = "tls",
               .where = place::vhost,
               .type = value_type::object,
               .description = "serve TLS on this vhost's port: { \"cert\", \"key\", ... } (below)",
               .apply = [](const json&, config_target& t) {
                 t.vhost->options.tls.emplace();
                 return std::string();
               }};
  tls.fields = place::tls;
  s.add(std::move(tls));
  s.add(
      {.name = "server_names",
       .where = place::vhost,
       .type = value_type::array,
       .description = "SNI names (\"example.com\", \"*.example.com\") when TLS vhosts share a port",
       .apply = [](const json& v, config_target& t) {
         return string_list(v, t.vhost->options.server_names, "server names");
       }});
}

void register_certificate_keys(config_schema& s) {
  s.add({.name = "cert",
         .where = place::tls,
         .description = "certificate chain (PEM: the leaf, then intermediates)",
         .apply = [](const json& v, config_target& t) {
           first_certificate(t).cert_file = resolve_path(t.server, v.get<std::string>());
           return std::string();
         }});
  s.add({.name = "key",
         .where = place::tls,
         .description = "private key of \"cert\" (PEM)",
         .apply = [](const json& v, config_target& t) {
           first_certificate(t).key_file = resolve_path(t.server, v.get<std::string>());
           return std::string();
         }});
  s.add({.name = "self_signed",
         .where = place::tls,
         .type = value_type::boolean,
         .description = "make a self-signed cert/key for localhost when the files are missing",
         .apply = [](const json& v, config_target& t) {
           t.vhost->tls_self_signed = v.get<bool>();
           return std::string();
         }});
  key_spec more{.name = "certificates",
                .where = place::tls,
                .type = value_type::array,
                .description = "more chains (say RSA beside ECDSA): [{ \"cert\", \"key\" }]",
                .items = place::certificate};
  s.add(std::move(more));
  s.add({.name = "cert",
         .where = place::certificate,
         .description = "certificate chain (PEM)",
         .required = true,
         .apply = [](const json& v, config_target& t) {
           t.certificate->cert_file = resolve_path(t.server, v.get<std::string>());
           return std::string();
         }});
  s.add({.name = "key",
         .where = place::certificate,
         .description = "its private key (PEM)",
         .required = true,
         .apply = [](const json& v, config_target& t) {
           t.certificate->key_file = resolve_path(t.server, v.get<std::string>());
           return std::string();
         }});
}

void register_handshake_keys(config_schema& s) {
  s.add({.name = "alpn",
         .where = place::tls,
         .type = value_type::array,
         .description = "ALPN protocols in preference order (\"http/1.1\")",
         .apply = [](const json& v, config_target& t) {
           return string_list(v, tls_of(t).alpn, "ALPN protocols");
         }});
  s.add({.name = "min_version",
         .where = place::tls,
         .description = "\"1.2\" (default) or \"1.3\"",
         .apply = [](const json& v, config_target& t) {
           return version_of(v, tls_of(t).min_version);
         }});
  s.add({.name = "max_version",
         .where = place::tls,
         .description = "\"1.3\" (default) or \"1.2\"",
         .apply = [](const json& v, config_target& t) {
           return version_of(v, tls_of(t).max_version);
         }});
  s.add({.name = "ciphers",
         .where = place::tls,
         .description = "OpenSSL cipher list for TLS 1.2",
         .apply = [](const json& v, config_target& t) {
           tls_of(t).ciphers = v.get<std::string>();
           return std::string();
         }});
  s.add({.name = "ciphersuites",
         .where = place::tls,
         .description = "TLS 1.3 suites (\"TLS_AES_128_GCM_SHA256:...\")",
         .apply = [](const json& v, config_target& t) {
           tls_of(t).ciphersuites = v.get<std::string>();
           return std::string();
         }});
  s.add({.name = "groups",
         .where = place::tls,
         .description = "key exchange groups (\"X25519:P-256\")",
         .apply = [](const json& v, config_target& t) {
           tls_of(t).groups = v.get<std::string>();
           return std::string();
         }});
  s.add({.name = "session_tickets",
         .where = place::tls,
         .type = value_type::boolean,
         .description = "resumption by session tickets (default true)",
         .apply = [](const json& v, config_target& t) {
           tls_of(t).session_tickets = v.get<bool>();
           return std::string();
         }});
}

void register_policy_keys(config_schema& s) {
  s.add({.name = "client_auth",
         .where = place::tls,
         .description = "client certificates: \"none\" (default), \"optional\" or \"required\"",
         .apply = [](const json& v, config_target& t) {
           using lwspp::tls_client_auth;
           return pick(v,
                       {{"none", tls_client_auth::none},
                        {"optional", tls_client_auth::optional},
                        {"required", tls_client_auth::required}},
                       tls_of(t).client_auth);
         }});
  s.add({.name = "client_ca",
         .where = place::tls,
         .description = "CA certificates (PEM) that client certificates must chain to",
         .apply = [](const json& v, config_target& t) {
           tls_of(t).client_ca_file = resolve_path(t.server, v.get<std::string>());
           return std::string();
         }});
  s.add({.name = "unknown_name",
         .where = place::tls,
         .description = "an SNI name no vhost serves: \"default\" (this vhost) or \"reject\"",
         .apply = [](const json& v, config_target& t) {
           using lwspp::tls_unknown_name;
           return pick(
               v,
               {{"default", tls_unknown_name::use_default}, {"reject", tls_unknown_name::reject}},
               tls_of(t).unknown_name);
         }});
  s.add({.name = "handshake_timeout_ms",
         .where = place::tls,
         .type = value_type::integer,
         .description = "close a connection whose handshake is not done by then (default 10000)",
         .min = 1,
         .max = max_timeout_ms,
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.tls_handshake_timeout =
               std::chrono::milliseconds(v.get<std::int64_t>());
           return std::string();
         }});
  s.add({.name = "plaintext_http",
         .where = place::tls,
         .description =
             "plain HTTP to this port gets: \"error_page\" (default), \"redirect\", \"close\"",
         .apply = [](const json& v, config_target& t) {
           using lwspp::tls_plaintext_http;
           return pick(v,
                       {{"error_page", tls_plaintext_http::error_page},
                        {"redirect", tls_plaintext_http::redirect_https},
                        {"close", tls_plaintext_http::close}},
                       t.vhost->options.plaintext_http);
         }});
}

// A "tls" object must name a certificate, and "self_signed" makes only the first.
void check_tls(const server_settings& s, diagnostics& diag) {
  for (const vhost_settings& vh : s.vhosts) {
    if (!vh.options.tls) continue;
    const auto& certs = vh.options.tls->certificates;
    if (certs.empty() || certs.front().cert_file.empty() || certs.front().key_file.empty())
      diag.error(vh.pointer + "/tls", "tls", "needs \"cert\" and \"key\"");
  }
}

}  // namespace

void register_tls_keys(config_schema& schema) {
  register_tls_section(schema);
  register_certificate_keys(schema);
  register_handshake_keys(schema);
  register_policy_keys(schema);
  schema.add_check(check_tls);
}

}  // namespace lwspp_server
