# Shared by tests/interop/tls_*.sh (sourced, not run: it is not *.sh, so
# ctest does not pick it up). Gives:
#
#   pass/fail/note/indent, expect_eq WHAT GOT WANT, expect_match WHAT TEXT REGEX
#   $tmp                  scratch directory, removed on exit (kept with KEEP_TMP=1);
#                         every process started here is stopped on exit
#   find_bin NAME         a program of the build tree (tests/NAME or the newest match)
#   make_pki DIR          a test PKI made with the openssl CLI (listed below)
#   free_port             a TCP port on 127.0.0.1 that was free a moment ago
#   start_tls_server NAME ARGS...   runs tests/tls_test_server with ARGS and
#                         --port-file; sets $port (and $echo_port with --echo)
#                         and NAME's pid in server_pids[NAME]; log in $tmp/NAME.log
#   stop_tls_server NAME  SIGTERM; checks that it exits 0 with no sanitizer report
#   expect_clean_exit NAME LOG  the same check after a SIGTERM sent otherwise
#   start_http_test_server [VAR=VALUE...]  tests/http_test_server on $tmp/www; sets $pid, $port
#   bg PIDVAR CMD...      runs CMD in the background, killed at exit
#   wait_port PORT        waits up to 10 s for 127.0.0.1:PORT to accept; 1 if it never does
#   finish                prints "N passed, N failed" and exits 1 on any failure
#
# make_pki DIR writes PEM files, each NAME.crt with NAME.key:
#   ca              the trusted test CA ("lwspp interop CA")
#   rogue_ca        another CA that no test trusts ("lwspp rogue CA")
#   localhost       CN=localhost, SAN DNS:localhost IP:127.0.0.1, by ca
#   inter           an intermediate CA ("lwspp interop intermediate CA"), by ca
#   chained         CN=localhost (SAN as localhost), by inter; chained_full.crt
#                   is chained.crt then inter.crt (the chain a server sends)
#   a               CN=a.example.test, SAN DNS:a.example.test, by ca
#   b               CN=b.example.test, SAN DNS:b.example.test, by ca
#   expired         CN=localhost (SAN as localhost), by ca, valid in January 2020 only
#   unknown_ca      CN=localhost (SAN as localhost), by rogue_ca
#   self_signed     CN=localhost (SAN as localhost), self-signed
#   alice           client certificate CN=alice, by ca
#   mallory         client certificate CN=mallory, by rogue_ca
# Keys are ECDSA P-256 except b (RSA 2048: both key types get served).

tls_lib_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$tls_lib_here/common.bash"
note() { echo "note: $*"; }

build_dir=${LWSPP_BUILD_DIR:-$(cd "$tls_lib_here/../../.." && pwd)/build}

find_bin() {
  local p=$build_dir/tests/$1
  if [[ ! -x $p ]]; then
    p=$(find "$build_dir" -name "$1" -type f -perm -u+x -printf '%T@ %p\n' 2>/dev/null |
      sort -rn | head -n 1 | cut -d' ' -f2-)
  fi
  if [[ -z $p ]]; then
    echo "FAIL: $1 not found under $build_dir (set LWSPP_BUILD_DIR)" >&2
    exit 1
  fi
  echo "$p"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-tls.XXXXXX")
declare -A server_pids=()
bg_pids=()
tls_cleanup() {
  local p
  for p in "${server_pids[@]}" "${bg_pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${server_pids[@]}" "${bg_pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap tls_cleanup EXIT

bg() {
  local -n _pid=$1
  shift
  "$@" &
  _pid=$!
  bg_pids+=("$_pid")
}

# --- the PKI --------------------------------------------------------------------

# pki_key NAME [rsa]
pki_key() {
  if [[ ${2:-} == rsa ]]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/$1.key" 2>/dev/null
  else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$1.key" 2>/dev/null
  fi
}

# pki_ca NAME CN
pki_ca() {
  pki_key "$1"
  openssl req -x509 -new -key "$pki/$1.key" -out "$pki/$1.crt" -subj "/CN=$2" -days 2 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

# pki_leaf NAME CN ISSUER SAN EKU [rsa] [STARTDATE ENDDATE]: signed with `openssl ca`,
# which takes explicit validity dates (OpenSSL 3.0's x509 -req has only -days).
pki_leaf() {
  local name=$1 cn=$2 issuer=$3 san=$4 eku=$5 keytype=${6:-ec}
  local start=${7:-} end=${8:-}
  pki_key "$name" "$keytype"
  openssl req -new -key "$pki/$name.key" -out "$pki/$name.csr" -subj "/CN=$cn"
  local db=$pki/db-$issuer
  if [[ ! -d $db ]]; then
    mkdir -p "$db/certs"
    : >"$db/index.txt"
    echo 1000 >"$db/serial"
  fi
  cat >"$pki/$name.cnf" <<EOF
[ca]
default_ca = this_ca
[this_ca]
database = $db/index.txt
serial = $db/serial
new_certs_dir = $db/certs
default_md = sha256
default_days = 2
policy = any_subject
unique_subject = no
[any_subject]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = $eku
${san:+subjectAltName = $san}
EOF
  local dates=()
  [[ -n $start ]] && dates=(-startdate "$start" -enddate "$end")
  openssl ca -batch -notext -config "$pki/$name.cnf" -cert "$pki/$issuer.crt" \
    -keyfile "$pki/$issuer.key" -in "$pki/$name.csr" -out "$pki/$name.crt" \
    -extensions leaf "${dates[@]}" 2>"$pki/$name.ca.log" || {
    cat "$pki/$name.ca.log" >&2
    return 1
  }
}

make_pki() {
  pki=$1
  mkdir -p "$pki"
  local host_san="DNS:localhost,IP:127.0.0.1"
  {
    pki_ca ca "lwspp interop CA"
    pki_ca rogue_ca "lwspp rogue CA"
    pki_leaf localhost localhost ca "$host_san" serverAuth
    pki_key inter
    openssl req -new -key "$pki/inter.key" -out "$pki/inter.csr" \
      -subj "/CN=lwspp interop intermediate CA"
    printf '%s\n' "basicConstraints = critical,CA:TRUE,pathlen:0" \
      "keyUsage = critical,keyCertSign,cRLSign" >"$pki/inter.ext"
    openssl x509 -req -in "$pki/inter.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
      -CAcreateserial -days 2 -extfile "$pki/inter.ext" -out "$pki/inter.crt"
    pki_leaf chained localhost inter "$host_san" serverAuth
    cat "$pki/chained.crt" "$pki/inter.crt" >"$pki/chained_full.crt"
    pki_leaf a a.example.test ca DNS:a.example.test serverAuth
    pki_leaf b b.example.test ca DNS:b.example.test serverAuth rsa
    pki_leaf expired localhost ca "$host_san" serverAuth ec 20200101000000Z 20200201000000Z
    pki_leaf unknown_ca localhost rogue_ca "$host_san" serverAuth
    pki_leaf alice alice ca "" clientAuth
    pki_leaf mallory mallory rogue_ca "" clientAuth
    pki_key self_signed
    openssl req -x509 -new -key "$pki/self_signed.key" -out "$pki/self_signed.crt" \
      -subj /CN=localhost -days 2 -addext "subjectAltName=$host_san"
  } >"$pki/make.log" 2>&1 || {
    echo "FAIL: making the test PKI with the openssl CLI failed:" >&2
    indent <"$pki/make.log" >&2
    exit 1
  }
}

# cert_subject FILE: "CN = localhost"
cert_subject() { openssl x509 -in "$1" -noout -subject | sed 's/^subject=//'; }

# --- the server under test ----------------------------------------------------------

tls_server_bin=

start_tls_server() {
  local name=$1
  shift
  [[ -n $tls_server_bin ]] || tls_server_bin=$(find_bin tls_test_server)
  rm -f "$tmp/$name.port"
  "$tls_server_bin" --port-file "$tmp/$name.port" "$@" 2>"$tmp/$name.log" &
  server_pids[$name]=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s $tmp/$name.port ]] && break
    kill -0 "${server_pids[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! -s $tmp/$name.port ]]; then
    echo "FAIL: tls_test_server ($name) did not start; its log:" >&2
    indent <"$tmp/$name.log" >&2
    exit 1
  fi
  port=$(sed -n 1p "$tmp/$name.port")
  echo_port=$(sed -n 2p "$tmp/$name.port")
}

stop_tls_server() {
  kill -TERM "${server_pids[$1]}" 2>/dev/null || true
  expect_clean_exit "$1" "$tmp/$1.log"
}

# start_http_test_server [VAR=VALUE...]: tests/http_test_server serving
# $tmp/www (port file $tmp/port, log $tmp/server.log) with those variables
# in its environment; sets $pid, server_pids[main] and $port, and ends the
# script with a failure if the server does not start.
start_http_test_server() {
  local i
  mkdir -p "$tmp/www"
  env "$@" "$(find_bin http_test_server)" "$tmp/port" "$tmp/www" 2>"$tmp/server.log" &
  pid=$!
  server_pids[main]=$pid
  for ((i = 0; i < 100; i++)); do
    [[ -s $tmp/port ]] && break
    sleep 0.1
  done
  [[ -s $tmp/port ]] || { fail "the server did not start"; indent <"$tmp/server.log" >&2; finish; }
  port=$(cat "$tmp/port")
}

# expect_clean_exit NAME LOG: server_pids[NAME] (already told to stop) must
# exit 0 within 10 s with no sanitizer report in LOG.
expect_clean_exit() {
  local name=$1 log=$2 pid=${server_pids[$1]} rc=0 i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    fail "server $name: still running 10 s after SIGTERM"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" || rc=$?
  unset "server_pids[$name]"
  expect_eq "server $name: exits 0 after SIGTERM" "$rc" 0
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$log"; then
    fail "server $name: a sanitizer report in its log:"
    indent <"$log" >&2
  else
    pass "server $name: no sanitizer report in its log"
  fi
}

