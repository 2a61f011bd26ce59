#!/usr/bin/env bash
# Install the build tree into a temporary prefix, then build and run a small
# consumer project against it twice: with lwspp::lwspp (static) and with
# lwspp::shared. Usage: check.sh <build-dir>
# Environment (set by the CTest test): LWSPP_CMAKE, LWSPP_GENERATOR, LWSPP_CXX,
# LWSPP_CONSUMER_CXX_FLAGS (the main build's sanitizer flags), LWSPP_CONFIG.
set -euo pipefail

build_dir=${1:?usage: check.sh <build-dir>}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmake_bin=${LWSPP_CMAKE:-cmake}
generator=${LWSPP_GENERATOR:-}
cxx=${LWSPP_CXX:-${CXX:-c++}}
flags=${LWSPP_CONSUMER_CXX_FLAGS:-}
config=${LWSPP_CONFIG:-Debug}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== install $build_dir -> $tmp/prefix"
"$cmake_bin" --install "$build_dir" --prefix "$tmp/prefix" --config "$config" >"$tmp/install.log" \
  || { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
test -f "$tmp/prefix/include/lwspp/lwspp.hpp" || { echo "FAIL: headers not installed"; exit 1; }

for link in static shared; do
  bdir="$tmp/consumer-$link"
  echo "== consumer ($link)"
  gen_args=()
  [ -n "$generator" ] && gen_args=(-G "$generator")
  "$cmake_bin" -S "$here" -B "$bdir" "${gen_args[@]}" \
    -DCMAKE_BUILD_TYPE="$config" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" \
    -DCMAKE_PREFIX_PATH="$tmp/prefix" \
    -DLWSPP_CONSUMER_LINK="$link" >"$bdir.configure.log" 2>&1 \
    || { cat "$bdir.configure.log"; echo "FAIL: configure consumer ($link)"; exit 1; }
  "$cmake_bin" --build "$bdir" >"$bdir.build.log" 2>&1 \
    || { cat "$bdir.build.log"; echo "FAIL: build consumer ($link)"; exit 1; }
  exe="$bdir/consumer"
  libs=$(ldd "$exe")  # captured first: 'ldd | grep -q' can die of SIGPIPE under pipefail
  if [ "$link" = shared ]; then
    grep -q "$tmp/prefix/.*liblwspp\.so" <<<"$libs" \
      || { echo "$libs"; echo "FAIL: consumer ($link) does not load the installed liblwspp.so"; exit 1; }
  elif grep -q 'liblwspp\.so' <<<"$libs"; then
    echo "$libs"; echo "FAIL: consumer ($link) depends on liblwspp.so"; exit 1
  fi
  out=$("$exe") || { echo "FAIL: consumer ($link) exited with $?"; exit 1; }
  echo "$out"
  case "$out" in
    "lwspp "*) ;;
    *) echo "FAIL: unexpected output from consumer ($link)"; exit 1 ;;
  esac
done
echo "OK: find_package(lwspp) works for lwspp::lwspp and lwspp::shared"
