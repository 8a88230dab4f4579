#!/usr/bin/env bash
# Fjord as an installed package, used as a user would: `cmake --install` into a throwaway
# prefix, a separate project (tests/packaging/consumer) finds it with find_package(Fjord),
# defines its own operator and runs a job with it through fjord::cli_main — against the
# installed headers and libfjord.so only, never the source tree.
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

cp -r "$root/tests/packaging/consumer" consumer
# The consumer sees only the prefix: no include path or library of the build tree.
cmake -S consumer -B consumer/build -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v ccache || true)" > configure.log 2>&1 \
  || fail "the consumer project does not configure against the package"
cmake --build consumer/build > build.log 2>&1 || fail "the consumer project does not build"
grep -q -- "-I$root" consumer/build/build.ninja && fail "the consumer was built with Fjord's source tree"
# (ldd into a file first: `ldd | grep -q` fails under pipefail when grep exits before ldd ends)
ldd consumer/build/my_fjord > ldd.log
grep -q "$prefix/lib/libfjord.so" ldd.log \
  || fail "my_fjord does not run with the installed libfjord.so: $(grep fjord ldd.log)"

# The user's plugin (a MODULE library) exports the one entry point the loader looks for.
nm -D --defined-only consumer/build/libmy_plugin.so > plugin_symbols.log \
  || fail "nm cannot read the user's plugin"
grep -q " T fjord_plugin_entry$" plugin_symbols.log \
  || fail "the user's plugin does not export fjord_plugin_entry"
echo "ok   - a user's operator plugin builds against the package and exports fjord_plugin_entry"

consumer/build/my_fjord operators > operators.log 2>&1 || fail "my_fjord operators failed"
grep -q "times_ten" operators.log || fail "the user's operator is not listed"
grep -q "sequence" operators.log || fail "the built-ins are not listed"

cat > job.json <<'JSON'
{"name": "user operator",
 "vertices": [{"id": "n", "operator": "sequence", "params": {"from": 1, "to": 5}},
              {"id": "x", "operator": "times_ten"},
              {"id": "p", "operator": "stdout", "params": {"prefix": "out "}}],
 "edges": [{"from": "n", "to": "x", "partitioning": "forward"},
           {"from": "x", "to": "p", "partitioning": "forward"}]}
JSON
consumer/build/my_fjord run job.json --no-progress > run.log 2>&1 || fail "the job with the user's operator failed"
got=$(grep "^out " run.log | sort -n -k2 | tr '\n' ' ')
[ "$got" = "out 10 out 20 out 30 out 40 out 50 " ] || fail "unexpected output: '$got'"
echo "ok   - installed package: a separate project built its own fjord with a user operator ($got)"

# Bad input still gets the library's one-line errors.
if consumer/build/my_fjord run missing.json > bad.log 2>&1; then fail "a missing spec succeeded"; fi
[ "$(wc -l < bad.log)" -eq 1 ] || fail "a missing spec printed more than one line: $(cat bad.log)"
echo "ok   - a missing spec is one line: $(cat bad.log)"
