// SPDX-License-Identifier: GPL-2.0
/*
 * A write-combined heap, named by HEAP=<region>-uncached, allocates
 * through its device's DMA API, which is torn down while the device has
 * no driver: then it refuses new buffers and mappings with ENODEV, and
 * buffers made before stay usable and are freed cleanly. Once the driver
 * is bound again, the heap allocates again.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kms.h"
#include "kselftest_harness.h"

#define BUF_SIZE (1 << 20)

/* Write DEV to the driver's bind or unbind file: 0 or -errno. */
static int write_driver(const char *drv, const char *what, const char *dev)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", drv, what);
	return write_sysfs(path, dev);
}

/*
 * The device that links HEAP from its sysfs directory, and its driver:
 * 0, or -1 if no device, or more than one, links it.
 */
static int heap_device(const char *heap, char *dev, size_t dev_size,
		       char *drv)
{
	char pattern[192], path[PATH_MAX];
	glob_t g;
	int ret = -1;

	snprintf(pattern, sizeof(pattern), "/sys/bus/*/devices/*/dma_heap/%s", heap);
	if (glob(pattern, 0, NULL, &g))
		return -1;
	if (g.gl_pathc == 1) {
		/* .../devices/<dev>/dma_heap/<heap> */
		*strrchr(g.gl_pathv[0], '/') = 0;
		*strrchr(g.gl_pathv[0], '/') = 0;
		snprintf(dev, dev_size, "%s", strrchr(g.gl_pathv[0], '/') + 1);
		snprintf(path, sizeof(path), "%s/driver", g.gl_pathv[0]);
		if (realpath(path, drv))
			ret = 0;
	}
	globfree(&g);
	return ret;
}

FIXTURE(unbound) {
	const char *heap;
	char dev[64];
	char drv[PATH_MAX];
	int heap_fd;
	int unbound;
};

FIXTURE_SETUP(unbound)
{
	self->heap_fd = -1;
	self->heap = getenv("HEAP");
	if (!self->heap || !heap_is_wc(self->heap))
		SKIP(return, "set HEAP to a write-combined (-uncached) heap");
	ASSERT_EQ(0, heap_device(self->heap, self->dev, sizeof(self->dev), self->drv))
		TH_LOG("no single bound device links %s", self->heap);
	self->heap_fd = heap_open(self->heap);
	ASSERT_GE(self->heap_fd, 0);
}

FIXTURE_TEARDOWN(unbound)
{
	if (self->unbound)
		EXPECT_EQ(0, write_driver(self->drv, "bind", self->dev));
	if (self->heap_fd >= 0)
		close(self->heap_fd);
}

TEST_F(unbound, allocates_only_while_bound)
{
	int before, buf;
	char *map;

	before = heap_alloc(self->heap_fd, BUF_SIZE);
	ASSERT_GE(before, 0);
	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, before, 0);
	ASSERT_NE(MAP_FAILED, map);

	ASSERT_EQ(0, write_driver(self->drv, "unbind", self->dev));
	self->unbound = 1;
	EXPECT_EQ(-ENODEV, heap_alloc(self->heap_fd, BUF_SIZE));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, before, 0));
	EXPECT_EQ(ENODEV, errno);
	/* The buffer made before is still there, and goes back cleanly. */
	memset(map, 0xa5, BUF_SIZE);
	EXPECT_EQ(0xa5, (unsigned char)map[BUF_SIZE - 1]);
	munmap(map, BUF_SIZE);
	close(before);

	ASSERT_EQ(0, write_driver(self->drv, "bind", self->dev));
	self->unbound = 0;
	buf = heap_alloc(self->heap_fd, BUF_SIZE);
	ASSERT_GE(buf, 0);
	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	EXPECT_NE(MAP_FAILED, map);
	if (map != MAP_FAILED)
		munmap(map, BUF_SIZE);
	close(buf);
}

TEST_HARNESS_MAIN
