#!/bin/sh
# Tagged regions become heaps named after their node; an untagged one
# stays private; a tagged carveout is refused with a boot message.
. /opt/pl111-heaps/bin/tap.sh

tap_check "heaps are camera-pool reserved system video-pool ($(heap_list))" \
	test "$(heap_list)" = "camera-pool reserved system video-pool "
tap_check "the untagged private-pool is no heap" test ! -e /dev/dma_heap/private-pool
tap_check "the tagged carveout is refused with a boot message" \
	sh -c 'dmesg | grep -q "carveout@9f000000: linux,cma-heap needs a reusable shared-dma-pool"'
tap_check "tagged heaps are linked from no device" \
	sh -c '! ls -d /sys/bus/*/devices/*/dma_heap >/dev/null 2>&1'

suite dmabuf-heap dmabuf-heap
for h in $(ls /dev/dma_heap); do
	HEAP=$h suite "bad-input $h" heap-bad-input
done
