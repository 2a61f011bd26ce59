// Consumer of the installed package: find_package(lwspp), link, run.
#include <lwspp/lwspp.hpp>

#include <iostream>

int main() {
  std::cout << "lwspp " << lwspp::version_string << " (" << lwspp::built_features() << ")\n";
  return lwspp::version_string.empty() ? 1 : 0;
}
