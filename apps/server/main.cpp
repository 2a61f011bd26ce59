// lwspp-server: the command line. Loads the config (a file or the embedded
// default), checks it, and either reports (--check) or serves it.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config_loader.hpp"
#include "default_config.hpp"
#include "lwspp/version.hpp"
#include "protocols.hpp"
#include "server.hpp"

namespace {

using namespace lwspp_server;

struct cli_options {
  std::string config_file;  // empty: the embedded default
  bool check = false;
  bool print_default = false;
  bool help = false;
  bool version = false;
};

constexpr std::string_view usage_text = R"(usage: lwspp-server [-c FILE] [--check]
       lwspp-server --print-default-config | --version | -h

Serves the vhosts of a JSON config; without -c, the embedded default: the
demo site over HTTP/1.1 on http://127.0.0.1:7681/.

  -c, --config FILE        read the config from FILE
      --check              check the config and exit: "config OK" and 0, or
                           every error as FILE:LINE: key "x": ... and 1
      --print-default-config
                           print the embedded default config
      --version            print the version and the features built in
  -h, --help               this help

Environment:
  PORT       replaces the port of the first vhost with "port_env": "PORT"
             (the default config's demo vhost has it)
  TLS_PORT   reserved for TLS, which is not built yet: ignored

SIGTERM or SIGINT stop gracefully (in-flight writes get drain_timeout_ms);
a second signal stops at once.
)";

void print_help() {
  std::fputs(usage_text.data(), stdout);
  std::printf(
      "\nConfig keys (place, name, type, what it does; \"(http)\": only in vhosts\n"
      "speaking http; mount: in an item of \"mounts\"; auth: in a mount's \"auth\"):\n%s",
      server_schema().describe().c_str());
  std::printf("\nProtocols:\n");
  for (const protocol& p : known_protocols())
    std::printf("  %-12s %s\n", std::string(p.name).c_str(), std::string(p.description).c_str());
}

// Returns false (with a message printed) on a bad command line.
bool parse_args(int argc, char** argv, cli_options& out) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--config") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "lwspp-server: %s needs a file name\n", argv[i]);
        return false;
      }
      out.config_file = argv[++i];
    } else if (arg.starts_with("--config=")) {
      out.config_file = arg.substr(9);
    } else if (arg == "--check") {
      out.check = true;
    } else if (arg == "--print-default-config") {
      out.print_default = true;
    } else if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (arg == "--version") {
      out.version = true;
    } else {
      std::fprintf(stderr, "lwspp-server: unknown argument \"%s\" (see --help)\n", argv[i]);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cli_options cli;
  if (!parse_args(argc, argv, cli)) return 2;
  if (cli.help) {
    print_help();
    return 0;
  }
  if (cli.version) {
    std::printf("lwspp-server %s\nfeatures: %s\n", lwspp::version_string.data(),
                std::string(lwspp::built_features()).c_str());
    return 0;
  }
  if (cli.print_default) {
    std::fwrite(default_config.data(), 1, default_config.size(), stdout);
    return 0;
  }

  config_source source = default_config_source();
  if (!cli.config_file.empty()) {
    auto file = read_config_file(cli.config_file);
    if (!file) {
      std::fprintf(stderr, "lwspp-server: cannot read config: %s\n",
                   file.error().message().c_str());
      return 1;
    }
    source = std::move(file.value());
  }

  const loaded_config config =
      load_config(source, [](const char* name) { return std::getenv(name); });
  if (!config.ok()) {
    for (const std::string& e : config.errors)
      std::fprintf(stderr, "%s\n", e.c_str());
    std::fprintf(stderr, "%s: %zu error%s in the config\n", source.name.c_str(),
                 config.errors.size(), config.errors.size() == 1 ? "" : "s");
    return 1;
  }
  if (cli.check) {
    std::printf("config OK\n");
    return 0;
  }
  return run_server(config.settings, config.notes);
}
