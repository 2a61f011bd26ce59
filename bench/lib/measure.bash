# Measurement helpers shared by bench/http_run.sh, tls_run.sh and ws_run.sh (sourced).
# They read the caller's srv_cpu, load_cpu, quiet_pct, quiet_wait and scratch,
# and call its note().

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

clk_tck="$(getconf CLK_TCK)"
# busy ticks of the server's and the load's core (user nice system irq softirq steal)
core_busy() {
  awk -v a="cpu$srv_cpu" -v b="cpu$load_cpu" '$1 == a { x = $2 + $3 + $4 + $7 + $8 + $9 } $1 == b { y = $2 + $3 + $4 + $7 + $8 + $9 } END { print x, y }' /proc/stat
}

wait_quiet() {
  local start=$SECONDS a b busy
  while :; do
    a=($(core_busy)); sleep 1; b=($(core_busy))
    busy="$(awk -v a0="${a[0]}" -v a1="${a[1]}" -v b0="${b[0]}" -v b1="${b[1]}" -v t="$clk_tck" \
            'BEGIN { x = (b0 - a0) * 100 / t; y = (b1 - a1) * 100 / t; print (x > y ? x : y) }')"
    awk -v b="$busy" -v q="$quiet_pct" 'BEGIN { exit !(b <= q) }' && return 0
    if (( SECONDS - start > quiet_wait )); then
      note "cores still ${busy}% busy after ${quiet_wait} s; running anyway"
      return 0
    fi
  done
}

# CPU seconds of this shell's finished children (bash's `times`, second line).
# `times` must run in this shell, not in $(...): a subshell starts at zero.
times_file="$scratch/times"
children_cpu() { awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] } print s }' "$times_file"; }

# Report helpers. pick: the median over repeats of column C of the caller's
# $results rows whose scenario is S and server N, or n/a; ratio: A / B to
# two decimals, or n/a.
pick() {
  local v
  v="$(awk -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n { print $c }' "$results" | median)"
  [[ "$v" == nan ]] && echo "n/a" || echo "$v"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b + 0 <= 0) print "n/a"; else printf "%.2f", a / b }'; }
