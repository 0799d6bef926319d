/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the display tests that only need the pl111 DRM device
 * open: PL111_FIXTURE(name) defines FIXTURE(name), whose self->fd is
 * that device, with its setup and teardown.
 */
#ifndef PL111_FIXTURE_H
#define PL111_FIXTURE_H

#include <unistd.h>

#include "display.h"
#include "kselftest_harness.h"

#define PL111_FIXTURE(name)						\
	FIXTURE(name) {							\
		int fd;							\
	};								\
									\
	FIXTURE_SETUP(name)						\
	{								\
		self->fd = open_pl111();			\
		ASSERT_GE(self->fd, 0)					\
			TH_LOG("no pl111 DRM device: is pl111_drm loaded?"); \
	}								\
									\
	FIXTURE_TEARDOWN(name)						\
	{								\
		if (self->fd >= 0)					\
			close(self->fd);				\
	}

#endif
