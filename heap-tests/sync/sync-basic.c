// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's sync_file selftest (tools/testing/selftests/sync) on the
 * tests' CONFIG_SW_SYNC timelines: its allocation, wait and merge tests,
 * each in a child as its own runner does. Its three stress tests are
 * left out: under KASAN on QEMU's TCG each runs for minutes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "sync/synctest.h"

static void run(int (*test)(void), const char *name)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		exit(test());
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		ksft_test_result_fail("%s: could not run it\n", name);
		return;
	}
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status), "%s\n", name);
}

#define RUN(test) run(test, #test)

int main(void)
{
	struct stat st;

	ksft_print_header();
	if (stat("/sys/kernel/debug/sync/sw_sync", &st))
		ksft_exit_skip("no /sys/kernel/debug/sync/sw_sync: build with CONFIG_SW_SYNC and mount debugfs\n");
	ksft_set_plan(7);
	RUN(test_alloc_timeline);
	RUN(test_alloc_fence);
	RUN(test_alloc_fence_negative);
	RUN(test_fence_one_timeline_wait);
	RUN(test_fence_one_timeline_merge);
	RUN(test_fence_merge_same_fence);
	RUN(test_fence_multi_timeline_wait);
	ksft_finished();
}
