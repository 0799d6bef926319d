// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the display tests; see display.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <xf86drm.h>

#include "display.h"

int open_driver(const char *driver)
{
	char path[64];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

int device_heap(int drm_fd, char *name, size_t len)
{
	char path[128];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int ret = -1;

	if (fstat(drm_fd, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/dma_heap",
		 major(st.st_rdev), minor(st.st_rdev));
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, len, "%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

int heap_open(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int heap_alloc(int heap_fd, size_t len)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	return data.fd;
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
	char path[128];
	long pages = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/used", heap);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pages) != 1)
		pages = -1;
	fclose(f);
	return pages;
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

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = 0, i;

	props = drmModeObjectGetProperties(fd, obj, type);
	for (i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static int add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
	       const char *name, uint64_t value)
{
	uint32_t id = prop_id(fd, obj, type, name);

	if (!id)
		return -ENOENT;
	return drmModeAtomicAddProperty(req, obj, id, value) < 0 ? -EINVAL : 0;
}

int output_init(struct output *out, int fd, int width, int height)
{
	drmModeResPtr res;
	drmModeConnectorPtr conn = NULL;
	drmModePlaneResPtr planes;
	int i, ret = -ENODEV;

	memset(out, 0, sizeof(*out));
	out->fd = fd;
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1))
		return -EOPNOTSUPP;
	res = drmModeGetResources(fd);
	if (!res)
		return -errno;
	for (i = 0; i < res->count_connectors && !out->conn_id; i++) {
		conn = drmModeGetConnector(fd, res->connectors[i]);
		if (conn && conn->connection == DRM_MODE_CONNECTED)
			out->conn_id = conn->connector_id;
		else
			drmModeFreeConnector(conn);
	}
	if (!out->conn_id)
		goto out_res;
	for (i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].hdisplay == width && conn->modes[i].vdisplay == height) {
			out->mode = conn->modes[i];
			break;
		}
	drmModeFreeConnector(conn);
	if (i == conn->count_modes) {
		ret = -ERANGE;
		goto out_res;
	}
	out->crtc_id = res->crtcs[0];
	planes = drmModeGetPlaneResources(fd);
	for (i = 0; planes && i < (int)planes->count_planes && !out->plane_id; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, planes->planes[i]);

		if (p && (p->possible_crtcs & 1))
			out->plane_id = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(planes);
	ret = out->plane_id ? drmModeCreatePropertyBlob(fd, &out->mode,
				sizeof(out->mode), &out->mode_blob) : -ENODEV;
out_res:
	drmModeFreeResources(res);
	return ret;
}

void output_fini(struct output *out)
{
	if (out->mode_blob)
		drmModeDestroyPropertyBlob(out->fd, out->mode_blob);
	out->mode_blob = 0;
}

int output_show(struct output *out, uint32_t fb_id, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t w = out->mode.hdisplay, h = out->mode.vdisplay;
	int on = fb_id != 0, ret = 0;

	ret |= add(req, out->fd, out->conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID",
		   on ? out->crtc_id : 0);
	ret |= add(req, out->fd, out->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID",
		   on ? out->mode_blob : 0);
	ret |= add(req, out->fd, out->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", on);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID", fb_id);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_ID",
		   on ? out->crtc_id : 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_W",
		   on ? (uint64_t)w << 16 : 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_H",
		   on ? (uint64_t)h << 16 : 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_W", on ? w : 0);
	ret |= add(req, out->fd, out->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_H", on ? h : 0);
	if (!ret && drmModeAtomicCommit(out->fd, req,
					flags | DRM_MODE_ATOMIC_ALLOW_MODESET, out))
		ret = -errno;
	if (!ret && (flags & DRM_MODE_PAGE_FLIP_EVENT))
		out->flip_pending = 1;
	drmModeAtomicFree(req);
	return ret;
}

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		    void *data)
{
	struct output *out = data;

	(void)fd; (void)seq; (void)sec; (void)usec;
	out->flip_pending = 0;
}

int output_wait_flip(struct output *out, int timeout_ms)
{
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	struct pollfd p = { .fd = out->fd, .events = POLLIN };

	while (out->flip_pending) {
		int n = poll(&p, 1, timeout_ms);

		if (n <= 0)
			return n ? -errno : -ETIMEDOUT;
		if (drmHandleEvent(out->fd, &ev))
			return -EIO;
	}
	return 0;
}

int heap_fb_create(struct heap_fb *fb, struct output *out, int heap_fd,
		   uint32_t format)
{
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0};
	int cpp = format == DRM_FORMAT_RGB565 ? 2 : 4;
	int ret;

	memset(fb, 0, sizeof(*fb));
	fb->dmabuf = -1;
	fb->width = out->mode.hdisplay;
	fb->height = out->mode.vdisplay;
	fb->stride = fb->width * cpp;
	fb->format = format;
	fb->size = (size_t)fb->stride * fb->height;
	fb->dmabuf = heap_alloc(heap_fd, fb->size);
	if (fb->dmabuf < 0)
		return fb->dmabuf;
	if (drmPrimeFDToHandle(out->fd, fb->dmabuf, &fb->handle))
		return -errno;
	handles[0] = fb->handle;
	pitches[0] = fb->stride;
	if (drmModeAddFB2(out->fd, fb->width, fb->height, format, handles,
			  pitches, offsets, &fb->fb_id, 0))
		return -errno;
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fb->dmabuf, 0);
	ret = fb->map == MAP_FAILED ? -errno : 0;
	if (ret)
		fb->map = NULL;
	return ret;
}

void heap_fb_destroy(struct heap_fb *fb, struct output *out)
{
	if (fb->map)
		munmap(fb->map, fb->size);
	if (fb->fb_id)
		drmModeRmFB(out->fd, fb->fb_id);
	if (fb->handle)
		drmCloseBufferHandle(out->fd, fb->handle);
	if (fb->dmabuf >= 0)
		close(fb->dmabuf);
	memset(fb, 0, sizeof(*fb));
	fb->dmabuf = -1;
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

int heap_fb_paint(struct heap_fb *fb, unsigned int seed)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE };
	uint32_t x, y;
	uint8_t c[3];

	if (ioctl(fb->dmabuf, DMA_BUF_IOCTL_SYNC, &sync))
		return -errno;
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
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE;
	return ioctl(fb->dmabuf, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int screen_grab(struct screen *s, const char *name)
{
	char cmd[128], path[128];
	int maxval, c;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(cmd, sizeof(cmd), "vexpress-screenshot %s", name);
	if (system(cmd))
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
