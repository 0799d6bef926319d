#!/bin/sh
# The stock Cortex-A15 board: pl111 on a no-map carveout.
. /opt/pl111-heaps/bin/tap.sh

echo "# heaps: $(ls /dev/dma_heap | tr '\n' ' ')"
suite pl111-carveout pl111-carveout
