// SPDX-License-Identifier: GPL-2.0
/*
 * Bad allocation requests to one dma-buf heap, named by HEAP=<name>:
 * each gets a clear error, nothing is truncated, and the heap's CMA
 * area has exactly as many pages in use afterwards as before.
 *
 * CmaFree in /proc/meminfo must not drop for a request that fails
 * outright. It may rise: pages freed earlier (by a previous test, or by
 * the tests here that allocate and free on purpose, which only check
 * the area's own count) wait in per-CPU lists, out of CmaFree's sight,
 * until they are drained back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#include "kms.h"
#include "kselftest_harness.h"

#define MAX_BUFFERS 1024

static int raw_alloc(int heap_fd, uint64_t len, uint32_t fd_flags,
		      uint64_t heap_flags, int *buf_fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	*buf_fd = data.fd;
	return 0;
}

/* Pages in use, and in all, in the heap's CMA area (-1: not CMA). */
static long area_pages(const char *heap, const char *what)
{
	char path[256], area[128];

	heap_region(heap, area, sizeof(area));
	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/%s", area, what);
	return read_number(path, NULL);
}

static long cma_free_kb(void)
{
	return read_number("/proc/meminfo", "CmaFree:");
}

FIXTURE(heap) {
	const char *name;
	int fd;
	long used_before;
	long cma_free_before;
	bool allocates;		/* frees memory on purpose: skip CmaFree */
};

FIXTURE_SETUP(heap)
{
	char path[256];

	self->fd = -1;
	self->name = getenv("HEAP");
	if (!self->name)
		SKIP(return, "set HEAP to a heap in /dev/dma_heap");
	snprintf(path, sizeof(path), "/dev/dma_heap/%s", self->name);
	self->fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(self->fd, 0) TH_LOG("cannot open %s: %s", path, strerror(errno));
	self->used_before = area_pages(self->name, "used");
	self->cma_free_before = cma_free_kb();
}

FIXTURE_TEARDOWN(heap)
{
	if (self->used_before >= 0)
		EXPECT_EQ(self->used_before, area_pages(self->name, "used"))
			TH_LOG("the area lost pages to failed requests");
	if (self->cma_free_before >= 0 && !self->allocates)
		EXPECT_LE(self->cma_free_before, cma_free_kb())
			TH_LOG("CmaFree dropped for a request that failed");
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(heap, zero_length)
{
	int buf = -1;

	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, 0, O_RDWR, 0, &buf));
}

TEST_F(heap, length_beyond_size_t)
{
	int buf = -1;

	if (sizeof(size_t) > 4)
		SKIP(return, "a 64-bit size_t holds any length");
	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, (1ULL << 32) + 4096, O_RDWR, 0, &buf));
	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, 1ULL << 40, O_RDWR, 0, &buf));
}

TEST_F(heap, length_wraps_when_aligned)
{
	int buf = -1;

	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, UINT64_MAX, O_RDWR, 0, &buf));
	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, (uint64_t)SIZE_MAX, O_RDWR, 0, &buf));
}

TEST_F(heap, unknown_heap_flags)
{
	int buf = -1;

	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, 4096, O_RDWR, 1ULL << 63, &buf));
}

TEST_F(heap, unknown_fd_flags)
{
	int buf = -1;

	EXPECT_EQ(-EINVAL, raw_alloc(self->fd, 4096, O_RDWR | O_TRUNC, 0, &buf));
}

TEST_F(heap, fd_field_must_be_zero)
{
	struct dma_heap_allocation_data data = {
		.len = 4096, .fd = 5, .fd_flags = O_RDWR,
	};

	EXPECT_EQ(-1, ioctl(self->fd, DMA_HEAP_IOCTL_ALLOC, &data));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * A private mapping of a write-combined buffer would take copies on
 * write that no device sees: it is refused.
 */
TEST_F(heap, private_mapping_of_a_write_combined_buffer)
{
	int buf = -1;

	if (!heap_is_wc(self->name))
		SKIP(return, "%s is not a write-combined heap", self->name);
	self->allocates = true;
	ASSERT_EQ(0, raw_alloc(self->fd, 4096, O_RDWR, 0, &buf));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, buf, 0));
	EXPECT_EQ(EINVAL, errno);
	close(buf);
}

/* A buffer asked for read-only cannot be mapped for writing. */
TEST_F(heap, read_only_buffer_is_not_mapped_writable)
{
	void *map;
	int buf = -1;

	self->allocates = true;
	ASSERT_EQ(0, raw_alloc(self->fd, 4096, O_RDONLY | O_CLOEXEC, 0, &buf));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0));
	EXPECT_EQ(EACCES, errno);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, buf, 0);
	EXPECT_NE(MAP_FAILED, map);
	if (map != MAP_FAILED) {
		EXPECT_EQ(-1, mprotect(map, 4096, PROT_READ | PROT_WRITE));
		munmap(map, 4096);
	}
	close(buf);
}

/* An odd length is rounded up to whole pages, never down. */
TEST_F(heap, odd_length_rounds_up)
{
	int buf = -1;

	self->allocates = true;
	ASSERT_EQ(0, raw_alloc(self->fd, 4097, O_RDWR, 0, &buf));
	EXPECT_EQ(8192, lseek(buf, 0, SEEK_END));
	close(buf);
}

TEST_F(heap, larger_than_area)
{
	long count = area_pages(self->name, "count");
	int buf = -1;

	if (count < 0)
		SKIP(return, "%s is not a CMA heap", self->name);
	EXPECT_EQ(-ENOMEM, raw_alloc(self->fd, (uint64_t)(count + 1) * 4096,
				      O_RDWR, 0, &buf));
}

/* Fill the area to the last megabyte: the next request fails cleanly. */
TEST_F(heap, exhausted_area)
{
	static int bufs[MAX_BUFFERS];
	long count = area_pages(self->name, "count");
	int n = 0, ret = 0, i;

	if (count < 0)
		SKIP(return, "%s is not a CMA heap", self->name);
	self->allocates = true;
	while (n < MAX_BUFFERS) {
		ret = raw_alloc(self->fd, 1 << 20, O_RDWR, 0, &bufs[n]);
		if (ret)
			break;
		n++;
	}
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_GT(n, 0);
	EXPECT_LE((long)n * 256, count);
	for (i = 0; i < n; i++)
		close(bufs[i]);
}

TEST_HARNESS_MAIN
