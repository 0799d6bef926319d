#!/bin/sh
# Tagged regions become heaps named after their node; an untagged one
# stays private; a tagged carveout is refused with a boot message.
. /opt/pl111-heaps/bin/tap.sh

tap_check "heaps are camera-pool reserved system video-pool ($(heap_list))" \
	test "$(heap_list)" = "camera-pool reserved system video-pool "
tap_check "the untagged private-pool is no heap" test ! -e /dev/dma_heap/private-pool
tap_check "the tagged carveout is refused with a boot message" \
	sh -c 'dmesg | grep -q "carveout@9f000000: linux,cma-heap needs a reusable shared-dma-pool"'
tap_check "tagged heaps belong to no device" \
	test ! -e /sys/class/dma_heap/camera-pool/device -a ! -e /sys/class/dma_heap/video-pool/device

suite dmabuf-heap dmabuf-heap
for h in $(ls /dev/dma_heap); do
	HEAP=$h suite "bad-input $h" heap-bad-input
done
