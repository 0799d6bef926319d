#!/bin/sh
# A CLCD whose memory-region is the system's default CMA area: no heap
# of it is the display's, udev hands none of it to group video, and the
# display works from it as before.
. /opt/pl111-heaps/bin/tap.sh

DEV=10020000.clcd
echo "# heaps: $(heap_list)"
tap_check "pl111 bound to clcd@10020000" \
	test -e /sys/bus/amba/drivers/drm-clcd-pl111/$DEV
tap_check "the CLCD links no heap" test ! -e /sys/bus/amba/devices/$DEV/dma_heaps
suite pl111-default-cma pl111-default-cma
tap_check "modetest sets 1024x768 on pl111" modetest-show modetest 1024x768
tap_check "udev starts" start-udev
for h in $(ls /dev/dma_heap); do
	tap_check "$h stays root's ($(stat -c %U:%G:%a "/dev/dma_heap/$h"))" \
		test "$(stat -c %U:%G:%a "/dev/dma_heap/$h")" = root:root:600
done
