#!/bin/sh
# The harness's own check: a warning in the kernel's log, followed by
# more than the defconfig's 16 KiB of log, must still end the run as one
# that logged a splat (tools/vexpress-run exits 125). Boot with
# printk.devkmsg=on, or /dev/kmsg drops all but the first lines.
echo "<4>WARNING: planted by splat-check.sh: the harness must see it" > /dev/kmsg
i=0
while [ $i -lt 400 ]; do
	echo "<6>splat-check: line $i of the log after the warning, to push it past 16 KiB" > /dev/kmsg
	i=$((i + 1))
done
echo "ok 1 planted a warning and 400 lines after it"
