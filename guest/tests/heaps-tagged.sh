#!/bin/sh
# The CLCD's pool tagged linux,cma-heap too: a heap from boot, still one
# heap once pl111 publishes it, and now shown under the CLCD.
. /opt/pl111-heaps/bin/tap.sh

tap_check "heaps are clcd-pool clcd-pool-uncached reserved system ($(heap_list))" \
	test "$(heap_list)" = "clcd-pool clcd-pool-uncached reserved system "
tap_check "the tagged heap moved under the CLCD when pl111 published it" \
	test "$(basename "$(readlink -f /sys/class/dma_heap/clcd-pool/device)")" = 10020000.clcd
tap_check "no heap was registered twice" \
	sh -c '! dmesg | grep -q "Already registered heap"'
suite dmabuf-heap dmabuf-heap
