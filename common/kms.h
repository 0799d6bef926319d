/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KMS and dma-buf heap helpers shared by the project's programs and
 * tests: find a display and the heap it scans out of, allocate and
 * import buffers, show them with atomic commits and page flips.
 */
#ifndef KMS_H
#define KMS_H

#include <stddef.h>
#include <stdint.h>
#include <xf86drmMode.h>

#define OUTPUT_PROPS 13

struct output {
	int fd;
	uint32_t conn_id, crtc_id, plane_id;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	int flip_pending;	/* a commit's page-flip event is due */
	unsigned int last_seq;	/* vblank sequence of the last flip */
	unsigned int missed;	/* vblanks skipped between flips */
	unsigned int flips;
	uint32_t props[OUTPUT_PROPS];	/* atomic property ids */
};

struct heap_fb {
	int dmabuf;		/* the heap buffer; -1 for a dumb buffer */
	uint32_t handle;	/* its GEM handle on the display */
	uint32_t fb_id;
	uint32_t width, height, stride, format;
	size_t size;
	void *map;		/* the dma-buf mapped for the CPU */
};

/* A DRM device by driver name ("pl111", "vgem"), or -1. */
int open_driver(const char *driver);
/* The first DRM device with a connected output, or -1. */
int open_display(void);

/*
 * A device's own pool may be two heaps: write-combined (named
 * <region>-uncached), for frames the CPU only writes, and cached, for
 * buffers it also reads back.
 */
enum heap_kind { HEAP_WRITE_COMBINED, HEAP_CACHED };

/* The device's own heap of KIND, found from its sysfs node: 0, or -1. */
int device_heap(int drm_fd, enum heap_kind kind, char *name, size_t len);
/* NAME is a write-combined heap. */
int heap_is_wc(const char *name);
/* The region (and CMA area, if it is one) behind a heap. */
void heap_region(const char *heap, char *region, size_t len);
/* The heap to draw frames in: write-combined, else cached; 0 or -1. */
int display_heap(int drm_fd, char *name, size_t len);

int heap_open(const char *name);
/* Allocate LEN bytes: a dma-buf fd, or -errno. */
int heap_alloc(int heap_fd, size_t len);
/* DMA_BUF_IOCTL_SYNC around CPU writes: 0 or -errno. */
int dmabuf_sync(int dmabuf, int start);

/* Bytes per pixel of the formats the programs draw (XRGB8888, RGB565). */
int format_cpp(uint32_t format);

/* The first connected output at WIDTHxHEIGHT (0x0: its preferred mode). */
int output_init(struct output *out, int fd, int width, int height);
void output_fini(struct output *out);
/* Use MODE (any timings, not only the connector's) from the next show. */
int output_set_mode(struct output *out, const drmModeModeInfo *mode);
/* Show FB_ID (0: switch the pipe off) with one atomic commit. */
int output_show(struct output *out, uint32_t fb_id, uint32_t flags);
/* Flip the shown plane to FB_ID: nonblocking, with a page-flip event. */
int output_flip(struct output *out, uint32_t fb_id);
/* Wait for the page-flip event of a commit made with PAGE_FLIP_EVENT. */
int output_wait_flip(struct output *out, int timeout_ms);

/* A heap buffer imported into the display, with a framebuffer on it. */
int heap_fb_create(struct heap_fb *fb, struct output *out, int heap_fd,
		   uint32_t format);
/* A dumb buffer with a framebuffer on it, mapped (FB's dmabuf is -1). */
int dumb_fb_create(struct heap_fb *fb, struct output *out, uint32_t format);
/* Import FB's dmabuf and add a framebuffer of its size and format. */
int heap_fb_import(struct heap_fb *fb, struct output *out);
void heap_fb_destroy(struct heap_fb *fb, struct output *out);

/* Write VALUE to a sysfs file (a driver's bind or unbind): 0 or -errno. */
int write_sysfs(const char *path, const char *value);

/* A number from a sysfs, debugfs or procfs file (after KEY at the start
 * of a line, if given), or -1 if there is none. */
long read_number(const char *path, const char *key);

#endif
