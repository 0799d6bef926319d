# TAP helpers for the guest test scripts (sourced). Every check prints
# one "ok"/"not ok" line; suite runs a TAP-speaking program between
# markers the host's harness reads.

TAP_N=0

# The kernel's base, 6.12 or 7.2, where the expectations differ: 7.2
# makes a heap of every reusable region itself, and of the default area
# twice (as default_cma_region and under its own name).
KBASE=$(uname -r | cut -d. -f1,2)

tap_result() {	# STATUS DESCRIPTION [DIRECTIVE]
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N $2${3:+ # $3}"
	else
		echo "not ok $TAP_N $2${3:+ # $3}"
	fi
}

tap_check() {	# DESCRIPTION COMMAND [ARGS...]
	desc=$1
	shift
	"$@"
	tap_result $? "$desc"
}

tap_skip() {	# DESCRIPTION REASON
	tap_result 0 "$1" "SKIP $2"
}

# Run a TAP-speaking program as its own suite.
suite() {	# NAME COMMAND [ARGS...]
	name=$1
	shift
	echo "## begin $name"
	"$@"
	rc=$?
	echo "## end $name rc=$rc"
	return $rc
}

# The heaps in /dev/dma_heap, sorted, on one line.
heap_list() {
	ls /dev/dma_heap | sort | tr '\n' ' '
}

# The DRM card node driven by DRIVER (never assume a card number).
drm_card_of() {	# DRIVER
	for c in /sys/class/drm/card[0-9]; do
		[ "$(basename "$(readlink "$c/device/driver")")" = "$1" ] &&
			{ echo "/dev/dri/$(basename "$c")"; return 0; }
	done
	return 1
}
