// lwspp-server's config loader on arbitrary text: JSON parsing, the line
// locator and every key check must end in settings or in error lines — never
// a crash, a hang or an exception. Error lines must name a line in the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config_loader.hpp"
#include "json_locator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const lwspp_server::config_source source{"fuzz.json", text};
  // No environment: overrides are exercised by the interop test.
  const lwspp_server::env_lookup env = [](const char*) -> const char* { return nullptr; };
  const auto loaded = lwspp_server::load_config(source, env);
  for (const std::string& e : loaded.errors) {
    if (e.rfind("fuzz.json:", 0) != 0) std::abort();  // every error names the file
  }
  // The locator alone, on text that may not be JSON at all.
  lwspp_server::json_locator loc(text);
  (void)loc.line_of("/vhosts/0/listen");
  (void)loc.nearest_line("/a/b/c");
  return 0;
}
