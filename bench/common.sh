# Sourced by the benchmarks after scripts/env.sh: where each process runs, and how the gateway's JVM starts.
# The gateway gets a core of its own (its CPU time is what is measured), the simulator and the load the rest.
cpus=$(nproc)
pin_gateway=""; pin_load=""
if command -v taskset >/dev/null && [ "$cpus" -ge 2 ]; then pin_gateway="taskset -c 0"; pin_load="taskset -c 1-$((cpus - 1))"; fi
# The JVM options `bsg serve` uses, or BENCH_JVM_OPTS instead (with native access) to compare others.
mapfile -t gw_opts < <(bsg_serve_jvm_options "$root")
[ -n "${BENCH_JVM_OPTS:-}" ] && read -r -a gw_opts <<<"--enable-native-access=ALL-UNNAMED $BENCH_JVM_OPTS"
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; }   # utime + stime, 100 ticks/s
# The settings a benchmark's gateway starts with (SQLite and journal in $work, the simulator as Bedrock with its
# static key); needs work, scheme, sim_port, gw_port and admin set. Use as: env "${gateway_env[@]}" java ...
gateway_settings() {
  gateway_env=(BSG_SERVER__PORT="$gw_port" BSG_DATABASE__URL="jdbc:sqlite:$work/bench.db" BSG_METERING__JOURNAL_DIR="$work/journal"
    BSG_UPSTREAM__ENDPOINT="${scheme:-http}://127.0.0.1:$sim_port" BSG_UPSTREAM__CREDENTIALS=static
    BSG_UPSTREAM__ACCESS_KEY_ID=AKIDBSGSIMULATOR0001 BSG_UPSTREAM__SECRET_ACCESS_KEY=bsg-simulator-secret-not-a-real-aws-key
    BSG_ADMIN__API_KEYS="$admin")
}
gateway_cp="$root/server/target/bsg-server.jar:$root/server/target/lib/*"
# A new API key for bench@example.com from the running gateway on gw_port.
new_api_key() {
  curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"user_email":"bench@example.com","name":"bench"}' "http://127.0.0.1:$gw_port/api/admin/keys" | sed 's/.*"key":"\([^"]*\)".*/\1/'
}
