#!/bin/sh
# The random stress (pl111-stress) for SECONDS, from SEED if given, then
# proof that it gave everything back: every dma-buf, every page of every
# CMA area, CmaFree. The kernel log and kmemleak's final scan are the
# host's to judge.
# usage: stress.sh SECONDS [SEED]
. /opt/pl111-heaps/bin/tap.sh

seconds=${1:-60}
seed=${2:+-s $2}

dmabufs() {
	sed -n 's/^Total \([0-9]*\) objects.*/\1/p' /sys/kernel/debug/dma_buf/bufinfo
}
areas_used() {	# "area=pages" for every CMA area
	for a in /sys/kernel/debug/cma/*/; do
		a=${a%/}
		echo "${a##*/}=$(cat "$a/used")"
	done | tr '\n' ' '
}
cma_free_kb() {
	echo 3 > /proc/sys/vm/drop_caches
	sed -n 's/^CmaFree: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

dmabufs_before=$(dmabufs)
used_before=$(areas_used)
free_before=$(cma_free_kb)

# shellcheck disable=SC2086
pl111-stress -t "$seconds" $seed > /out/stress.log 2>&1
rc=$?
cat /out/stress.log
tap_result $rc "pl111-stress ran $seconds s with no failed operation ($(sed -n 's/.*seed \([0-9]*\),.*/seed \1/p' /out/stress.log | head -1))"
tap_check "pl111 is bound again at the end" \
	test -e /sys/bus/amba/drivers/drm-clcd-pl111/10020000.clcd
tap_check "pl111 was reloaded during the run" \
	grep -Eq 'reload +[1-9][0-9]* done +0 refused +0 failed' /out/stress.log
tap_check "every dma-buf was given back ($dmabufs_before before, $(dmabufs) after)" \
	test "$(dmabufs)" = "$dmabufs_before"
tap_check "every CMA area has its pages back ($used_before-> $(areas_used))" \
	test "$(areas_used)" = "$used_before"
free_after=$(cma_free_kb)
tap_check "CmaFree is back within 1 MiB, the page cache may borrow CMA pages ($free_before kB before, $free_after kB after)" \
	test "$free_after" -ge $((free_before - 1024))
