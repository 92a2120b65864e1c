# eseal entry points. `make run`: the main job; `make test`: everything CI checks.
# Both install the Debian packages they need when missing, configure CMake and build.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
DEBIAN_PACKAGES := build-essential cmake pkg-config libssl-dev openssl libcmocka-dev \
	clang libclang-rt-14-dev clang-format python3 \
	libzip-dev libxml2-dev zip unzip \
	libcairo2-dev libpango1.0-dev libpng-dev libjpeg-dev fonts-noto-cjk \
	libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libargon2-dev postgresql wrk \
	libqpdf-dev qpdf poppler-utils libpoppler-glib-dev valgrind

.PHONY: all deps build run demo test test-unit test-asan test-fuzz check-format check-size format bench clean

all: build

# Install what is missing (as root, or through sudo); a no-op on a prepared machine.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j$(JOBS)

# The platform server on the embedded SQLite database; data (CA, keys, database) in ./eseal-data.
run: build
	build/tools/eseal serve --listen 127.0.0.1:8080 --data eseal-data

demo: build
	bash scripts/demo.sh build/tools/eseal

# The whole suite: style checks, unit + CLI tests, the same under ASan+UBSan, a short fuzz run.
test: deps check-format check-size test-unit test-asan test-fuzz
	@echo "make test: all checks passed"

test-unit: build
	cd build && ctest -L 'unit|cli' -j$(JOBS) --output-on-failure

test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DESEAL_SANITIZE=ON -DESEAL_BENCH=OFF
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest -L 'unit|cli' -j$(JOBS) --output-on-failure

test-fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DESEAL_FUZZ=ON \
		-DESEAL_TESTS=OFF -DESEAL_BENCH=OFF
	cmake --build build-fuzz -j$(JOBS)
	cd build-fuzz && ctest -L fuzz -j$(JOBS) --output-on-failure

check-format: deps
	bash scripts/check-format

check-size:
	bash scripts/check-size

format: deps
	bash scripts/check-format --fix

bench: build
	bash bench/run-crypto.sh build/bench/bench_crypto
	taskset -c 0 build/bench/bench_seal
	taskset -c 0 build/bench/bench_ofd
	bash bench/bench_server.sh build/tools/eseal

clean:
	rm -rf build build-asan build-fuzz
