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

/* A write-combined heap is named after its region with this appended. */
#define WC_SUFFIX "-uncached"

int heap_is_wc(const char *name)
{
	size_t n = strlen(name), m = strlen(WC_SUFFIX);

	return n > m && !strcmp(name + n - m, WC_SUFFIX);
}

void heap_region(const char *heap, char *region, size_t len)
{
	size_t n = strlen(heap);

	/*
	 * Mainline (6.19+) also names the default area's heap
	 * default_cma_region, while the area keeps its own name: "reserved"
	 * when its size comes from the command line or the configuration.
	 */
	if (!strcmp(heap, "default_cma_region")) {
		snprintf(region, len, "reserved");
		return;
	}
	if (heap_is_wc(heap))
		n -= strlen(WC_SUFFIX);
	snprintf(region, len, "%.*s", (int)n, heap);
}

int device_heap(int drm_fd, enum heap_kind kind, char *name, size_t len)
{
	char path[128];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int ret = -1;

	if (fstat(drm_fd, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/dma_heaps",
		 major(st.st_rdev), minor(st.st_rdev));
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    heap_is_wc(e->d_name) != (kind == HEAP_WRITE_COMBINED))
			continue;
		snprintf(name, len, "%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

int display_heap(int drm_fd, char *name, size_t len)
{
	if (!device_heap(drm_fd, HEAP_WRITE_COMBINED, name, len))
		return 0;
	return device_heap(drm_fd, HEAP_CACHED, name, len);
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

/* The atomic properties the programs set, looked up once per output. */
enum { CONN_CRTC_ID, CRTC_MODE_ID, CRTC_ACTIVE, PLANE_FB_ID, PLANE_CRTC_ID,
       PLANE_SRC_X, PLANE_SRC_Y, PLANE_SRC_W, PLANE_SRC_H,
       PLANE_CRTC_X, PLANE_CRTC_Y, PLANE_CRTC_W, PLANE_CRTC_H, NUM_PROPS };

static const struct {
	uint32_t type;
	const char *name;
} props[] = {
	[CONN_CRTC_ID] = { DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID" },
	[CRTC_MODE_ID] = { DRM_MODE_OBJECT_CRTC, "MODE_ID" },
	[CRTC_ACTIVE] = { DRM_MODE_OBJECT_CRTC, "ACTIVE" },
	[PLANE_FB_ID] = { DRM_MODE_OBJECT_PLANE, "FB_ID" },
	[PLANE_CRTC_ID] = { DRM_MODE_OBJECT_PLANE, "CRTC_ID" },
	[PLANE_SRC_X] = { DRM_MODE_OBJECT_PLANE, "SRC_X" },
	[PLANE_SRC_Y] = { DRM_MODE_OBJECT_PLANE, "SRC_Y" },
	[PLANE_SRC_W] = { DRM_MODE_OBJECT_PLANE, "SRC_W" },
	[PLANE_SRC_H] = { DRM_MODE_OBJECT_PLANE, "SRC_H" },
	[PLANE_CRTC_X] = { DRM_MODE_OBJECT_PLANE, "CRTC_X" },
	[PLANE_CRTC_Y] = { DRM_MODE_OBJECT_PLANE, "CRTC_Y" },
	[PLANE_CRTC_W] = { DRM_MODE_OBJECT_PLANE, "CRTC_W" },
	[PLANE_CRTC_H] = { DRM_MODE_OBJECT_PLANE, "CRTC_H" },
};

_Static_assert(NUM_PROPS == OUTPUT_PROPS, "OUTPUT_PROPS in kms.h");

static uint32_t object_of(const struct output *out, uint32_t type)
{
	return type == DRM_MODE_OBJECT_CONNECTOR ? out->conn_id :
	       type == DRM_MODE_OBJECT_CRTC ? out->crtc_id : out->plane_id;
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr list;
	uint32_t id = 0, i;

	list = drmModeObjectGetProperties(fd, obj, type);
	for (i = 0; list && i < list->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, list->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(list);
	return id;
}

static int find_props(struct output *out)
{
	int i;

	for (i = 0; i < NUM_PROPS; i++) {
		out->props[i] = prop_id(out->fd, object_of(out, props[i].type),
					props[i].type, props[i].name);
		if (!out->props[i])
			return -ENOENT;
	}
	return 0;
}

static int set(drmModeAtomicReqPtr req, const struct output *out, int prop,
	       uint64_t value)
{
	return drmModeAtomicAddProperty(req, object_of(out, props[prop].type),
					out->props[prop], value) < 0 ? -EINVAL : 0;
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
	ret = out->plane_id ? find_props(out) : -ENODEV;
	if (!ret)
		ret = output_set_mode(out, &out->mode);
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

int output_set_mode(struct output *out, const drmModeModeInfo *mode)
{
	uint32_t blob;

	if (drmModeCreatePropertyBlob(out->fd, mode, sizeof(*mode), &blob))
		return -errno;
	output_fini(out);
	out->mode = *mode;
	out->mode_blob = blob;
	return 0;
}

static int commit(struct output *out, drmModeAtomicReqPtr req, int ret,
		  uint32_t flags)
{
	if (!ret && drmModeAtomicCommit(out->fd, req, flags, out))
		ret = -errno;
	if (!ret && (flags & DRM_MODE_PAGE_FLIP_EVENT))
		out->flip_pending = 1;
	drmModeAtomicFree(req);
	return ret;
}

int output_show(struct output *out, uint32_t fb_id, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t w = out->mode.hdisplay, h = out->mode.vdisplay;
	int on = fb_id != 0, ret = 0;

	ret |= set(req, out, CONN_CRTC_ID, on ? out->crtc_id : 0);
	ret |= set(req, out, CRTC_MODE_ID, on ? out->mode_blob : 0);
	ret |= set(req, out, CRTC_ACTIVE, on);
	ret |= set(req, out, PLANE_FB_ID, fb_id);
	ret |= set(req, out, PLANE_CRTC_ID, on ? out->crtc_id : 0);
	ret |= set(req, out, PLANE_SRC_X, 0);
	ret |= set(req, out, PLANE_SRC_Y, 0);
	ret |= set(req, out, PLANE_SRC_W, on ? (uint64_t)w << 16 : 0);
	ret |= set(req, out, PLANE_SRC_H, on ? (uint64_t)h << 16 : 0);
	ret |= set(req, out, PLANE_CRTC_X, 0);
	ret |= set(req, out, PLANE_CRTC_Y, 0);
	ret |= set(req, out, PLANE_CRTC_W, on ? w : 0);
	ret |= set(req, out, PLANE_CRTC_H, on ? h : 0);
	return commit(out, req, ret, flags | DRM_MODE_ATOMIC_ALLOW_MODESET);
}

int output_flip(struct output *out, uint32_t fb_id)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	return commit(out, req, set(req, out, PLANE_FB_ID, fb_id),
		      DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT);
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

int heap_fb_import(struct heap_fb *fb, struct output *out)
{
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0};

	if (drmPrimeFDToHandle(out->fd, fb->dmabuf, &fb->handle))
		return -errno;
	handles[0] = fb->handle;
	pitches[0] = fb->stride;
	if (drmModeAddFB2(out->fd, fb->width, fb->height, fb->format, handles,
			  pitches, offsets, &fb->fb_id, 0))
		return -errno;
	return 0;
}

int heap_fb_create(struct heap_fb *fb, struct output *out, int heap_fd,
		   uint32_t format)
{
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
	ret = heap_fb_import(fb, out);
	if (ret)
		return ret;
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fb->dmabuf, 0);
	ret = fb->map == MAP_FAILED ? -errno : 0;
	if (ret)
		fb->map = NULL;
	return ret;
}

int dumb_fb_create(struct heap_fb *fb, struct output *out, uint32_t format)
{
	struct drm_mode_create_dumb dumb = {
		.width = out->mode.hdisplay, .height = out->mode.vdisplay,
		.bpp = format_cpp(format) * 8,
	};
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t offset;

	memset(fb, 0, sizeof(*fb));
	fb->dmabuf = -1;
	if (drmIoctl(out->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	fb->handle = dumb.handle;
	fb->width = dumb.width;
	fb->height = dumb.height;
	fb->stride = dumb.pitch;
	fb->size = dumb.size;
	fb->format = format;
	handles[0] = fb->handle;
	pitches[0] = fb->stride;
	if (drmModeAddFB2(out->fd, fb->width, fb->height, format, handles,
			  pitches, offsets, &fb->fb_id, 0) ||
	    drmModeMapDumbBuffer(out->fd, fb->handle, &offset))
		return -errno;
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       out->fd, offset);
	if (fb->map == MAP_FAILED) {
		fb->map = NULL;
		return -errno;
	}
	return 0;
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

int write_sysfs(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fputs(value, f) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* A number from a sysfs/debugfs/procfs file, or -1 if there is none. */
long read_number(const char *path, const char *key)
{
	char line[256];
	long value = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, strlen(key)))
			continue;
		value = strtol(line + (key ? strlen(key) : 0), NULL, 10);
		break;
	}
	fclose(f);
	return value;
}
