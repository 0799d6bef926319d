#!/bin/sh
# The stock Cortex-A15 board: pl111 on its 8 MiB no-map video RAM,
# published as the write-combined heap vram@18000000-uncached: the
# display tests on that heap, its page attributes and bad input.
. /opt/pl111-heaps/bin/tap.sh

HEAP=vram@18000000-uncached
echo "# heaps: $(ls /dev/dma_heap | tr '\n' ' ')"
# The kernel's selftest holds 32 MiB at once and imports into vgem:
# neither fits a no-map pool of 8 MiB, which only its CLCD can import.
tap_skip "dmabuf-heap selftest on $HEAP" "it holds 32 MiB at once; the pool has 8 MiB"
suite pl111-carveout pl111-carveout

# Refusals are logged in the DRM driver debug category. The mode is
# small enough that the console's buffer and three frames fit in 8 MiB.
echo 0x02 > /sys/module/drm/parameters/debug
PL111_SIZE=640x480 suite "pl111-import $HEAP" pl111-import -v write_combined
echo 0 > /sys/module/drm/parameters/debug

HEAP=$HEAP suite "wc-mapping $HEAP" heap-wc-mapping
HEAP=$HEAP suite "bad-input $HEAP" heap-bad-input
HEAP=$HEAP suite "unbound $HEAP" heap-unbound
# The reserve of an 8 MiB pool is 2 MiB: enough for the console after a
# rebind, not for a new 1024x768 XRGB8888 frame beside it.
suite pl111-reserve pl111-reserve -t a_drained_pool_lets_the_display_bind_again

# The console's buffer comes from the same pool, which the tests took to
# ENOMEM: it must still show (judged on the host).
echo "pl111-heaps: the console after the pool ran out" > /dev/tty1
sleep 1
vexpress-screenshot console
