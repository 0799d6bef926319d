#!/bin/sh
# Display tests of the PL111 on its own heap (igt-tests/), with the
# DRM driver debug category on so that refusals are logged.
. /opt/pl111-heaps/bin/tap.sh

echo 0x02 > /sys/module/drm/parameters/debug
suite pl111-import pl111-import
suite pl111-modes pl111-modes
suite pl111-fb-bad-input pl111-fb-bad-input
echo 0 > /sys/module/drm/parameters/debug
