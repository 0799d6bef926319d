/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the display tests: find the PL111 and its heap, allocate
 * and import buffers, show them with atomic commits, look at the
 * screen through the host's screenshots.
 */
#ifndef DISPLAY_H
#define DISPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <xf86drmMode.h>

struct output {
	int fd;
	uint32_t conn_id, crtc_id, plane_id;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	int flip_pending;	/* a commit's page-flip event is due */
};

struct heap_fb {
	int dmabuf;		/* the heap buffer */
	uint32_t handle;	/* its GEM handle on the display */
	uint32_t fb_id;
	uint32_t width, height, stride, format;
	size_t size;
	void *map;		/* the dma-buf mapped for the CPU */
};

/* A DRM device by driver name ("pl111", "vgem"), or -1. */
int open_driver(const char *driver);

/* The heap the device's own sysfs node points to, or -1 if none. */
int device_heap(int drm_fd, char *name, size_t len);

int heap_open(const char *name);
/* Allocate LEN bytes: a dma-buf fd, or -errno. */
int heap_alloc(int heap_fd, size_t len);

/* Import a fresh buffer from HEAP (or from vgem) into the DRM device
 * and let it go again: 0 if the import worked, else -errno. */
int import_heap_buffer(int drm_fd, const char *heap, size_t len);
int import_vgem_buffer(int drm_fd, int width, int height);

/* Pages in use in the CMA area behind a heap, -1 if it is not CMA. */
long cma_used_pages(const char *heap);
/* Number of dma-bufs alive in the system. */
int dmabuf_count(void);

/* The PL111's connector, CRTC and primary plane, at WIDTHxHEIGHT. */
int output_init(struct output *out, int fd, int width, int height);
void output_fini(struct output *out);
/* Show FB_ID (0: switch the pipe off) with one atomic commit. */
int output_show(struct output *out, uint32_t fb_id, uint32_t flags);
/* Wait for the page-flip event of a commit made with PAGE_FLIP_EVENT. */
int output_wait_flip(struct output *out, int timeout_ms);

/* A heap buffer imported into the display, with a framebuffer on it. */
int heap_fb_create(struct heap_fb *fb, struct output *out, int heap_fd,
		   uint32_t format);
void heap_fb_destroy(struct heap_fb *fb, struct output *out);
/* Fill with a pattern of bands of SEED's colours, between SYNC ioctls. */
int heap_fb_paint(struct heap_fb *fb, unsigned int seed);
/* The 8-bit RGB colour heap_fb_paint() puts at (x, y) of a WxH frame. */
void pattern_rgb(unsigned int seed, uint32_t x, uint32_t y, uint32_t w,
		 uint32_t h, uint8_t rgb[3]);

struct screen {
	int width, height;
	uint8_t *rgb;
};

/* Ask the host for a screenshot and read it back. */
int screen_grab(struct screen *s, const char *name);
void screen_free(struct screen *s);
/* How many points of a coarse grid differ from SEED's pattern by more
 * than TOLERANCE in a channel (-1: the screen has another size). */
int screen_mismatches(const struct screen *s, unsigned int seed,
		      int width, int height, int tolerance);

/* The kernel log contains TEXT. */
int kernel_log_has(const char *text);

#endif
