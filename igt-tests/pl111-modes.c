// SPDX-License-Identifier: GPL-2.0
/*
 * Modes the CLCD's timing registers cannot hold are refused by an
 * atomic check, with EINVAL, instead of being cut to their low bits and
 * programmed: a width that is not a multiple of 16, sync pulses and
 * porches longer than their fields, line doubling, interlacing, and the
 * overflowing totals of IGT's kms_invalid_mode overflow-vrefresh. A
 * VESA mode the registers do hold is accepted. Nothing reaches the
 * screen: every commit is TEST_ONLY.
 */
#include <errno.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "display.h"
#include "kselftest_harness.h"

/* VESA 1024x768 at 60 Hz: every field within its register. */
static drmModeModeInfo vesa_1024x768(void)
{
	drmModeModeInfo m = {
		.clock = 65000,
		.hdisplay = 1024, .hsync_start = 1048, .hsync_end = 1184, .htotal = 1344,
		.vdisplay = 768, .vsync_start = 771, .vsync_end = 777, .vtotal = 806,
		.vrefresh = 60,
		.flags = DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC,
		.type = DRM_MODE_TYPE_USERDEF,
		.name = "1024x768",
	};

	return m;
}

FIXTURE(modes) {
	struct output out;
};

FIXTURE_SETUP(modes)
{
	int fd = open_pl111();

	self->out.fd = -1;
	ASSERT_GE(fd, 0) TH_LOG("no pl111 DRM device: is pl111_drm loaded?");
	ASSERT_EQ(0, output_init(&self->out, fd, 1024, 768));
}

FIXTURE_TEARDOWN(modes)
{
	if (self->out.fd >= 0) {
		output_fini(&self->out);
		close(self->out.fd);
	}
}

/* TEST_ONLY commit of MODE with a dumb buffer of its size: 0 or -errno. */
static int try_mode(struct output *out, const drmModeModeInfo *mode)
{
	struct heap_fb fb;
	int ret;

	ret = output_set_mode(out, mode);
	if (ret)
		return ret;
	ret = dumb_fb_create(&fb, out, DRM_FORMAT_XRGB8888);
	if (!ret)
		ret = output_show(out, fb.fb_id, DRM_MODE_ATOMIC_TEST_ONLY);
	heap_fb_destroy(&fb, out);
	return ret;
}

TEST_F(modes, vesa_mode_is_accepted)
{
	drmModeModeInfo m = vesa_1024x768();

	EXPECT_EQ(0, try_mode(&self->out, &m));
}

TEST_F(modes, width_not_a_multiple_of_16_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.hdisplay = 1000;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, hsync_wider_than_256_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.hsync_end = m.hsync_start + 257;
	m.htotal = m.hsync_end + 100;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, horizontal_back_porch_over_256_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.htotal = m.hsync_end + 257;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, vsync_wider_than_64_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.vsync_end = m.vsync_start + 65;
	m.vtotal = m.vsync_end + 29;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, vertical_back_porch_over_255_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.vtotal = m.vsync_end + 256;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, overflowing_totals_are_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	/* kms_invalid_mode's overflow-vrefresh */
	m.htotal = 32768;
	m.vtotal = 32768;
	m.vscan = 4;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, line_doubling_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.vscan = 2;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_F(modes, interlacing_is_refused)
{
	drmModeModeInfo m = vesa_1024x768();

	m.flags |= DRM_MODE_FLAG_INTERLACE;
	EXPECT_EQ(-EINVAL, try_mode(&self->out, &m));
}

TEST_HARNESS_MAIN
