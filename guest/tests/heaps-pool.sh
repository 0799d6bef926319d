#!/bin/sh
# The CLCD's untagged pool, published by pl111 (a module): one cached
# and one write-combined heap, found from the DRM device, surviving
# unbind, rebind and reload.
. /opt/pl111-heaps/bin/tap.sh

DEV=10020000.clcd
POOL_HEAPS="clcd-pool clcd-pool-uncached "
DEFAULT_HEAPS="reserved system"
[ "$KBASE" = 6.12 ] || DEFAULT_HEAPS="default_cma_region $DEFAULT_HEAPS"
HEAPS="clcd-pool clcd-pool-uncached $DEFAULT_HEAPS "
DRV=/sys/bus/amba/drivers/drm-clcd-pl111

heaps_of_card() {	# the heaps under the pl111 card's device, by sysfs only
	card=$(drm_card_of drm-clcd-pl111) || return 1
	ls "/sys/class/drm/${card##*/}/device/dma_heaps" 2>/dev/null | sort | tr '\n' ' '
}
link_ok() {	# the CLCD's links lead to its heaps' class devices
	for h in $POOL_HEAPS; do
		[ "$(readlink -f /sys/bus/amba/devices/$DEV/dma_heaps/$h)" = \
			/sys/devices/virtual/dma_heap/$h ] || return 1
	done
}
linked_from_none() {	# no device links any of the heaps named
	for h in "$@"; do
		! ls -d /sys/bus/*/devices/*/dma_heaps/"$h" >/dev/null 2>&1 || return 1
	done
}

tap_check "pl111 is a module and is loaded" sh -c 'lsmod | grep -q "^pl111_drm "'
if [ -e "/lib/modules/$(uname -r)/kernel/drivers/dma-buf/heaps/cma_heap.ko" ]; then
	# The guest booted without loading the heap modules: pl111 probed
	# first, so only its write-combined heap can be linked yet.
	tap_check "before the CMA heap module loads, the card links only clcd-pool-uncached ($(heaps_of_card))" \
		test "$(heaps_of_card)" = "clcd-pool-uncached "
	modprobe -a system_heap cma_heap
	tap_check "loading the CMA heap module after pl111 links clcd-pool ($(heaps_of_card))" \
		test "$(heaps_of_card)" = "$POOL_HEAPS"
else
	tap_skip "the CMA heap module loads after pl111" "the CMA heap is built in"
fi
tap_check "heaps are $HEAPS($(heap_list))" \
	test "$(heap_list)" = "$HEAPS"
tap_check "the card's device leads to its heaps ($(heaps_of_card))" \
	test "$(heaps_of_card)" = "$POOL_HEAPS"
tap_check "$DEV/dma_heaps/clcd-pool{,-uncached} lead to the heaps" link_ok
tap_check "the default and system heaps are linked from no device" \
	linked_from_none $DEFAULT_HEAPS
tap_check "the heaps' own devices stay under /sys/devices/virtual" \
	test "$(readlink -f /sys/class/dma_heap/clcd-pool)" = /sys/devices/virtual/dma_heap/clcd-pool

echo $DEV > $DRV/unbind
tap_check "after unbind the CLCD links no heap" test ! -e /sys/bus/amba/devices/$DEV/dma_heaps
tap_check "after unbind the heaps stay, with their device nodes" \
	sh -c 'for h in clcd-pool clcd-pool-uncached; do
		test -e /sys/class/dma_heap/$h/dev -a -c /dev/dma_heap/$h || exit 1; done'
tap_check "after unbind the cached heap still allocates" \
	sh -c 'HEAP=clcd-pool heap-bad-input -r heap.odd_length_rounds_up >/dev/null'
echo $DEV > $DRV/bind
tap_check "after rebind pl111 is bound again" test -e $DRV/$DEV
tap_check "after rebind still one clcd-pool heap ($(heap_list))" \
	test "$(heap_list)" = "$HEAPS"
tap_check "after rebind the card leads to its heaps again" \
	test "$(heaps_of_card)" = "$POOL_HEAPS"
tap_check "after rebind the links lead to the same heaps" link_ok

rmmod pl111_drm && modprobe pl111_drm
tap_check "after reloading the module pl111 is bound" test -e $DRV/$DEV
tap_check "after reloading still one clcd-pool heap ($(heap_list))" \
	test "$(heap_list)" = "$HEAPS"
tap_check "no heap was registered twice" \
	sh -c '! dmesg | grep -q "Already registered heap"'

for h in $(ls /dev/dma_heap); do
	HEAP=$h suite "bad-input $h" heap-bad-input
done

HEAP=clcd-pool-uncached suite "wc-mapping clcd-pool-uncached" heap-wc-mapping
HEAP=clcd-pool-uncached suite "unbound clcd-pool-uncached" heap-unbound
