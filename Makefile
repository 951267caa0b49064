# Kalkan: the entry points a user and CI need.
#   make          build (gcc, warnings as errors) into build/
#   make test     install what is missing, build with gcc and with
#                 clang+ASan+UBSan, run the whole CTest suite on both
#   make demo     install, build, run the demo
#   make bench    run the side-by-side benchmarks of bench/
#   make fuzz     run every libFuzzer target for FUZZ_SECONDS each
#   make format   reformat the C sources with clang-format

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

.PHONY: all deps build build-asan test demo bench fuzz format clean

all: build

deps:
	scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=gcc -DKK_WERROR=ON

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_C_COMPILER=clang -DKK_WERROR=ON \
	    -DKK_SANITIZE=ON

build-asan: $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)

test: deps
	$(MAKE) build build-asan
	scripts/run-tests $(BUILD) $(BUILD_ASAN)

demo: deps build
	scripts/demo $(BUILD)

bench: deps build
	bench/run $(BUILD)

fuzz: deps
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DKK_WERROR=ON \
	    -DKK_SANITIZE=ON -DKK_FUZZ=ON
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	scripts/run-fuzz $(BUILD_FUZZ) $(FUZZ_SECONDS)

format:
	git ls-files -co --exclude-standard -- '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
