# Shared by tests/interop/http_client_*.sh: examples/http-get (the HTTP
# client) against real servers and proxies. Sourced, not run. On top of
# tls_common.bash ($tmp, bg, make_pki, find_bin, pass/fail/note, finish):
#
#   hg NAME [VAR=VALUE]... ARGS...
#                          runs http-get ARGS (with those environment variables);
#                          stdout in $tmp/NAME.out, stderr in $tmp/NAME.err, exit
#                          status in $rc. A sanitizer report in its stderr is a
#                          failure of its own
#   err NAME               http-get's stderr of run NAME
#   sha FILE               its SHA-256
#   expect_same WHAT GOT WANT   two files byte-identical (sizes and SHA-256 shown)
#   log_mark FILE          the number of lines FILE has now
#   log_since FILE MARK    the lines FILE got after log_mark gave MARK
#   wait_log FILE MARK N   waits up to 5 s for N lines after MARK (servers log
#                          a request after its response is out)
#   run_nginx DIR PORT...  nginx -c DIR/nginx.conf in the foreground (killed at
#                          exit), waits for every PORT; sets $nginx_bin
#   nginx_prelude DIR      the config's global part and the start of http {}:
#                          one worker, logs and temp paths in DIR, the access
#                          log DIR/access.log as "$connection $connection_requests
#                          $request_method $uri $status $request_length
#                          te=$http_transfer_encoding cl=$content_length"

source "$(dirname "${BASH_SOURCE[0]}")/tls_common.bash"

http_get=$build_dir/examples/http-get
if [[ ! -x $http_get ]]; then
  echo "FAIL: $http_get is not built (set LWSPP_BUILD_DIR)" >&2
  exit 1
fi
echo "http-get: $http_get"
# Only the proxies a test names: none from the environment it runs in.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# A sanitizer report fails the run, not only its exit status; leaks too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

hg() {
  local name=$1 vars=()
  shift
  while [[ ${1:-} =~ ^[A-Za-z_][A-Za-z_0-9]*= ]]; do
    vars+=("$1")
    shift
  done
  rc=0
  env "${vars[@]}" "$http_get" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/$name.err"; then
    fail "$name: a sanitizer report from http-get:"
    indent <"$tmp/$name.err" >&2
  fi
}

err() { cat "$tmp/$1.err"; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

expect_same() {
  local got_size want_size
  got_size=$(stat -c %s "$2" 2>/dev/null || echo missing)
  want_size=$(stat -c %s "$3")
  if [[ $got_size == "$want_size" ]] && cmp -s "$2" "$3"; then
    pass "$1 ($want_size bytes, sha256 $(sha "$3" | cut -c1-12)...)"
  else
    fail "$1: got $got_size bytes (sha256 $(sha "$2" 2>/dev/null | cut -c1-12)), want $want_size ($(sha "$3" | cut -c1-12))"
  fi
}

log_mark() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }
log_since() { tail -n "+$(($2 + 1))" "$1"; }
wait_log() {
  local i
  for ((i = 0; i < 50; i++)); do
    (($(log_since "$1" "$2" | wc -l) >= $3)) && return 0
    sleep 0.1
  done
  return 1
}

nginx_bin=$(command -v nginx || true)
[[ -z $nginx_bin && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx

nginx_prelude() {
  local d=$1
  # As root the worker would run as nobody, who cannot read our files.
  [[ $(id -u) != 0 ]] || echo "user root;"
  cat <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 256; }
http {
  log_format conn '\$connection \$connection_requests \$request_method \$uri \$status \$request_length te=\$http_transfer_encoding cl=\$content_length';
  access_log $d/access.log conn;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  default_type application/octet-stream;
  sendfile on;
EOF
}

run_nginx() {
  local d=$1 p
  shift
  bg nginx_pid "$nginx_bin" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log"
  for p in "$@"; do
    if ! wait_port "$p"; then
      echo "FAIL: nginx does not listen on $p; its log:" >&2
      indent <"$d/error.log" >&2
      exit 1
    fi
  done
}
