# The server under test as a process tree, shared by bench/http_run.sh,
# tls_run.sh and ws_run.sh (sourced). They use the caller's server_pid.
#
#   listening PORT        something listens on 127.0.0.1:PORT
#   tree_pids PID         the process and all its descendants (children of every thread)
#   tree_ticks PID        utime+stime in clock ticks, summed over the tree
#   wait_started PORT     after starting $server_pid: until PORT listens (10 s);
#                         false (and server_pid cleared) if the process died
#   stop_server           SIGTERM, up to 5 s, then SIGKILL to whatever of the tree is left

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

tree_pids() {
  local t c
  [[ -d "/proc/$1" ]] || return 0
  echo "$1"
  for t in /proc/"$1"/task/*; do
    for c in $(cat "$t/children" 2>/dev/null); do tree_pids "$c"; done
  done
}

# Fields after the last ')' of /proc/PID/stat: utime and stime are the 12th and 13th.
tree_ticks() {
  local p sum=0 line rest
  for p in $(tree_pids "$1"); do
    line="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    rest="${line##*) }"
    read -r -a f <<<"$rest"
    sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}

wait_started() {
  local i
  for i in $(seq 200); do
    listening "$1" && return 0
    kill -0 "$server_pid" 2>/dev/null || { server_pid=""; return 1; }
    sleep 0.05
  done
  return 1
}

stop_server() {
  local i pids
  [[ -n "$server_pid" ]] || return 0
  pids="$(tree_pids "$server_pid")"
  kill -TERM "$server_pid" 2>/dev/null || true
  for i in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# h2o_conf FILE PORT SCRATCH [tls] [user]: an h2o config, one thread, serving
# SCRATCH/www/hello as /hello on 127.0.0.1:PORT (with tls: over TLS with
# SCRATCH/cert.pem and key.pem; with user: as this user, so that a root
# run under valgrind can be controlled by callgrind_control).
h2o_conf() {
  local file=$1 port=$2 scratch=$3 tls=${4:-} user=${5:-}
  local listen="listen: {host: 127.0.0.1, port: $port}"
  [[ $tls == tls ]] && listen="listen: {host: 127.0.0.1, port: $port, ssl: {certificate-file: $scratch/cert.pem, key-file: $scratch/key.pem}}"
  {
    echo "$listen"
    echo "num-threads: 1"
    [[ $user == user ]] && echo "user: $(id -un)"
    cat <<CONF
error-log: $scratch/h2o.err
http2-idle-timeout: 600
hosts:
  default:
    paths:
      /hello:
        file.file: $scratch/www/hello
CONF
  } >"$file"
}

# nginx_hello_conf DIR PORT [single]: DIR/nginx.conf for nginx with one worker,
# answering GET /hello with "Hello, world!" (text/plain) on 127.0.0.1:PORT,
# keep-alive without limits, no access log, every path under DIR. With
# single: no master process either (one process, as under valgrind).
nginx_hello_conf() {
  local dir=$1 port=$2 master=on
  [[ ${3:-} == single ]] && master=off
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process $master;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 600s;
  keepalive_requests 1000000000;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /hello { default_type text/plain; return 200 "Hello, world!"; }
  }
}
CONF
}
