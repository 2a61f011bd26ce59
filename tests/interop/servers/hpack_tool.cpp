// hpack_tool — our HPACK codec on a line protocol, for
// tests/interop/hpack_python.sh (python3-hpack on the other side).
//
//   hpack_tool decode     reads lines, one per step, and answers each:
//     size N                  our SETTINGS_HEADER_TABLE_SIZE is now N   → "ok"
//     block HEX               decode one block → "fields F..." or "error REASON"
//   hpack_tool encode
//     size N                  the peer's SETTINGS_HEADER_TABLE_SIZE is N → "ok"
//     fields F...             encode one block → "block HEX"
//
// A field F is NAMEHEX:VALUEHEX:N where N is 1 for never-indexed, else 0
// (hex keeps any byte, spaces included, on one line). One decoder or encoder
// lives for the whole run: blocks share the dynamic table.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"

namespace {

using namespace lwspp::h2::hpack;

std::string to_hex(std::string_view s) {
  static constexpr char d[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    out.push_back(d[static_cast<unsigned char>(c) >> 4]);
    out.push_back(d[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

std::string from_hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

int run_decode() {
  decoder d({.max_table_size = 65536});
  header_list out;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    std::string arg;
    in >> cmd >> arg;
    if (cmd == "size") {
      d.set_max_table_size(static_cast<std::uint32_t>(std::stoul(arg)));
      std::cout << "ok" << std::endl;
    } else if (cmd == "block") {
      const decode_result r = d.decode(from_hex(arg), out);
      if (!r.ok()) {
        std::cout << "error " << reason_for(r.err) << " at " << r.offset << std::endl;
        continue;
      }
      std::cout << "fields";
      for (const header_field f : out)
        std::cout << ' ' << to_hex(f.name) << ':' << to_hex(f.value) << ':' << f.never_indexed;
      std::cout << std::endl;
    } else {
      std::cout << "error unknown command" << std::endl;
    }
  }
  return 0;
}

int run_encode() {
  encoder e({.max_table_size = 65536});
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "size") {
      std::uint32_t n = 0;
      in >> n;
      e.set_peer_max_table_size(n);
      std::cout << "ok" << std::endl;
      continue;
    }
    std::vector<std::string> strings;  // names and values, alive through encode
    std::vector<bool> flags;
    std::string f;
    while (in >> f) {
      const auto a = f.find(':');
      const auto b = f.find(':', a + 1);
      strings.push_back(from_hex(f.substr(0, a)));
      strings.push_back(from_hex(f.substr(a + 1, b - a - 1)));
      flags.push_back(f.substr(b + 1) == "1");
    }
    std::vector<header_field> fields;
    for (std::size_t i = 0; i < flags.size(); ++i)
      fields.push_back({strings[2 * i], strings[2 * i + 1], flags[i]});
    std::string block;
    e.encode(fields, block);
    std::cout << "block " << to_hex(block) << std::endl;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "decode") return run_decode();
  if (mode == "encode") return run_encode();
  std::cerr << "usage: hpack_tool decode|encode  (line protocol on stdin/stdout)\n";
  return 2;
}
