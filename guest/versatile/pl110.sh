#!/bin/sh
# The PL110 of QEMU's versatilepb, whose clock divider works (unlike the
# Versatile Express CLCD's): pl111 registers the divider at probe and
# devm unregisters it at unbind. The private data holding the divider
# and the DRM device must outlive both that and the last close of the
# card, in whichever order they come.
. /tap.sh

DRV=/sys/bus/amba/drivers/drm-clcd-pl111
CLK=/sys/kernel/debug/clk/clk_summary
DEV=
for d in "$DRV"/*; do
	[ -L "$d" ] && [ -e "$d/driver" ] && DEV=${d##*/}
done

divider() { grep -q pl111_div "$CLK"; }
no_divider() { ! grep -q pl111_div "$CLK"; }
bound() { test -e "$DRV/$DEV" -a -e /dev/dri/card0; }
unbound() { test ! -e "$DRV/$DEV" -a ! -e /dev/dri/card0; }

tap_check "pl111 is bound to the PL110 (${DEV:-none})" test -n "$DEV"
tap_check "the card is there" bound
tap_check "pl111 registered its clock divider" divider

echo "$DEV" > "$DRV/unbind"
tap_check "unbound with the card closed" unbound
tap_check "the divider is unregistered at unbind" no_divider

echo "$DEV" > "$DRV/bind"
tap_check "bound again" bound
tap_check "the divider is registered again" divider

exec 3</dev/dri/card0
echo "$DEV" > "$DRV/unbind"
tap_check "unbound while a process holds the card open" unbound
tap_check "the divider is unregistered with the card still open" no_divider
exec 3<&-
sleep 1

echo "$DEV" > "$DRV/bind"
tap_check "bound again after the last close" bound
tap_check "the divider is registered once more" divider
