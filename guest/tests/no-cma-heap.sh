#!/bin/sh
# The series built with CONFIG_DMABUF_HEAPS_CMA and
# CONFIG_DMABUF_HEAPS_DEV_WC off: pl111 builds on the
# stubs, binds, publishes nothing and still displays.
. /opt/pl111-heaps/bin/tap.sh

tap_check "pl111 bound to clcd@10020000" \
	test -e /sys/bus/amba/drivers/drm-clcd-pl111/10020000.clcd
tap_check "only the system heap exists ($(heap_list))" \
	test "$(heap_list)" = "system "
tap_check "pl111 says its pool is not shared" \
	sh -c 'dmesg | grep -q "is not shared: imports are refused"'
tap_check "modetest sets 1024x768 on pl111" modetest-show modetest 1024x768
