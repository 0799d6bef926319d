#!/bin/sh
# A tagged region named "system" asks for a heap whose name the system
# heap already has: refused with a log line, not a sysfs warning, and
# every other heap is there.
. /opt/pl111-heaps/bin/tap.sh

if [ "$KBASE" = 6.12 ]; then
	want="clcd-pool clcd-pool-uncached reserved system "
else
	want="clcd-pool clcd-pool-uncached default_cma_region reserved system "
fi
tap_check "heaps are $want($(heap_list))" test "$(heap_list)" = "$want"
tap_check "the duplicate name is refused with a log line" \
	sh -c 'dmesg | grep -q "dma_heap: Already registered heap named system"'
if [ "$KBASE" = 6.12 ]; then
	tap_check "the region's heap is reported as not made" \
		sh -c 'dmesg | grep -q "cma_heap: no heap for a CMA area: -22"'
else
	tap_skip "the region's heap is reported as not made" \
		"7.2's CMA heap ends that warning without a newline: it stays in the printk buffer"
fi
tap_check "sysfs saw no duplicate heap device" \
	sh -c '! dmesg | grep -q "cannot create duplicate filename"'
tap_check "the system heap still allocates" \
	sh -c 'HEAP=system heap-bad-input -r heap.odd_length_rounds_up >/dev/null'
