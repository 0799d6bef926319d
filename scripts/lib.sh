# Shared settings for the build scripts; sourced, never run.
# shellcheck shell=bash

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PL111_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pl111-heaps}

# The kernel base: '6.12' (Debian's 6.12 LTS, the default) or '7.2'
# (Debian sid's mainline 7.2). Each has its own series and new kernel
# files under kernel/<base>/ and its own source package, recorded in
# kernel/<base>/source.conf.
BASE=${BASE:-6.12}
# Every folder of kernel/ with a source.conf is a base.
BASES=$(for c in "$REPO"/kernel/*/source.conf; do basename "$(dirname "$c")"; done | sort -V | tr '\n' ' ')
case " $BASES " in
*" $BASE "*) ;;
*) printf 'error: unknown BASE %s: one of %s\n' "$BASE" "$BASES" >&2; exit 1 ;;
esac
KROOT=$REPO/kernel/$BASE	# patches/ and new files at their kernel path
COMMON=$REPO/kernel/common	# new files that are the same in every base
# shellcheck source=../kernel/6.12/source.conf
. "$KROOT/source.conf"

# A kernel variant: 'patched' (the series, the default), 'base' (the
# same kernel without the series), 'no-cma-heap' (the series with
# CONFIG_DMABUF_HEAPS_CMA off), 'release' (the series without the
# debug checkers, for the benchmark) or 'versatile' (the series on
# ARMv5 for QEMU's versatilepb and its PL110; 6.12 only). Each has its
# own outputs. 6.12's keep the paths they had before there were bases.
VARIANT=${VARIANT:-patched}
if [ "$BASE" = 6.12 ]; then
	BUILD=$REPO/build
	TREE=$CACHE/tree
	KOUT=$CACHE/kbuild/$VARIANT
else
	BUILD=$REPO/build/$BASE
	TREE=$CACHE/tree-$BASE
	KOUT=$CACHE/kbuild/$BASE/$VARIANT
fi
[ "$VARIANT" = patched ] || BUILD=$BUILD/variants/$VARIANT

# The base: Debian's packaged source. The git tree and the kernel
# objects live in the cache, at a fixed path, so that a fresh clone of
# the repo rebuilds incrementally; build/linux (build/<base>/linux)
# points at the tree.
KSRC=$TREE/linux		# git tree: base, new files, patches
KBASE=$TREE/linux-base		# worktree of the base alone
CROSS=arm-linux-gnueabihf-
JOBS=${JOBS:-$(nproc)}

# Directories of $KROOT and $COMMON that hold whole new kernel files at
# their kernel path. A base's own copy of a file wins over the common one.
NEW_FILE_DIRS="Documentation drivers include"

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# The guest programs are built from the repo: with paths relative to it
# in the cache keys, a fresh clone elsewhere still hits the cache. (The
# kernel needs no such help: its tree and objects sit at fixed paths.)
export CCACHE_BASEDIR=$REPO CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-2024-01-01}
export KBUILD_BUILD_USER=pl111-heaps KBUILD_BUILD_HOST=build

log() { printf '>>> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Hash of the content of the given files and directories, relative to
# the current directory, in sorted path order, for cache keys and stamps.
content_hash() {	# PATH... (missing ones count as empty)
	({ find "$@" -type f 2>/dev/null || true; } | LC_ALL=C sort |
		while read -r f; do printf '%s\n' "$f"; cat "$f"; done) |
		sha256sum | cut -c1-16
}

# The repo's copy of new kernel file F of $BASE: its own, else the common one.
new_file() {	# F
	if [ -f "$KROOT/$1" ]; then echo "$KROOT/$1"; else echo "$COMMON/$1"; fi
}

# Hold $TREE for this script and its children: one build or rewrite of
# a tree at a time. make check builds the next kernels in the background
# while the guests of the first one run (tests/run-all), and a stage
# that needs one of them waits here for it.
lock_tree() {
	[ "${PL111_TREE_LOCKED:-}" = "$TREE" ] && return
	mkdir -p "$CACHE"
	exec 9>"$TREE.lock"
	if ! flock -n 9; then
		log "waiting for the work on the $BASE tree that is under way"
		flock 9
	fi
	export PL111_TREE_LOCKED=$TREE
}

kmake() {
	make -C "$KSRC" O="$KOUT" ARCH=arm CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$JOBS" "$@"
}

# DEFCONFIG and FRAGMENTS: the config fragments of $VARIANT on $BASE,
# merged in this order over DEFCONFIG; STOCK_DTBS: the tree's own device
# trees the tests boot.
set_fragments() {
	local c=$REPO/configs own=()
	DEFCONFIG=vexpress_defconfig
	STOCK_DTBS="vexpress-v2p-ca15-tc1.dtb"
	# What a base needs beyond the shared fragments (7.2: the CMA heap
	# as a module, as mainline builds it).
	[ -f "$c/base-$BASE.config" ] && own=("$c/base-$BASE.config")
	case $VARIANT in
	patched | base) FRAGMENTS=("$c/vexpress-heaps.config" "$c/checkers.config" ${own[@]+"${own[@]}"}) ;;
	no-cma-heap) FRAGMENTS=("$c/vexpress-heaps.config" "$c/checkers.config" ${own[@]+"${own[@]}"} "$c/no-cma-heap.config") ;;
	release) FRAGMENTS=("$c/vexpress-heaps.config" ${own[@]+"${own[@]}"}) ;;
	versatile)
		[ "$BASE" = 6.12 ] || die "the versatile variant is built on 6.12 only"
		DEFCONFIG=versatile_defconfig
		STOCK_DTBS="versatile-pb.dtb"
		FRAGMENTS=("$c/versatile-pl110.config") ;;
	*) die "unknown VARIANT '$VARIANT': patched, base, no-cma-heap, release or versatile" ;;
	esac
}

# Configure $KOUT from $KSRC: $DEFCONFIG with the given fragments merged
# over it, then say which requested options did not stick (unmet
# dependencies).
kconfigure() {	# FRAGMENT...
	log "configuring: $DEFCONFIG + $(basename -a "$@" | tr '\n' ' ')"
	kmake -s "$DEFCONFIG"
	(cd "$KSRC" && ARCH=arm scripts/kconfig/merge_config.sh -m -O "$KOUT" \
		"$KOUT/.config" "$@" >/dev/null)
	kmake -s olddefconfig
	# A later fragment overrides an earlier one: check the last word.
	local line opt val got
	cat "$@" | grep -E '^CONFIG_[A-Z0-9_]+=' |
		awk -F= '!($1 in last) { order[n++] = $1 } { last[$1] = $0 }
			END { for (i = 0; i < n; i++) print last[order[i]] }' |
		while IFS= read -r line; do
			opt=${line%%=*}
			val=${line#*=}
			got=$(grep -E "^$opt=" "$KOUT/.config" | cut -d= -f2- || true)
			[ "$val" = n ] && [ -z "$got" ] && continue
			[ "$got" = "$val" ] || log "config: $opt wanted $val, got ${got:-unset}"
		done
}
