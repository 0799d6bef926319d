// SPDX-License-Identifier: GPL-2.0
/*
 * PL111 zero-copy import: buffers from the display's own heaps, the
 * write-combined one and the cached one (one variant each), are
 * imported, shown and flipped without a copy; buffers from anywhere
 * else are refused with EINVAL, and nothing leaks either way.
 *
 * PL111_SIZE=WxH sets the mode (default 1024x768): the pool must hold
 * a few frames of it besides the console's.
 *
 * Each test is one subtest that IGT's kms_prime/prime_* tests would
 * hold; they run on the kernel's kselftest harness (IGT is not
 * packaged for armhf).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "display.h"
#include "kselftest_harness.h"

#define WIDTH self->width
#define HEIGHT self->height
#define MAX_BUFFERS 256

FIXTURE(pl111) {
	struct output out;
	int width, height;
	char dev[64];
	char heap[64];
	int heap_fd;
	long used_before;
	int dmabufs_before;
};

FIXTURE_VARIANT(pl111) {
	enum heap_kind kind;
};

FIXTURE_VARIANT_ADD(pl111, write_combined) {
	.kind = HEAP_WRITE_COMBINED,
};

FIXTURE_VARIANT_ADD(pl111, cached) {
	.kind = HEAP_CACHED,
};

FIXTURE_SETUP(pl111)
{
	const char *size = getenv("PL111_SIZE");
	int fd = open_pl111();

	self->heap_fd = -1;
	self->out.fd = -1;
	if (!size || sscanf(size, "%dx%d", &self->width, &self->height) != 2) {
		self->width = 1024;
		self->height = 768;
	}
	ASSERT_GE(fd, 0) TH_LOG("no pl111 DRM device: is pl111_drm loaded?");
	ASSERT_EQ(0, drm_parent_name(fd, self->dev, sizeof(self->dev)));
	ASSERT_EQ(0, output_init(&self->out, fd, WIDTH, HEIGHT));
	if (device_heap(fd, variant->kind, self->heap, sizeof(self->heap)))
		SKIP(return, "the PL111 has no %s heap of its own",
		     variant->kind == HEAP_CACHED ? "cached" : "write-combined");
	self->heap_fd = heap_open(self->heap);
	ASSERT_GE(self->heap_fd, 0);
	self->used_before = cma_used_pages(self->heap);
	self->dmabufs_before = dmabuf_count();
}

FIXTURE_TEARDOWN(pl111)
{
	if (self->out.fd >= 0) {
		output_fini(&self->out);
		close(self->out.fd);
	}
	if (self->heap_fd >= 0) {
		close(self->heap_fd);
		/* Every buffer a test made is gone, and its pages with it. */
		EXPECT_EQ(self->dmabufs_before, dmabuf_count());
		EXPECT_EQ(self->used_before, cma_used_pages(self->heap));
	}
}

static void show_format(struct __test_metadata *_metadata,
			FIXTURE_DATA(pl111) *self, uint32_t format)
{
	struct heap_fb fb;

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, format));
	ASSERT_EQ(0, heap_fb_paint(&fb, 1));
	EXPECT_EQ(0, output_show(&self->out, fb.fb_id, 0));
	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	heap_fb_destroy(&fb, &self->out);
}

TEST_F(pl111, heap_is_found_from_the_drm_device)
{
	char path[128];

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", self->heap);
	EXPECT_EQ(0, access(path, R_OK));
}

/*
 * An imported buffer is mapped through its exporter only: the card
 * would map it with its own attributes, which need not be the buffer's.
 */
TEST_F(pl111, an_imported_buffer_is_not_mapped_through_the_card)
{
	struct drm_mode_map_dumb map = { 0 };
	int buf = heap_alloc(self->heap_fd, 1 << 20);

	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->out.fd, buf, &map.handle));
	EXPECT_EQ(-1, drmIoctl(self->out.fd, DRM_IOCTL_MODE_MAP_DUMB, &map));
	EXPECT_EQ(EINVAL, errno);
	drmCloseBufferHandle(self->out.fd, map.handle);
	close(buf);
}

TEST_F(pl111, import_addfb_commit_xrgb8888)
{
	show_format(_metadata, self, DRM_FORMAT_XRGB8888);
}

TEST_F(pl111, import_addfb_commit_rgb565)
{
	show_format(_metadata, self, DRM_FORMAT_RGB565);
}

/*
 * The screen shows what the CPU writes into the heap buffer after the
 * commit, with no further commit: the CLCD reads the buffer itself.
 */
TEST_F(pl111, scanout_is_zero_copy)
{
	struct screen before, after;
	struct heap_fb fb;

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, heap_fb_paint(&fb, 2));
	ASSERT_EQ(0, output_show(&self->out, fb.fb_id, 0));
	ASSERT_EQ(0, screen_grab(&before, "zero-copy-before"));
	EXPECT_EQ(0, screen_mismatches(&before, 2, WIDTH, HEIGHT, 8));

	ASSERT_EQ(0, heap_fb_paint(&fb, 5));
	ASSERT_EQ(0, screen_grab(&after, "zero-copy-after"));
	EXPECT_EQ(0, screen_mismatches(&after, 5, WIDTH, HEIGHT, 8));

	screen_free(&before);
	screen_free(&after);
	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	heap_fb_destroy(&fb, &self->out);
}

TEST_F(pl111, page_flips_between_heap_buffers)
{
	struct heap_fb fb[2];
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, heap_fb_create(&fb[i], &self->out, self->heap_fd,
					    DRM_FORMAT_XRGB8888));
		ASSERT_EQ(0, heap_fb_paint(&fb[i], i));
	}
	ASSERT_EQ(0, output_show(&self->out, fb[0].fb_id, 0));
	for (i = 1; i <= 20; i++) {
		ASSERT_EQ(0, output_show(&self->out, fb[i % 2].fb_id,
					 DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT));
		ASSERT_EQ(0, output_wait_flip(&self->out, 1000));
	}
	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	for (i = 0; i < 2; i++)
		heap_fb_destroy(&fb[i], &self->out);
}

TEST_F(pl111, system_heap_buffer_is_refused)
{
	EXPECT_EQ(-EINVAL, import_heap_buffer(self->out.fd, "system", WIDTH * HEIGHT * 4));
	EXPECT_TRUE(kernel_log_has("refusing a dma-buf from system"));
}

TEST_F(pl111, default_cma_buffer_is_refused)
{
	EXPECT_EQ(-EINVAL, import_heap_buffer(self->out.fd, "reserved", WIDTH * HEIGHT * 4));
	EXPECT_TRUE(kernel_log_has("lies outside the CLCD's pool"));
}

TEST_F(pl111, vgem_buffer_is_refused)
{
	EXPECT_EQ(-EINVAL, import_vgem_buffer(self->out.fd, WIDTH, HEIGHT));
}

/*
 * Another device may import the heap's buffers only where it can reach
 * them: pages of a CMA pool, yes; memory of a no-map pool, which may
 * have no struct page, is refused at attach.
 */
TEST_F(pl111, foreign_device_import_follows_the_pool)
{
	int cma = cma_used_pages(self->heap) >= 0;

	EXPECT_EQ(cma ? 0 : -EINVAL, import_heap_buffer_into_vgem(self->heap, 1 << 20));
	if (!cma)
		EXPECT_TRUE(kernel_log_has("cannot import from dma-buf heap"));
}

/*
 * Take the pool to ENOMEM with a frame on screen: the allocator gets
 * ENOMEM, the frame stays on screen, and once the memory is back a new
 * frame is allocated, imported and shown.
 */
TEST_F(pl111, exhausted_pool_keeps_the_screen)
{
	static int bufs[MAX_BUFFERS];
	struct screen shot;
	struct heap_fb fb;
	int n = 0, ret = 0, i;

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, heap_fb_paint(&fb, 8));
	ASSERT_EQ(0, output_show(&self->out, fb.fb_id, 0));
	while (n < MAX_BUFFERS) {
		ret = heap_alloc(self->heap_fd, 1 << 20);
		if (ret < 0)
			break;
		bufs[n++] = ret;
	}
	EXPECT_EQ(-ENOMEM, ret);
	ASSERT_EQ(0, screen_grab(&shot, "exhausted"));
	EXPECT_EQ(0, screen_mismatches(&shot, 8, WIDTH, HEIGHT, 8));
	screen_free(&shot);
	for (i = 0; i < n; i++)
		close(bufs[i]);
	heap_fb_destroy(&fb, &self->out);

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, heap_fb_paint(&fb, 9));
	EXPECT_EQ(0, output_show(&self->out, fb.fb_id, 0));
	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	heap_fb_destroy(&fb, &self->out);
}

/* The framebuffer keeps the buffer alive after userspace lets go. */
TEST_F(pl111, close_dmabuf_before_rmfb)
{
	struct heap_fb fb;

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, heap_fb_paint(&fb, 3));
	ASSERT_EQ(0, output_show(&self->out, fb.fb_id, 0));
	munmap(fb.map, fb.size);
	fb.map = NULL;
	close(fb.dmabuf);
	fb.dmabuf = -1;
	drmCloseBufferHandle(self->out.fd, fb.handle);
	fb.handle = 0;
	EXPECT_EQ(0, output_show(&self->out, fb.fb_id,
				 DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT));
	EXPECT_EQ(0, output_wait_flip(&self->out, 1000));
	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	heap_fb_destroy(&fb, &self->out);
}

TEST_F(pl111, rmfb_before_close_dmabuf)
{
	struct heap_fb fb;

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, output_show(&self->out, fb.fb_id, 0));
	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	EXPECT_EQ(0, drmModeRmFB(self->out.fd, fb.fb_id));
	fb.fb_id = 0;
	EXPECT_EQ(0, heap_fb_paint(&fb, 4));
	heap_fb_destroy(&fb, &self->out);
}

/*
 * Unbind pl111 while a heap buffer is imported and on screen, then
 * bind it again and use the heap with the new instance.
 */
TEST_F(pl111, unbind_with_buffer_on_screen)
{
	struct output again;
	struct heap_fb fb;
	char heap[64];
	int fd;

	ASSERT_EQ(0, heap_fb_create(&fb, &self->out, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, heap_fb_paint(&fb, 6));
	ASSERT_EQ(0, output_show(&self->out, fb.fb_id, 0));

	ASSERT_EQ(0, pl111_bind(self->dev, 0));
	/* The old device is gone: its ioctls fail, cleanly. */
	EXPECT_NE(0, output_show(&self->out, 0, 0));
	EXPECT_EQ(0, heap_fb_paint(&fb, 7));
	heap_fb_destroy(&fb, &self->out);
	output_fini(&self->out);
	close(self->out.fd);
	self->out.fd = -1;

	ASSERT_EQ(0, pl111_bind(self->dev, 1));
	fd = open_pl111();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, device_heap(fd, variant->kind, heap, sizeof(heap)));
	EXPECT_STREQ(self->heap, heap);
	ASSERT_EQ(0, output_init(&again, fd, WIDTH, HEIGHT));
	ASSERT_EQ(0, heap_fb_create(&fb, &again, self->heap_fd, DRM_FORMAT_XRGB8888));
	ASSERT_EQ(0, heap_fb_paint(&fb, 1));
	EXPECT_EQ(0, output_show(&again, fb.fb_id, 0));
	EXPECT_EQ(0, output_show(&again, 0, 0));
	heap_fb_destroy(&fb, &again);
	self->out = again;
}

/*
 * The same with a dumb buffer, allocated by pl111 from its pool: freed
 * after the unbind, it must go back to the pool (the fixture checks the
 * pool's pages once the driver is bound again).
 */
TEST_F(pl111, unbind_with_dumb_buffer_alive)
{
	struct drm_mode_create_dumb dumb = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 }, fb;

	ASSERT_EQ(0, drmIoctl(self->out.fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	handles[0] = dumb.handle;
	pitches[0] = dumb.pitch;
	ASSERT_EQ(0, drmModeAddFB2(self->out.fd, WIDTH, HEIGHT, DRM_FORMAT_XRGB8888,
				   handles, pitches, offsets, &fb, 0));
	ASSERT_EQ(0, output_show(&self->out, fb, 0));

	ASSERT_EQ(0, pl111_bind(self->dev, 0));
	output_fini(&self->out);
	close(self->out.fd);
	self->out.fd = -1;
	ASSERT_EQ(0, pl111_bind(self->dev, 1));
	self->out.fd = open_pl111();
	ASSERT_GE(self->out.fd, 0);
}

TEST_HARNESS_MAIN
