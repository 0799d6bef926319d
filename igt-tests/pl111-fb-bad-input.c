// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input on buffers imported from the PL111's own heap: a
 * framebuffer whose pitch, offset or height reaches past the end of
 * the dma-buf, a zero or unknown format, a modifier, a GEM handle of
 * another file, and PRIME fds that are no dma-buf or already closed.
 * Each gets its errno, and every dma-buf and pool page is given back.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "display.h"
#include "kselftest_harness.h"

#define W 640
#define H 480
#define PITCH (W * 4)

FIXTURE(fb) {
	int fd;
	char heap[64];
	int dmabuf;
	uint32_t handle;
	int dmabufs_before;
	long used_before;
};

FIXTURE_SETUP(fb)
{
	int heap_fd;

	self->dmabuf = -1;
	self->fd = open_pl111();
	ASSERT_GE(self->fd, 0) TH_LOG("no pl111 DRM device: is pl111_drm loaded?");
	if (display_heap(self->fd, self->heap, sizeof(self->heap)))
		SKIP(return, "the PL111 has no heap of its own");
	self->dmabufs_before = dmabuf_count();
	self->used_before = cma_used_pages(self->heap);
	heap_fd = heap_open(self->heap);
	ASSERT_GE(heap_fd, 0);
	self->dmabuf = heap_alloc(heap_fd, PITCH * H);
	close(heap_fd);
	ASSERT_GE(self->dmabuf, 0);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->fd, self->dmabuf, &self->handle));
}

FIXTURE_TEARDOWN(fb)
{
	if (self->handle)
		drmCloseBufferHandle(self->fd, self->handle);
	if (self->dmabuf >= 0)
		close(self->dmabuf);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dmabuf >= 0) {
		EXPECT_EQ(self->dmabufs_before, dmabuf_count())
			TH_LOG("a dma-buf outlived the test");
		EXPECT_EQ(self->used_before, cma_used_pages(self->heap))
			TH_LOG("pool pages were not given back");
	}
}

/* ADDFB2 of one plane on HANDLE: the framebuffer id, or -errno. */
static int add_fb(int fd, uint32_t handle, uint32_t w, uint32_t h,
		  uint32_t format, uint32_t pitch, uint32_t offset)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch };
	uint32_t offsets[4] = { offset }, id;

	if (drmModeAddFB2(fd, w, h, format, handles, pitches, offsets, &id, 0))
		return -errno;
	drmModeRmFB(fd, id);
	return id;
}

TEST_F(fb, a_fitting_framebuffer_is_added)
{
	EXPECT_LT(0, add_fb(self->fd, self->handle, W, H, DRM_FORMAT_XRGB8888, PITCH, 0));
}

TEST_F(fb, pitch_past_the_end_is_refused)
{
	EXPECT_EQ(-EINVAL, add_fb(self->fd, self->handle, W, H,
				  DRM_FORMAT_XRGB8888, PITCH * 2, 0));
}

TEST_F(fb, offset_past_the_end_is_refused)
{
	EXPECT_EQ(-EINVAL, add_fb(self->fd, self->handle, W, H,
				  DRM_FORMAT_XRGB8888, PITCH, PITCH));
}

TEST_F(fb, height_past_the_end_is_refused)
{
	EXPECT_EQ(-EINVAL, add_fb(self->fd, self->handle, W, H + 1,
				  DRM_FORMAT_XRGB8888, PITCH, 0));
}

TEST_F(fb, pitch_below_a_line_is_refused)
{
	EXPECT_EQ(-EINVAL, add_fb(self->fd, self->handle, W, H,
				  DRM_FORMAT_XRGB8888, PITCH - 4, 0));
}

TEST_F(fb, zero_format_is_refused)
{
	EXPECT_EQ(-EINVAL, add_fb(self->fd, self->handle, W, H, 0, PITCH, 0));
}

TEST_F(fb, format_the_plane_lacks_is_refused)
{
	/* A real format, and one the CLCD cannot scan out */
	EXPECT_EQ(-EINVAL, add_fb(self->fd, self->handle, W, H,
				  DRM_FORMAT_NV12, W, 0));
}

TEST_F(fb, a_modifier_is_refused)
{
	uint32_t handles[4] = { self->handle }, pitches[4] = { PITCH };
	uint32_t offsets[4] = { 0 }, id;
	uint64_t modifiers[4] = { DRM_FORMAT_MOD_ARM_AFBC(AFBC_FORMAT_MOD_BLOCK_SIZE_16x16) };

	EXPECT_NE(0, drmModeAddFB2WithModifiers(self->fd, W, H, DRM_FORMAT_XRGB8888,
						handles, pitches, offsets, modifiers,
						&id, DRM_MODE_FB_MODIFIERS));
	EXPECT_EQ(EINVAL, errno);
}

/* A dumb buffer's GEM handle on FD: 0 or -errno. */
static int dumb_handle(int fd, uint32_t *handle)
{
	struct drm_mode_create_dumb dumb = { .width = W, .height = H, .bpp = 32 };

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	*handle = dumb.handle;
	return 0;
}

TEST_F(fb, a_handle_of_another_file_is_refused)
{
	int other = open_driver("pl111");
	uint32_t first, theirs;

	ASSERT_GE(other, 0);
	/* Handles count from 1 in each file: take one this file lacks */
	ASSERT_EQ(0, dumb_handle(other, &first));
	theirs = first;
	if (theirs == self->handle)
		ASSERT_EQ(0, dumb_handle(other, &theirs));
	EXPECT_EQ(-ENOENT, add_fb(self->fd, theirs, W, H, DRM_FORMAT_XRGB8888, PITCH, 0));
	close(other);
}

TEST_F(fb, a_fd_that_is_no_dma_buf_is_refused)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	uint32_t handle;

	ASSERT_GE(efd, 0);
	EXPECT_NE(0, drmPrimeFDToHandle(self->fd, efd, &handle));
	EXPECT_EQ(EINVAL, errno);
	close(efd);
}

TEST_F(fb, a_closed_fd_is_refused)
{
	int fd = dup(self->dmabuf);
	uint32_t handle;

	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_NE(0, drmPrimeFDToHandle(self->fd, fd, &handle));
	EXPECT_EQ(EBADF, errno);
}

TEST_HARNESS_MAIN
