#!/bin/sh
# Baseline on the project's board: pl111 binds, every heap passes the
# kernel's dma-buf heap selftest, the sync_file selftest's tests (but
# its stress tests) pass on sw_sync timelines, modetest shows its pattern.
. /opt/pl111-heaps/bin/tap.sh

tap_check "pl111 bound to clcd@10020000" \
	test -e /sys/bus/amba/drivers/drm-clcd-pl111/10020000.clcd
card=$(drm_card_of drm-clcd-pl111)
tap_check "pl111 has a DRM card node (${card:-none})" test -c "$card"
echo "# heaps: $(ls /dev/dma_heap | tr '\n' ' ')"
grep -E 'Cma(Total|Free)' /proc/meminfo | sed 's/^/# /'

suite dmabuf-heap dmabuf-heap
suite sync sync-basic
tap_check "modetest sets 1024x768 on pl111" modetest-show modetest 1024x768
