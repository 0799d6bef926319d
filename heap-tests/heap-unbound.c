// SPDX-License-Identifier: GPL-2.0
/*
 * A write-combined heap, named by HEAP=<region>-uncached, makes new
 * buffers only while its device has a driver: while it has none, it
 * refuses them with ENODEV, and the buffers made before stay usable by
 * everyone else (they can be mapped again, and a CMA pool's can be
 * imported into another device) and are freed cleanly. Once the driver
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

#include <xf86drm.h>

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

	snprintf(pattern, sizeof(pattern), "/sys/bus/*/devices/*/dma_heaps/%s", heap);
	if (glob(pattern, 0, NULL, &g))
		return -1;
	if (g.gl_pathc == 1) {
		/* .../devices/<dev>/dma_heaps/<heap> */
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

/* The heap's pool is CMA memory, which other devices can import. */
static int heap_has_pages(const char *heap)
{
	char area[128], path[256];

	heap_region(heap, area, sizeof(area));
	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s", area);
	return access(path, F_OK) == 0;
}

TEST_F(unbound, new_buffers_only_while_bound)
{
	unsigned char *map, *again;
	uint32_t handle;
	int before, buf, vgem;

	before = heap_alloc(self->heap_fd, BUF_SIZE);
	ASSERT_GE(before, 0);
	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, before, 0);
	ASSERT_NE(MAP_FAILED, map);

	ASSERT_EQ(0, write_driver(self->drv, "unbind", self->dev));
	self->unbound = 1;
	EXPECT_EQ(-ENODEV, heap_alloc(self->heap_fd, BUF_SIZE));
	/* The buffer made before maps again, onto the same memory. */
	again = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, before, 0);
	ASSERT_NE(MAP_FAILED, again) TH_LOG("mmap: %s", strerror(errno));
	memset(map, 0xa5, BUF_SIZE);
	EXPECT_EQ(0xa5, again[BUF_SIZE - 1]);
	munmap(again, BUF_SIZE);
	/* Another device still imports it, where the pool allows any. */
	vgem = open_driver("vgem");
	ASSERT_GE(vgem, 0) TH_LOG("no vgem device: is vgem loaded?");
	if (heap_has_pages(self->heap)) {
		EXPECT_EQ(0, drmPrimeFDToHandle(vgem, before, &handle))
			TH_LOG("vgem refused the buffer: %s", strerror(errno));
	} else {
		EXPECT_NE(0, drmPrimeFDToHandle(vgem, before, &handle));
		EXPECT_EQ(EINVAL, errno);
	}
	close(vgem);
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
