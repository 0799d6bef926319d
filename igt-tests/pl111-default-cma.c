// SPDX-License-Identifier: GPL-2.0
/*
 * A PL111 whose memory-region is the system's default CMA area: that
 * area is everyone's, so the CLCD publishes and links no heap of it,
 * keeps no reserve in it, and refuses imports, as a CLCD with a
 * memory-region always did. Its own framebuffers still come from it.
 */
#include <errno.h>
#include <unistd.h>

#include "pl111_fixture.h"

PL111_FIXTURE(default_cma)

TEST_F(default_cma, no_heap_is_published_or_linked)
{
	char name[64];

	EXPECT_EQ(-1, device_heap(self->fd, HEAP_WRITE_COMBINED, name, sizeof(name)));
	EXPECT_EQ(-1, device_heap(self->fd, HEAP_CACHED, name, sizeof(name)));
	EXPECT_NE(0, access("/dev/dma_heap/linux,cma-uncached", F_OK));
}

TEST_F(default_cma, default_cma_buffer_is_refused)
{
	/* 7.2 names the default area's heap twice, 6.12 after its node */
	const char *heap = access("/dev/dma_heap/default_cma_region", F_OK) ?
			   "linux,cma" : "default_cma_region";

	EXPECT_EQ(-EINVAL, import_heap_buffer(self->fd, heap, 1 << 20));
}

TEST_F(default_cma, says_why)
{
	EXPECT_TRUE(kernel_log_has("the memory-region is the system's default CMA area"));
	EXPECT_FALSE(kernel_log_has("kept for the display's own framebuffers"));
}

TEST_HARNESS_MAIN
