# Building and taking the benchmark's own programs, shared by bench/http_run.sh
# and bench/ws_run.sh (sourced). They read the caller's build (1: build
# first), build_dir, root and scratch, and call its note() and die().
#
#   build_targets T...  configures build_dir with the release preset if needed
#                       and builds each target; one that fails is noted and
#                       remembered, and the run goes on without it
#   find_bin NAME       BENCH_BIN_DIR/NAME or build_dir/bench/NAME, or nothing
#   copy_bin NAME       a copy in $scratch/bin (so a concurrent rebuild cannot
#                       swap it mid-run), or nothing; never a stale binary of
#                       a target that failed to build now

declare -A build_failed=()

build_targets() {
  [[ "$build" == 1 ]] || return 0
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    note "configuring $build_dir (release preset)"
    (cd "$root" && cmake --preset release -B "$build_dir") >"$scratch/configure.log" 2>&1 ||
      { tail -n 20 "$scratch/configure.log" >&2; die "cmake --preset release failed"; }
  fi
  local t
  for t in "$@"; do
    if ! cmake --build "$build_dir" --target "$t" >"$scratch/build-$t.log" 2>&1; then
      build_failed[$t]=1
      note "could not build $t; going on without it. Last lines:"
      tail -n 4 "$scratch/build-$t.log" | sed 's/^/    /' >&2
    fi
  done
}

find_bin() {
  local d
  for d in ${BENCH_BIN_DIR:-} "$build_dir/bench"; do
    [[ -n "$d" && -x "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  return 0
}

copy_bin() {
  local src
  [[ -n "${build_failed[$1]:-}" ]] && return 0
  src="$(find_bin "$1")"
  [[ -z "$src" ]] && return 0
  mkdir -p "$scratch/bin"
  cp "$src" "$scratch/bin/$1"
  note "binary: $1 <- $src"
  echo "$scratch/bin/$1"
}
