// SPDX-License-Identifier: GPL-2.0
/*
 * A display that no heap user can starve: another process takes every
 * heap of the PL111's pool to ENOMEM and keeps what it took. The screen
 * must keep its frame, the display must still set its mode again with a
 * new framebuffer, and after an unbind it must bind again with its
 * console, from the reserve pl111 keeps out of the heaps' reach.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drmMode.h>

#include "display.h"
#include "kselftest_harness.h"

#define MAX_HOG_BUFFERS 4000

struct hog {
	pid_t pid;
	int go;			/* closing it lets the hog go */
	long bytes;		/* what it took */
};

/*
 * Fork a process that allocates from every heap DEV links until each
 * refuses (1 MiB pieces, then 64 KiB, then 4 KiB, for the gaps), keeps
 * it all, and lets go when told. A CMA allocation can fail for a moment
 * while a page in its way is still on its way back (on a per-CPU list,
 * or being migrated): a size counts as refused after ten failures in a
 * row, a little apart.
 */
static int hog_start(struct hog *h, const char *dev)
{
	int ready[2], go[2];

	if (pipe(ready) || pipe(go))
		return -errno;
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (!h->pid) {
		static const size_t sizes[] = { 1 << 20, 64 << 10, 4 << 10 };
		struct rlimit lim = { MAX_HOG_BUFFERS + 64, MAX_HOG_BUFFERS + 64 };
		char path[256];
		struct dirent *e;
		long bytes = 0;
		int n = 0, fails, fd;
		unsigned int i;
		DIR *d;
		char c;

		/* Nothing of the display's: a file of it would hold its
		 * bridge across the rebind the test makes. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != ready[1] && fd != go[0])
				close(fd);
		setrlimit(RLIMIT_NOFILE, &lim);
		snprintf(path, sizeof(path), "/sys/bus/amba/devices/%s/dma_heaps", dev);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || (fd = heap_open(e->d_name)) < 0)
				continue;
			for (i = 0; i < 3; i++)
				for (fails = 0; fails < 10 && n < MAX_HOG_BUFFERS;) {
					if (heap_alloc(fd, sizes[i]) < 0) {
						fails++;
						usleep(20000);
						continue;
					}
					fails = 0;
					bytes += sizes[i];
					n++;
				}
			close(fd);
		}
		if (d)
			closedir(d);
		if (write(ready[1], &bytes, sizeof(bytes)) != sizeof(bytes))
			_exit(1);
		/* go[1] was closed above with the rest */
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);	/* every buffer goes with the process */
	}
	close(ready[1]);
	close(go[0]);
	h->go = go[1];
	if (read(ready[0], &h->bytes, sizeof(h->bytes)) != sizeof(h->bytes))
		h->bytes = -1;
	close(ready[0]);
	return 0;
}

static void hog_stop(struct hog *h)
{
	int status;

	if (h->pid <= 0)
		return;
	close(h->go);
	waitpid(h->pid, &status, 0);
	h->pid = 0;
}

/* The console is registered as fb0 by pl111 within a few seconds. */
static int console_is_back(void)
{
	char name[32] = "";
	int i, fd;

	for (i = 0; i < 50; i++) {
		fd = open("/sys/class/graphics/fb0/name", O_RDONLY);
		if (fd >= 0) {
			ssize_t n = read(fd, name, sizeof(name) - 1);

			close(fd);
			if (n > 0 && !strncmp(name, "pl111drmfb", 10))
				return 1;
		}
		usleep(100000);
	}
	return 0;
}

FIXTURE(reserve) {
	struct output out;
	char dev[64];
	char heap[64];
	struct hog hog;
	long used_before;
};

FIXTURE_SETUP(reserve)
{
	int fd = open_pl111();

	self->out.fd = -1;
	self->hog.pid = 0;
	ASSERT_GE(fd, 0) TH_LOG("no pl111 DRM device: is pl111_drm loaded?");
	ASSERT_EQ(0, drm_parent_name(fd, self->dev, sizeof(self->dev)));
	if (display_heap(fd, self->heap, sizeof(self->heap))) {
		close(fd);
		SKIP(return, "the PL111 has no heap of its own");
	}
	ASSERT_EQ(0, output_init(&self->out, fd, 0, 0));
	self->used_before = cma_used_pages(self->heap);
}

FIXTURE_TEARDOWN(reserve)
{
	hog_stop(&self->hog);
	if (self->out.fd >= 0) {
		output_show(&self->out, 0, 0);
		output_fini(&self->out);
		close(self->out.fd);
	}
	/* The pool has all its pages back, the console's among them. */
	EXPECT_EQ(self->used_before, cma_used_pages(self->heap));
}

TEST_F(reserve, a_drained_pool_keeps_the_screen_and_the_mode)
{
	int w = self->out.mode.hdisplay, h = self->out.mode.vdisplay;
	struct heap_fb first, second;
	struct screen shot;

	ASSERT_EQ(0, dumb_fb_create(&first, &self->out, DRM_FORMAT_XRGB8888));
	heap_fb_fill(&first, 3);
	ASSERT_EQ(0, output_show(&self->out, first.fb_id, 0));

	ASSERT_EQ(0, hog_start(&self->hog, self->dev));
	ASSERT_GT(self->hog.bytes, 0) TH_LOG("the other process took nothing");
	TH_LOG("the other process holds %ld KiB of the display's heaps; the pool has %ld pages in use",
	       self->hog.bytes >> 10, cma_used_pages(self->heap));
	EXPECT_EQ(-ENOMEM, import_heap_buffer(self->out.fd, self->heap, 4096))
		TH_LOG("the heap still gives memory: it was not drained (%ld pages in use)",
		       cma_used_pages(self->heap));

	ASSERT_EQ(0, screen_grab(&shot, "drained"));
	EXPECT_EQ(0, screen_mismatches(&shot, 3, w, h, 8)) TH_LOG("the frame on screen changed");
	screen_free(&shot);

	/* The mode set again, on a new framebuffer from the reserve */
	ASSERT_EQ(0, dumb_fb_create(&second, &self->out, DRM_FORMAT_XRGB8888));
	heap_fb_fill(&second, 4);
	EXPECT_EQ(0, output_show(&self->out, second.fb_id, 0));
	ASSERT_EQ(0, screen_grab(&shot, "drained-new-frame"));
	EXPECT_EQ(0, screen_mismatches(&shot, 4, w, h, 8)) TH_LOG("the new frame is not shown");
	screen_free(&shot);

	EXPECT_EQ(0, output_show(&self->out, 0, 0));
	heap_fb_destroy(&second, &self->out);
	heap_fb_destroy(&first, &self->out);
}

TEST_F(reserve, a_drained_pool_lets_the_display_bind_again)
{
	ASSERT_EQ(0, hog_start(&self->hog, self->dev));
	ASSERT_GT(self->hog.bytes, 0);

	output_fini(&self->out);
	close(self->out.fd);
	self->out.fd = -1;
	ASSERT_EQ(0, pl111_bind(self->dev, 0));
	ASSERT_EQ(0, pl111_bind(self->dev, 1));
	EXPECT_TRUE(console_is_back()) TH_LOG("no fbdev console after the rebind");

	self->out.fd = open_pl111();
	ASSERT_GE(self->out.fd, 0);
	ASSERT_EQ(0, output_init(&self->out, self->out.fd, 0, 0));

	/* Once the pool has room again, a rebind takes the console's frame
	 * from it again: the teardown finds every page where it was. */
	hog_stop(&self->hog);
	output_fini(&self->out);
	close(self->out.fd);
	self->out.fd = -1;
	ASSERT_EQ(0, pl111_bind(self->dev, 0));
	ASSERT_EQ(0, pl111_bind(self->dev, 1));
	EXPECT_TRUE(console_is_back());
	self->out.fd = open_pl111();
	ASSERT_GE(self->out.fd, 0);
	ASSERT_EQ(0, output_init(&self->out, self->out.fd, 0, 0));
}

TEST_HARNESS_MAIN
