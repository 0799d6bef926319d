// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the display tests; see display.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "display.h"

int open_pl111(void)
{
	int tries;

	/* 10 guest seconds, in steps of 50 ms. */
	for (tries = 0; tries < 200; tries++) {
		int fd = open_driver("pl111");

		if (fd < 0 || drmIsMaster(fd))
			return fd;
		close(fd);
		usleep(50 * 1000);
	}
	fprintf(stderr, "# the pl111 card still has another master after 10 s\n");
	return -1;
}

static int import_and_release(int drm_fd, int buf)
{
	uint32_t handle;
	int ret = drmPrimeFDToHandle(drm_fd, buf, &handle) ? -errno : 0;

	if (!ret)
		drmCloseBufferHandle(drm_fd, handle);
	close(buf);
	return ret;
}

int import_heap_buffer(int drm_fd, const char *heap, size_t len)
{
	int hfd = heap_open(heap), buf;

	if (hfd < 0)
		return -ENOENT;
	buf = heap_alloc(hfd, len);
	close(hfd);
	return buf < 0 ? buf : import_and_release(drm_fd, buf);
}

int import_heap_buffer_into_vgem(const char *heap, size_t len)
{
	int vgem = open_driver("vgem"), ret;

	if (vgem < 0)
		return -ENOENT;
	ret = import_heap_buffer(vgem, heap, len);
	close(vgem);
	return ret;
}

int import_vgem_buffer(int drm_fd, int width, int height)
{
	struct drm_mode_create_dumb dumb = {
		.width = width, .height = height, .bpp = 32,
	};
	int vgem = open_driver("vgem"), buf = -1, ret;

	if (vgem < 0)
		return -ENOENT;
	ret = drmIoctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb) ||
	      drmPrimeHandleToFD(vgem, dumb.handle, O_CLOEXEC, &buf) ? -errno : 0;
	close(vgem);
	return ret ? ret : import_and_release(drm_fd, buf);
}

long cma_used_pages(const char *heap)
{
	char path[256], area[128];

	heap_region(heap, area, sizeof(area));
	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/used", area);
	return read_number(path, NULL);
}

int dmabuf_count(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Total %d objects", &n) == 1)
			break;
	fclose(f);
	return n;
}

static const uint8_t palette[8][3] = {
	{ 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 0 },
	{ 0, 255, 255 }, { 255, 0, 255 }, { 255, 255, 255 }, { 0, 0, 0 },
};

void pattern_rgb(unsigned int seed, uint32_t x, uint32_t y, uint32_t w,
		 uint32_t h, uint8_t rgb[3])
{
	unsigned int band = x * 8 / w + (y >= h / 2 ? 3 : 0);

	memcpy(rgb, palette[(band + seed) % 8], 3);
}

void heap_fb_fill(struct heap_fb *fb, unsigned int seed)
{
	uint32_t x, y;
	uint8_t c[3];

	for (y = 0; y < fb->height; y++) {
		uint8_t *row = (uint8_t *)fb->map + (size_t)y * fb->stride;

		for (x = 0; x < fb->width; x++) {
			pattern_rgb(seed, x, y, fb->width, fb->height, c);
			if (fb->format == DRM_FORMAT_RGB565)
				((uint16_t *)row)[x] = (c[0] >> 3) << 11 |
						       (c[1] >> 2) << 5 | c[2] >> 3;
			else
				((uint32_t *)row)[x] = c[0] << 16 | c[1] << 8 | c[2];
		}
	}
}

int heap_fb_paint(struct heap_fb *fb, unsigned int seed)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE };

	if (ioctl(fb->dmabuf, DMA_BUF_IOCTL_SYNC, &sync))
		return -errno;
	heap_fb_fill(fb, seed);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE;
	return ioctl(fb->dmabuf, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int screen_grab(struct screen *s, const char *name)
{
	char cmd[128], path[128];
	int maxval, c;
	FILE *f;

	memset(s, 0, sizeof(*s));
	/* The host serves requests between its other work: ask twice. */
	snprintf(cmd, sizeof(cmd), "vexpress-screenshot %s", name);
	if (system(cmd) && system(cmd))
		return -EIO;
	snprintf(path, sizeof(path), "/out/shots/%s.ppm", name);
	f = fopen(path, "rb");
	if (!f)
		return -errno;
	if (fscanf(f, "P6 %d %d %d", &s->width, &s->height, &maxval) != 3 ||
	    maxval != 255 || (c = fgetc(f)) == EOF) {
		fclose(f);
		return -EINVAL;
	}
	s->rgb = malloc((size_t)s->width * s->height * 3);
	if (!s->rgb || fread(s->rgb, 3, (size_t)s->width * s->height, f) !=
	    (size_t)s->width * s->height) {
		fclose(f);
		screen_free(s);
		return -EIO;
	}
	fclose(f);
	return 0;
}

void screen_free(struct screen *s)
{
	free(s->rgb);
	s->rgb = NULL;
}

int screen_mismatches(const struct screen *s, unsigned int seed,
		      int width, int height, int tolerance)
{
	int x, y, k, bad = 0;
	uint8_t want[3];

	if (s->width != width || s->height != height)
		return -1;
	/* Sample away from band edges, where nothing can round either way. */
	for (y = height / 8; y < height; y += height / 4)
		for (x = width / 32; x < width; x += width / 16) {
			const uint8_t *got = s->rgb + ((size_t)y * width + x) * 3;

			pattern_rgb(seed, x, y, width, height, want);
			for (k = 0; k < 3; k++)
				if (abs(got[k] - want[k]) > tolerance) {
					bad++;
					break;
				}
		}
	return bad;
}

int kernel_log_has(const char *text)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int found;

	if (len <= 0)
		return 0;
	buf = calloc(1, len + 1);
	if (!buf)
		return 0;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	found = len > 0 && strstr(buf, text) != NULL;
	free(buf);
	return found;
}

int drm_parent_name(int drm_fd, char *name, size_t len)
{
	char path[128], target[256];
	struct stat st;
	ssize_t n;

	if (fstat(drm_fd, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	snprintf(name, len, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return 0;
}

int pl111_bind(const char *dev, int bind)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/amba/drivers/drm-clcd-pl111/%s",
		 bind ? "bind" : "unbind");
	return write_sysfs(path, dev);
}
