# Shared settings for the build scripts; sourced, never run.
# shellcheck shell=bash

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PL111_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pl111-heaps}

# The kernel bases. The mainline series is the repo's own: patches/
# (with patches/source.conf, the Debian package it is built on) and its
# new kernel files at their kernel path (drivers/, include/,
# Documentation/ at the top). Each stable backport lives in
# stable/<base>/: its patches/, its source.conf, the files only it has
# (at their kernel path) and backport.diff, which turns the mainline
# series' new files into its own. BASE picks one: '6.12' (Debian's
# 6.12 LTS, the default) or the mainline base, named after its package.
MAINLINE_CONF=$REPO/patches/source.conf
MAINLINE=$(sed -n 's/^SOURCE_PACKAGE=linux-source-//p' "$MAINLINE_CONF")
BASE=${BASE:-6.12}
BASES=$( (echo "$MAINLINE"; for c in "$REPO"/stable/*/source.conf; do
	[ -e "$c" ] && basename "$(dirname "$c")"; done) | sort -V | tr '\n' ' ')
case " $BASES " in
*" $BASE "*) ;;
*) printf 'error: unknown BASE %s: one of %s\n' "$BASE" "$BASES" >&2; exit 1 ;;
esac
# SERIES_HOME: where the series of $BASE and its new files live;
# SOURCE_CONF: the record of the Debian source package it is built on.
if [ "$BASE" = "$MAINLINE" ]; then
	SERIES_HOME=$REPO
	SOURCE_CONF=$MAINLINE_CONF
	SERIES_PREFIX=PATCH
else
	SERIES_HOME=$REPO/stable/$BASE
	SOURCE_CONF=$SERIES_HOME/source.conf
	SERIES_PREFIX="PATCH $BASE"
fi
SERIES_DIR=$SERIES_HOME/patches
SOURCE_POOL_PATH= SOURCE_SHA256=
# shellcheck source=../stable/6.12/source.conf
. "$SOURCE_CONF"
SOURCE_TARBALL=$SOURCE_PACKAGE.tar.xz

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

# The folders that hold whole new kernel files at their kernel path.
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

# A hash of everything the new kernel files of $BASE are made from.
new_files_hash() {
	# shellcheck disable=SC2086
	(cd "$REPO" && content_hash $NEW_FILE_DIRS)
	[ "$BASE" = "$MAINLINE" ] ||
		# shellcheck disable=SC2086
		(cd "$SERIES_HOME" && content_hash $NEW_FILE_DIRS backport.diff)
}

# The folder that holds the new kernel files of $BASE at their kernel
# path (see NEW_FILE_DIRS). For the mainline series it is the repo; for
# a backport it is made in the cache: the mainline files, the
# backport's own files over them, then its backport.diff applied.
new_files_dir() {
	[ "$BASE" = "$MAINLINE" ] && { echo "$REPO"; return; }
	local dir=$TREE/new-files key
	key=$(new_files_hash)
	if [ "$(cat "$dir.key" 2>/dev/null)" != "$key" ]; then
		rm -rf "$dir" "$dir.key"
		mkdir -p "$dir"
		local d
		for d in $NEW_FILE_DIRS; do
			[ -d "$REPO/$d" ] && cp -a "$REPO/$d" "$dir/"
			[ -d "$SERIES_HOME/$d" ] && cp -a "$SERIES_HOME/$d" "$dir/"
		done
		if [ -f "$SERIES_HOME/backport.diff" ]; then
			# No fuzz: a hunk that lands elsewhere is a wrong backport.
			patch -d "$dir" -p1 -s -f --fuzz=0 --no-backup-if-mismatch \
				< "$SERIES_HOME/backport.diff" >&2 ||
				die "stable/$BASE/backport.diff no longer applies to the mainline series' files: refresh it by hand (diff -u of each changed mainline file against its $BASE version)"
		fi
		echo "$key" > "$dir.key"
	fi
	echo "$dir"
}

# The Debian archive (its URI) that the machine's apt configuration
# uses for the first of the given suites it lists. Every archive address
# comes from there, so that a mirror or proxy set up for apt serves the
# build too.
apt_archive() {	# SUITE...
	local s uri
	for s in "$@"; do
		# shellcheck disable=SC2016
		uri=$(apt-get indextargets --no-release-info 'Identifier: Packages' \
			--format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
			awk -v s="$s" '$2 == s { print $1; exit }')
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	die "apt lists none of the suites $* in its sources: add the Debian archive (or your mirror of it) for them to /etc/apt/sources.list.d/"
}

# The host's own Debian release (bookworm), whose archive also holds
# the guests' packages.
host_suite() {
	(. /etc/os-release && echo "${VERSION_CODENAME:?}")
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
