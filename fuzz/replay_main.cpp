// Replays inputs through a libFuzzer target without libFuzzer, so that every
// build (g++, sanitizers, no clang needed) keeps the seed corpus and past
// crashes passing. Each file named on the command line, and each file under
// each directory named there (recursively, in sorted order), is fed once to
// LLVMFuzzerTestOneInput. Arguments starting with '-' (libFuzzer flags) are
// ignored. Exit status: 0 when every input ran, 1 when a path is missing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path& root, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    out.push_back(root);
    return true;
  }
  if (!fs::is_directory(root, ec)) {
    std::fprintf(stderr, "replay: %s: no such file or directory\n", root.c_str());
    return false;
  }
  std::vector<fs::path> found;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) found.push_back(it->path());
  }
  if (ec) {
    std::fprintf(stderr, "replay: %s: %s\n", root.c_str(), ec.message().c_str());
    return false;
  }
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
  return true;
}

bool run_one(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    std::fprintf(stderr, "replay: %s: cannot read\n", path.c_str());
    return false;
  }
  // An exact-size heap copy, so that AddressSanitizer catches reads past the end.
  std::unique_ptr<uint8_t[]> data(new uint8_t[bytes.size()]);
  std::copy(bytes.begin(), bytes.end(), data.get());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
  std::fflush(stderr);
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  std::vector<fs::path> inputs;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    ok = collect(argv[i], inputs) && ok;
  }
  size_t ran = 0;
  for (const auto& path : inputs) {
    const bool ran_ok = run_one(path);
    ran += ran_ok ? 1 : 0;
    ok = ran_ok && ok;
  }
  std::fprintf(stderr, "replay: %zu of %zu inputs ran%s\n", ran, inputs.size(),
               ok ? "" : " (with errors)");
  return ok ? 0 : 1;
}
