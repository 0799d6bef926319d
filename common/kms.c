// SPDX-License-Identifier: GPL-2.0
/*
 * KMS and dma-buf heap helpers shared by the project's programs and
 * tests; see kms.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <xf86drm.h>

#include "kms.h"

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

int open_display(void)
{
	char path[64];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct output probe;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!output_init(&probe, fd, 0, 0)) {
			output_fini(&probe);
			return fd;
		}
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

int dmabuf_sync(int dmabuf, int start)
{
	struct dma_buf_sync sync = {
		.flags = (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
			 DMA_BUF_SYNC_WRITE,
	};

	return ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int format_cpp(uint32_t format)
{
	return format == DRM_FORMAT_RGB565 ? 2 : 4;
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
	ret = -ERANGE;
	for (i = 0; i < conn->count_modes; i++) {
		drmModeModeInfo *m = &conn->modes[i];

		if (width ? m->hdisplay == width && m->vdisplay == height :
			    !!(m->type & DRM_MODE_TYPE_PREFERRED)) {
			out->mode = *m;
			ret = 0;
			break;
		}
	}
	if (ret && !width && conn->count_modes) {
		out->mode = conn->modes[0];
		ret = 0;
	}
	drmModeFreeConnector(conn);
	if (ret)
		goto out_res;
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

	(void)fd; (void)sec; (void)usec;
	if (out->flips++ && seq > out->last_seq + 1)
		out->missed += seq - out->last_seq - 1;
	out->last_seq = seq;
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
	int cpp = format_cpp(format);
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
