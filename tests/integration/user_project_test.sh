#!/usr/bin/env bash
# Fjord as an installed package, used as a user would: `cmake --install` into a throwaway
# prefix; the out-of-tree example (examples/user-project) finds it with find_package(Fjord),
# defines its own operator, runs it in a cluster inside its own actor system (square_numbers)
# and through its own fjord binary (my_fjord, fjord::cli_main) — against the installed headers
# and libfjord.so only, never the source tree.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

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
expected=$(seq 1 2000 | awk '{ print $1 * $1 }' | sort -n | md5sum)
actual=$(cat "$work"/squares/part-* | sort -n | md5sum)
[ "$(cat "$work"/squares/part-* | wc -l)" -eq 2000 ] \
  || fail "the embedded job wrote $(cat "$work"/squares/part-* | wc -l) lines, not 2000"
[ "$expected" = "$actual" ] || fail "the embedded job's output is not 1², …, 2000² exactly once"
echo "ok   - the embedded program ran its operator in its own actor system: $(cat embedded.log)"
if consumer/build/square_numbers "$work/bad" notanumber > bad_embedded.log 2>&1; then
  fail "a bad argument succeeded"
fi
[ "$(wc -l < bad_embedded.log)" -eq 1 ] || fail "a bad argument printed: $(cat bad_embedded.log)"

# Bad input still gets the library's one-line errors.
if consumer/build/my_fjord run missing.json > bad.log 2>&1; then fail "a missing spec succeeded"; fi
[ "$(wc -l < bad.log)" -eq 1 ] || fail "a missing spec printed more than one line: $(cat bad.log)"
echo "ok   - a missing spec is one line: $(cat bad.log)"
