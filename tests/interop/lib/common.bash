# What every interop script shares (sourced, not run: it is not *.sh, so
# ctest does not pick it up):
#
#   pass WHAT / fail WHAT    one check passed / failed (failures go to stderr)
#   indent                   stdin indented, for quoting a log under a failure
#   expect_eq WHAT GOT WANT, expect_match WHAT TEXT ERE, expect_no_match WHAT TEXT ERE
#   free_port                a TCP port on 127.0.0.1 that was free a moment ago
#   wait_port PORT           waits up to 10 s for 127.0.0.1:PORT to accept; 1 if it never does
#   finish                   prints "N passed, N failed" and exits 1 on any failure, else 0

failures=0
checks=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
  checks=$((checks + 1))
}
pass() {
  echo "ok:   $*"
  checks=$((checks + 1))
}
indent() { sed 's/^/    /'; }

expect_eq() {
  if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# expect_match WHAT TEXT ERE: TEXT has a line matching ERE.
expect_match() {
  if grep -qE -- "$3" <<<"$2"; then
    pass "$1"
  else
    fail "$1: nothing matches /$3/ in:"
    indent <<<"$2" >&2
  fi
}
# expect_no_match WHAT TEXT ERE
expect_no_match() {
  if grep -qE -- "$3" <<<"$2"; then
    fail "$1: /$3/ matches in:"
    indent <<<"$2" >&2
  else
    pass "$1"
  fi
}

# The system python3 (a python3 earlier in PATH may be a venv without the
# socket module's friends; any python3 will do for this).
free_port() {
  "$(command -v python3 || echo /usr/bin/python3)" -c \
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
  local i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [[ $failures -eq 0 ]] || exit 1
  exit 0
}

# need_python PACKAGE MODULE...: sets py to a python3 that imports every
# MODULE: the first python3 in PATH, else the system one (a python3 earlier
# in PATH, pyenv's or a venv's, may not see Debian's python3-* packages).
# Neither: exits 77 (skipped), naming the Debian PACKAGE.
need_python() {
  local pkg=$1 p imports
  shift
  imports=$(IFS=,; echo "$*")
  py=
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c "import $imports" 2>/dev/null; then
      py=$(command -v "$p")
      return 0
    fi
  done
  echo "skip: $pkg is not installed (scripts/install-deps test)"
  exit 77
}
