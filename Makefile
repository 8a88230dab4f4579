# The two commands of the README: `make demo` and `make test`. Both install missing Debian
# packages first (scripts/install-deps.sh), configure, build with -j2 and run.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test test-long bench cluster-demo clean install

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@[ -f $(BUILD)/build.ninja ] || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target fjord check_exactly_once_sum
	@./scripts/demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -LE long

# The long variants (about an hour): the crash-point matrix over every failpoint and hit, and
# 20 minutes of random kills, freezes, partitions and ZooKeeper restarts on test hosts.
test-long: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L long

# make install PREFIX=/opt/fjord: libfjord.so, the fjord binary, headers, the CMake package.
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	@./scripts/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD)

cluster-demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target fjord check_exactly_once_sum
	@./scripts/cluster_demo.sh $(BUILD)
