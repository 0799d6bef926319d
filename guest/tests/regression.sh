#!/bin/sh
# Display tests that run on any kernel, patched or not: libdrm's own
# test programs, modetest and kmscube on the PL111, and the kernel's
# dma-buf heap selftest. Their results on the unpatched base are kept
# in tests/regression-base/<base>.txt; nothing that passes there may fail on
# the series.
. /opt/pl111-heaps/bin/tap.sh

card=$(drm_card_of drm-clcd-pl111)
if [ "$KBASE" = 6.12 ]; then
	tap_check "drmdevice lists the DRM devices" sh -c 'drmdevice > /out/drmdevice.log 2>&1'
else
	# vgem sits on the faux bus since 6.15 and pl111 on amba: bookworm's
	# libdrm (2.4.114) knows neither, and drmGetDevices2() finds nothing.
	tap_skip "drmdevice lists the DRM devices" "bookworm's libdrm does not know 7.2's faux bus"
fi
tap_check "modeprint reads pl111's modes" sh -c 'modeprint pl111 > /out/modeprint.log 2>&1'
tap_check "proptest lists pl111's properties" sh -c 'proptest -M pl111 > /out/proptest.log 2>&1'
tap_check "modetest lists pl111's connectors" sh -c 'modetest -M pl111 -c | grep -q connected'
tap_check "modetest sets 1024x768" modetest-show regression-modetest 1024x768
tap_check "modetest sets 800x600" modetest-show regression-modetest-800 800x600
tap_check "vbltest reads pl111's vblank counter" \
	sh -c 'timeout 5 vbltest -M pl111 > /out/vbltest.log 2>&1; grep -q "starting count" /out/vbltest.log'
# kmscube stops at the first input on stdin: give it a pipe that stays
# silent. Its screenshots are taken a few seconds after its first frame
# is up, and twice more 6 s apart: llvmpipe's first frames, for a time
# that varies with the host's load, hold the clear colour only.
mkfifo /tmp/kmscube.in
kmscube -D "$card" -c 300 < /tmp/kmscube.in > /out/kmscube.log 2>&1 &
pid=$!
exec 3> /tmp/kmscube.in
wait-fb kmscube
fb=$?
shot=-
if [ $fb = 0 ]; then
	for n in 1 2 3; do
		sleep 6
		vexpress-screenshot kmscube-$n
		shot=$?
	done
fi
echo "# kmscube: wait-fb exited $fb, vexpress-screenshot $shot"
wait $pid
rc=$?
exec 3>&-
tap_check "kmscube renders 300 frames for pl111 (llvmpipe)" \
	sh -c "[ $rc = 0 ] && grep -q 'Rendered 299 frames' /out/kmscube.log"
# The screenshot itself is judged on the host (it must show the cube).
tap_result $fb "kmscube's frames are on pl111's screen"
suite dmabuf-heap dmabuf-heap
