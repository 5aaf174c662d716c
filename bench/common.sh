# Sourced by the benchmarks after scripts/env.sh: where each process runs, and how the gateway's JVM starts.
# The gateway gets a core of its own (its CPU time is what is measured), the simulator and the load the rest.
cpus=$(nproc)
pin_gateway=""; pin_load=""
if command -v taskset >/dev/null && [ "$cpus" -ge 2 ]; then pin_gateway="taskset -c 0"; pin_load="taskset -c 1-$((cpus - 1))"; fi
# The JVM options `bsg serve` uses, or BENCH_JVM_OPTS instead (with native access) to compare others.
mapfile -t gw_opts < <(bsg_serve_jvm_options "$root")
[ -n "${BENCH_JVM_OPTS:-}" ] && read -r -a gw_opts <<<"--enable-native-access=ALL-UNNAMED $BENCH_JVM_OPTS"
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; }   # utime + stime, 100 ticks/s
