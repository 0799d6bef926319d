#!/bin/sh
# Display tests of the PL111 on its own heap (igt-tests/), with the
# DRM driver debug category on so that refusals are logged.
. /opt/pl111-heaps/bin/tap.sh

DEV=10020000.clcd
DRV=/sys/bus/amba/drivers/drm-clcd-pl111

node_access() {	# OWNER:GROUP:MODE of a heap's node
	stat -c %U:%G:%a "/dev/dma_heap/$1"
}
nodes_have() {	# ACCESS HEAP...: each heap's node has ACCESS
	want=$1
	shift
	for h in "$@"; do
		[ "$(node_access "$h")" = "$want" ] || return 1
	done
}

tap_check "udev starts" start-udev

# Access (udev/60-display-heaps.rules): the display's heaps are group
# video's, found through the display's links; every other heap stays
# root's, and an unprivileged member of video is refused it.
for h in $(ls /dev/dma_heap); do
	if [ -e /sys/bus/amba/devices/$DEV/dma_heaps/$h ]; then
		tap_check "$h, the display's, is read-write for group video ($(node_access "$h"))" \
			test "$(node_access "$h")" = root:video:660
		tap_check "an unprivileged member of video opens $h" \
			as-video-user sh -c ": < /dev/dma_heap/$h"
	else
		tap_check "$h, not the display's, stays root's ($(node_access "$h"))" \
			test "$(node_access "$h")" = root:root:600
		tap_check "an unprivileged member of video is refused $h with EACCES" \
			sh -c "as-video-user sh -c ': < /dev/dma_heap/$h' 2>&1 |
				grep -q 'Permission denied'"
	fi
done
heaps=$(ls /sys/bus/amba/devices/$DEV/dma_heaps)
echo $DEV > $DRV/unbind
udevadm settle
# shellcheck disable=SC2086
tap_check "after unbind the display's heaps are root's again" nodes_have root:root:600 $heaps
echo $DEV > $DRV/bind
udevadm settle
# shellcheck disable=SC2086
tap_check "after rebind they are group video's again" nodes_have root:video:660 $heaps

# The rule for a rebind: the old card's encoder keeps the display
# bridge until its last file is closed, so a bind while one is still
# open fails with EBUSY; once it is closed, the bind succeeds.
card=$(drm_card_of drm-clcd-pl111)
exec 3<>"$card"
echo $DEV > $DRV/unbind
tap_check "a bind while the old card is still open fails with EBUSY" \
	sh -c "sh -c 'echo $DEV > $DRV/bind' 2>&1 | grep -q 'Device or resource busy'"
exec 3>&-
tap_check "once the old card is closed, the bind succeeds" \
	sh -c "echo $DEV > $DRV/bind"
udevadm settle

# The display tests that need no privilege run as that user.
suite "pl111-modes (unprivileged)" as-video-user pl111-modes

echo 0x02 > /sys/module/drm/parameters/debug
suite pl111-import pl111-import
suite pl111-fb-bad-input pl111-fb-bad-input
suite pl111-reserve pl111-reserve
echo 0 > /sys/module/drm/parameters/debug
