#!/usr/bin/env bash
# Fjord as an installed package, used as a user would: `cmake --install` into a throwaway
# prefix; the out-of-tree example (examples/user-project) finds it with find_package(Fjord),
# defines its own operator, runs it in a cluster inside its own actor system (square_numbers)
# and through its own fjord binary (my_fjord, fjord::cli_main) — against the installed headers
# and libfjord.so only, never the source tree.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

# check_squares DIR N WHO: DIR's committed part files hold 1², …, N² exactly once.
check_squares() {
  local lines
  lines=$(cat "$1"/part-* | wc -l)
  [ "$lines" -eq "$2" ] || fail "$3 wrote $lines lines, not $2"
  [ "$(seq 1 "$2" | awk '{ print $1 * $1 }' | sort -n | md5sum)" = \
    "$(cat "$1"/part-* | sort -n | md5sum)" ] || fail "$3's output is not 1², …, $2² exactly once"
}

prefix=$work/prefix
cmake --install "$FJORD_BUILD_DIR" --prefix "$prefix" > install.log 2>&1 || fail "install failed"
for f in lib/libfjord.so bin/fjord include/fjord/fjord.hpp include/fjord/version.hpp \
         include/fjord/plugin.hpp \
         lib/cmake/Fjord/FjordConfig.cmake lib/cmake/Fjord/FjordConfigVersion.cmake; do
  [ -e "$prefix/$f" ] || fail "installed tree lacks $f"
done
version=$("$prefix/bin/fjord" --version 2>&1) || fail "installed fjord --version failed: $version"
[[ "$version" == "fjord 0."* ]] || fail "installed fjord --version: $version"

cp -r "$root/examples/user-project" consumer
# The consumer sees only the prefix: no include path or library of the build tree.
cmake -S consumer -B consumer/build -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v ccache || true)" > configure.log 2>&1 \
  || fail "the user project does not configure against the package"
cmake --build consumer/build > build.log 2>&1 || fail "the user project does not build"
grep -q -- "-I$root" consumer/build/build.ninja && fail "the consumer was built with Fjord's source tree"
# (ldd into a file first: `ldd | grep -q` fails under pipefail when grep exits before ldd ends)
ldd consumer/build/my_fjord > ldd.log
grep -q "$prefix/lib/libfjord.so" ldd.log \
  || fail "my_fjord does not run with the installed libfjord.so: $(grep fjord ldd.log)"

# The user's plugin (a MODULE library) exports the one entry point the loader looks for.
nm -D --defined-only consumer/build/libsquare_plugin.so > plugin_symbols.log \
  || fail "nm cannot read the user's plugin"
grep -q " T fjord_plugin_entry$" plugin_symbols.log \
  || fail "the user's plugin does not export fjord_plugin_entry"
echo "ok   - a user's operator plugin builds against the package and exports fjord_plugin_entry"

consumer/build/my_fjord operators > operators.log 2>&1 || fail "my_fjord operators failed"
grep -q "square" operators.log || fail "the user's operator is not listed"
grep -q "sequence" operators.log || fail "the built-ins are not listed"

cat > job.json <<'JSON'
{"name": "user operator",
 "vertices": [{"id": "n", "operator": "sequence", "params": {"from": 1, "to": 5}},
              {"id": "x", "operator": "square"},
              {"id": "p", "operator": "stdout", "params": {"prefix": "out "}}],
 "edges": [{"from": "n", "to": "x", "partitioning": "forward"},
           {"from": "x", "to": "p", "partitioning": "forward"}]}
JSON
consumer/build/my_fjord run job.json --no-progress > run.log 2>&1 || fail "the job with the user's operator failed"
got=$(grep "^out " run.log | sort -n -k2 | tr '\n' ' ')
[ "$got" = "out 1 out 4 out 9 out 16 out 25 " ] || fail "unexpected output: '$got'"
echo "ok   - installed package: a separate project built its own fjord with a user operator ($got)"

# The embedded program: a local cluster in the program's own actor system, exactly once.
consumer/build/square_numbers "$work/squares" 2000 > embedded.log 2>&1 \
  || fail "the embedded program failed"
grep -q "FINISHED" embedded.log || fail "the embedded job did not finish: $(cat embedded.log)"
check_squares "$work/squares" 2000 "the embedded job"
echo "ok   - the embedded program ran its operator in its own actor system: $(tail -1 embedded.log)"
if consumer/build/square_numbers "$work/bad" notanumber > bad_embedded.log 2>&1; then
  fail "a bad argument succeeded"
fi
[ "$(wc -l < bad_embedded.log)" -eq 1 ] || fail "a bad argument printed: $(cat bad_embedded.log)"

# Bad input still gets the library's one-line errors.
if consumer/build/my_fjord run missing.json > bad.log 2>&1; then fail "a missing spec succeeded"; fi
[ "$(wc -l < bad.log)" -eq 1 ] || fail "a missing spec printed more than one line: $(cat bad.log)"
echo "ok   - a missing spec is one line: $(cat bad.log)"

# The same operator as a plugin on a cluster of the installed `fjord` (which never saw it):
# shipped with the job, kept in HA storage, fetched by TaskManagers by hash. The leader and
# every TaskManager are SIGKILLed mid-job; the standby recovers the job onto a TaskManager
# started after the failover, with an empty plugin cache, and the output is exactly once.
plugin=consumer/build/libsquare_plugin.so
sha=$(sha256sum "$plugin" | cut -d' ' -f1)
fjord=$prefix/bin/fjord
cluster_start_zookeeper 1500 > /dev/null
cluster_start_jobmanager jm1
cluster_start_jobmanager jm2
mkdir -p tmp1 tmp3
TMPDIR=$work/tmp1 cluster_start_taskmanager tm1 4
for _ in $(seq 100); do [ -n "$(cluster_leader)" ] && break; sleep 0.1; done
[ -n "$(cluster_leader)" ] || fail "no JobManager was elected"
first=$(basename "$(cluster_leader)")
cat > plugin_job.json <<JSON
{"name": "squares on a cluster",
 "vertices": [{"id": "n", "operator": "sequence", "parallelism": 2,
               "params": {"from": 1, "to": 20000, "rate_per_subtask": 2000}},
              {"id": "sq", "operator": "square", "parallelism": 2},
              {"id": "out", "operator": "transactional_file",
               "params": {"output_dir": "$work/cluster_out"}}],
 "edges": [{"from": "n", "to": "sq", "partitioning": "forward"},
           {"from": "sq", "to": "out", "partitioning": "rebalance"}],
 "checkpointing": {"interval_ms": 100},
 "restart_strategy": {"type": "fixed-delay", "attempts": 20, "delay_ms": 200}}
JSON
# Without the plugin the spec names an unknown operator: one line, exit 2, before any cluster.
set +e; "$fjord" submit -c fjord.yaml plugin_job.json > noplugin.log 2>&1; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "square" noplugin.log && [ "$(wc -l < noplugin.log)" -eq 1 ] \
  || fail "a spec using a plugin operator without --plugin: exit $rc, $(cat noplugin.log)"
set +e; "$fjord" submit -c fjord.yaml plugin_job.json --plugin /etc/hostname > badplugin.log 2>&1
rc=$?; set -e
[ $rc -eq 2 ] && [ "$(wc -l < badplugin.log)" -eq 1 ] \
  || fail "a file that is no plugin: exit $rc, $(cat badplugin.log)"
echo "ok   - refused before reaching the cluster: $(cat badplugin.log)"

"$fjord" submit -c fjord.yaml plugin_job.json --plugin "$plugin" --no-progress \
  --follow-timeout 120 > submit.log 2>&1 &
submit=$!
cluster_pids+=($submit)
cluster_wait 3 "checkpoint .* completed" "$first" 300 || fail "no checkpoint completed on the leader"
[ -f "tmp1/fjord-plugins-$(id -u)/$sha.so" ] || fail "tm1 did not cache the plugin by its hash"
grep -rlq fjord_plugin_entry "$work/recovery" || fail "the plugin is not in HA storage"
cluster_kill "${first%.log}"
cluster_kill tm1
cluster_alive "${first%.log}" && fail "the SIGKILL did not land on the leader"
kill -0 "$submit" 2>/dev/null || fail "the job ended before the failover: $(cat submit.log)"
lines_before=$(cat "$work"/cluster_out/part-* 2>/dev/null | wc -l)
[ "$lines_before" -lt 20000 ] || fail "the job had already written everything before the kill"
TMPDIR=$work/tmp3 cluster_start_taskmanager tm3 4
rc=0; wait "$submit" || rc=$?
[ $rc -eq 0 ] || fail "the plugin job did not finish after the failover (exit $rc)"
second=$([ "$first" = jm1.log ] && echo jm2.log || echo jm1.log)
grep -q "restoring from checkpoint [1-9]" "$second" \
  || fail "the new leader did not restore the job from a checkpoint"
[ -f "tmp3/fjord-plugins-$(id -u)/$sha.so" ] \
  || fail "tm3, started after the failover, did not fetch the plugin from the new leader"
check_squares "$work/cluster_out" 20000 "the cluster job"
echo "ok   - plugin job survived SIGKILL of the leader and its TaskManager ($lines_before of 20000 lines written before); recovered on a new TaskManager, exactly once"
# The job ended: its graph, and with it the plugin, is gone from HA storage.
for _ in $(seq 50); do grep -rlq fjord_plugin_entry "$work/recovery" || break; sleep 0.1; done
grep -rlq fjord_plugin_entry "$work/recovery" && fail "the plugin outlived its job in HA storage"
echo "ok   - the plugin was deleted with the job's HA data"
