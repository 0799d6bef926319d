// SPDX-License-Identifier: GPL-2.0
/*
 * A PL111 on a no-map carveout (the stock Cortex-A15 board's
 * motherboard CLCD and its 8 MiB of video RAM): it still displays,
 * publishes the carveout as a write-combined heap only (it is not CMA,
 * so there is no cached heap), says so once, and refuses foreign
 * imports. pl111-import runs on that heap too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "pl111_fixture.h"

PL111_FIXTURE(carveout)

TEST_F(carveout, only_a_write_combined_heap_is_published)
{
	char name[64];

	EXPECT_EQ(-1, device_heap(self->fd, HEAP_CACHED, name, sizeof(name)));
	EXPECT_NE(0, access("/dev/dma_heap/vram@18000000", F_OK));
	ASSERT_EQ(0, device_heap(self->fd, HEAP_WRITE_COMBINED, name, sizeof(name)));
	EXPECT_STREQ("vram@18000000-uncached", name);
	EXPECT_EQ(0, access("/dev/dma_heap/vram@18000000-uncached", R_OK));
}

/*
 * The heap is announced once; that the pool is no CMA pool is no mistake,
 * and is not logged at every probe.
 */
TEST_F(carveout, says_so_once)
{
	EXPECT_EQ(0, system("test $(dmesg | grep -c 'is the dma-buf heap vram@18000000-uncached') = 1"));
	EXPECT_EQ(0, system("test $(dmesg | grep -c 'vram@18000000 is not a CMA pool') = 0"));
}

/*
 * Memory of the no-map pool lies outside RAM and has no struct page:
 * no scatterlist can describe a dumb buffer there. An importer that
 * maps it at import (vgem on 6.12) is refused with ENXIO, and nothing
 * warns; one that only attaches (vgem on 7.2 imports without
 * mapping) may take it, and never gets such a scatterlist.
 */
TEST_F(carveout, dumb_buffer_is_not_mapped_for_another_device)
{
	struct drm_mode_create_dumb dumb = { .width = 640, .height = 480, .bpp = 32 };
	int vgem = open_driver("vgem"), buf = -1;
	uint32_t handle;

	ASSERT_GE(vgem, 0) TH_LOG("no vgem device: is vgem loaded?");
	ASSERT_EQ(0, drmIoctl(self->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->fd, dumb.handle, DRM_CLOEXEC, &buf));
	if (drmPrimeFDToHandle(vgem, buf, &handle)) {
		EXPECT_EQ(ENXIO, errno) TH_LOG("vgem's import failed with %s", strerror(errno));
	} else {
		drmCloseBufferHandle(vgem, handle);
	}
	close(buf);
	drmCloseBufferHandle(self->fd, dumb.handle);
	close(vgem);
}

TEST_F(carveout, dumb_buffer_scans_out)
{
	struct drm_mode_create_dumb dumb = { .bpp = 32 };
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0}, fb;
	drmModeConnectorPtr conn;
	drmModeResPtr res = drmModeGetResources(self->fd);
	struct output out;

	ASSERT_TRUE(res != NULL);
	conn = drmModeGetConnector(self->fd, res->connectors[0]);
	ASSERT_TRUE(conn != NULL);
	ASSERT_GT(conn->count_modes, 0);
	dumb.width = conn->modes[0].hdisplay;
	dumb.height = conn->modes[0].vdisplay;
	ASSERT_EQ(0, output_init(&out, self->fd, dumb.width, dumb.height));
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);

	ASSERT_EQ(0, drmIoctl(self->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	handles[0] = dumb.handle;
	pitches[0] = dumb.pitch;
	ASSERT_EQ(0, drmModeAddFB2(self->fd, dumb.width, dumb.height, DRM_FORMAT_XRGB8888,
				   handles, pitches, offsets, &fb, 0));
	EXPECT_EQ(0, output_show(&out, fb, 0));
	EXPECT_EQ(0, output_show(&out, 0, 0));
	drmModeRmFB(self->fd, fb);
	drmCloseBufferHandle(self->fd, dumb.handle);
	output_fini(&out);
}

TEST_F(carveout, system_heap_buffer_is_refused)
{
	EXPECT_EQ(-EINVAL, import_heap_buffer(self->fd, "system", 1 << 20));
}

TEST_F(carveout, default_cma_buffer_is_refused)
{
	EXPECT_EQ(-EINVAL, import_heap_buffer(self->fd, "reserved", 1 << 20));
}

TEST_F(carveout, vgem_buffer_is_refused)
{
	EXPECT_EQ(-EINVAL, import_vgem_buffer(self->fd, 640, 480));
}

TEST_HARNESS_MAIN
