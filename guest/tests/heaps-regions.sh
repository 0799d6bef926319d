#!/bin/sh
# 6.12: tagged regions become heaps named after their node; an untagged
# one stays private; a tagged carveout is refused with a boot message.
# 7.2: every reusable region is a heap, tag or not; a carveout is none.
. /opt/pl111-heaps/bin/tap.sh

if [ "$KBASE" = 6.12 ]; then
	want="camera-pool reserved system video-pool "
else
	want="camera-pool default_cma_region private-pool reserved system video-pool "
fi
tap_check "heaps are $want($(heap_list))" test "$(heap_list)" = "$want"
if [ "$KBASE" = 6.12 ]; then
	tap_check "the untagged private-pool is no heap" test ! -e /dev/dma_heap/private-pool
	tap_check "the tagged carveout is refused with a boot message" \
		sh -c 'dmesg | grep -q "carveout@9f000000: linux,cma-heap needs a reusable shared-dma-pool"'
else
	tap_check "the carveout is no heap" sh -c '! ls /dev/dma_heap | grep -q carveout'
fi
tap_check "tagged heaps are linked from no device" \
	sh -c '! ls -d /sys/bus/*/devices/*/dma_heap >/dev/null 2>&1'

suite dmabuf-heap dmabuf-heap
for h in $(ls /dev/dma_heap); do
	HEAP=$h suite "bad-input $h" heap-bad-input
done
