# pl111-heaps: CMA dma-buf heaps for device pools, and zero-copy scanout
# on the ARM PL111, on Linux 6.12 LTS and mainline 7.2, in QEMU vexpress.
#
#   make run     build, boot, show heap-backed frames, save a screenshot
#   make check   build and run every test on both bases; ends with
#                'N passed, N failed, N skipped'
#
# BASE=6.12 (default) or BASE=7.2 picks the kernel of every target but
# check, which runs the bases in BASES (default: both).

SHELL := /bin/bash
.DEFAULT_GOAL := run

.PHONY: run check stress check-variants regression-base build deps kernel tree guest rootfs export-patches reset-tree series series-check bench clean

deps:
	scripts/install-deps

build: deps
	scripts/kernel-build
	scripts/guest-build

kernel: deps
	scripts/kernel-build

tree: deps
	scripts/kernel-tree

guest rootfs: deps
	scripts/guest-build

run: build
	scripts/run-demo

check: deps
	tests/run-all $(STAGES)

# The random stress of every heap and the display, from two processes,
# for SECONDS on each base in BASES (make check runs it for 60); SEED
# replays a run's sequence of operations.
SECONDS ?= 600
stress: deps
	STRESS_SECONDS=$(SECONDS) STRESS_SEED=$(SEED) tests/run-all stress

# Slower checks, not in 'make check': the series with the CMA heap
# configured out (the stubs), and the regression suite's results on the
# unpatched base, kept in tests/regression-base/<base>.txt.
check-variants: deps
	VARIANT=no-cma-heap tests/run-all

regression-base: deps
	VARIANT=base scripts/kernel-build
	VARIANT=base scripts/guest-build
	VARIANT=base tests/run-all --record-base

# The series round trip: edit and commit in the base's tree (build/linux,
# build/7.2/linux), then write the commits back: patches/ and the new
# files at their kernel path (7.2), or stable/6.12/ and its backport.diff.
export-patches:
	scripts/export-patches

# Zero-copy against copying, in CPU time per frame: not a test. It runs
# on the series built without the tests' checkers (the 'release'
# variant); BENCH_VARIANT=patched measures the tests' kernel instead.
BENCH_VARIANT ?= release
bench: deps
	VARIANT=$(BENCH_VARIANT) scripts/kernel-build
	VARIANT=$(BENCH_VARIANT) scripts/guest-build
	VARIANT=$(BENCH_VARIANT) scripts/bench

# The series as it would be sent (build/series/), and the checks a
# maintainer would run on it; 'make check' runs the fast ones.
series: deps
	scripts/series

series-check: deps
	scripts/series-check

reset-tree:
	RESET=1 FORCE=1 scripts/kernel-tree

clean:
	rm -rf build
