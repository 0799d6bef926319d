#!/bin/sh
# The kiosk on this board, run as an unprivileged member of group video
# (as-video-user): the path it takes, and its frames on screen.
# usage: kiosk.sh [zero-copy|copy], the path the kiosk must take: with
# the board's pool it must draw in the pool's write-combined heap; on a
# board without one it must fall back to dumb buffers and say so.
. /opt/pl111-heaps/bin/tap.sh

img=/opt/pl111-heaps/share/demo.ppm
# The access to the display that udev grants a member of group video.
tap_check "udev starts" start-udev
case ${1:-zero-copy} in
zero-copy) want="zero-copy from heap clcd-pool-uncached (write-combined)" ;;
*) want=$1 ;;
esac
as-video-user kiosk -i $img -n 60 -x 'vexpress-screenshot kiosk-xrgb8888' > /out/kiosk.log 2>&1
tap_result $? "kiosk shows 60 XRGB8888 frames"
cat /out/kiosk.log
tap_check "kiosk takes the $want path" grep -q "path: $want" /out/kiosk.log
as-video-user kiosk -i $img -n 60 -f RGB565 -b 2 -x 'vexpress-screenshot kiosk-rgb565' > /out/kiosk565.log 2>&1
tap_result $? "kiosk shows 60 RGB565 frames from 2 buffers"
cat /out/kiosk565.log
kiosk -i /nonexistent.ppm -n 1 > /out/kiosk-bad.log 2>&1
rc=$?
tap_check "kiosk refuses a missing image with a clear message" \
	sh -c "[ $rc != 0 ] && grep -q 'cannot open /nonexistent.ppm' /out/kiosk-bad.log"

# Without a pool of its own the CLCD imports as it always did.
if [ "$1" = copy ]; then
	suite pl111-nopool pl111-nopool
fi

# The benchmark is not a test: run it briefly to see that it works.
if [ "$1" = zero-copy ]; then
	pl111-bench -n 3 -s 320x240,1024x768 -o /out/bench.csv > /out/bench.log 2>&1
	rc=$?
	cat /out/bench.log
	tap_check "pl111-bench measures every path (3 frames each)" \
		sh -c "[ $rc = 0 ] && grep -q '^1024x768' /out/bench.log && [ \$(wc -l < /out/bench.csv) = 67 ]"
fi
