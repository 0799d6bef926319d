#!/bin/sh
# The CLCD's pool tagged linux,cma-heap too: a heap from boot, still one
# heap once pl111 publishes it, and now linked from the CLCD.
. /opt/pl111-heaps/bin/tap.sh

tap_check "heaps are clcd-pool clcd-pool-uncached reserved system ($(heap_list))" \
	test "$(heap_list)" = "clcd-pool clcd-pool-uncached reserved system "
tap_check "the CLCD links the tagged heap since pl111 published it" \
	test "$(readlink -f /sys/bus/amba/devices/10020000.clcd/dma_heaps/clcd-pool)" = \
		/sys/devices/virtual/dma_heap/clcd-pool
tap_check "no heap was registered twice" \
	sh -c '! dmesg | grep -q "Already registered heap"'
suite dmabuf-heap dmabuf-heap
