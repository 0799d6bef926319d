// SPDX-License-Identifier: GPL-2.0
/*
 * A PL111 without a memory-region reaches all memory: it publishes no
 * heap and imports as it always did, here a contiguous buffer from the
 * default CMA heap, which a PL111 with a pool of its own refuses.
 */
#include <unistd.h>

#include "pl111_fixture.h"

PL111_FIXTURE(nopool)

TEST_F(nopool, no_heap_is_published)
{
	char name[64];

	EXPECT_EQ(-1, device_heap(self->fd, HEAP_WRITE_COMBINED, name, sizeof(name)));
	EXPECT_EQ(-1, device_heap(self->fd, HEAP_CACHED, name, sizeof(name)));
}

TEST_F(nopool, default_cma_buffer_is_imported)
{
	EXPECT_EQ(0, import_heap_buffer(self->fd, "reserved", 1 << 20));
}

TEST_HARNESS_MAIN
