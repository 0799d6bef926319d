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

#include "kms.h"

/* Open the pl111 card as its master: a test's process that was killed
 * (a subtest's time-out) may still hold it for a moment, so wait until
 * it has no other master. -1 if there is no card or it stays held. */
int open_pl111(void);

/* Import a fresh buffer from HEAP (or from vgem) into the DRM device
 * and let it go again: 0 if the import worked, else -errno. */
int import_heap_buffer(int drm_fd, const char *heap, size_t len);
int import_vgem_buffer(int drm_fd, int width, int height);
/* Import a fresh buffer from HEAP into vgem, a device of no pool. */
int import_heap_buffer_into_vgem(const char *heap, size_t len);

/* The name of the device behind a DRM fd ("10020000.clcd"): 0 or -errno. */
int drm_parent_name(int drm_fd, char *name, size_t len);
/* Bind (1) or unbind (0) pl111 from the device named DEV: 0 or -errno. */
int pl111_bind(const char *dev, int bind);

/* Pages in use in the CMA area behind a heap, -1 if it is not CMA. */
long cma_used_pages(const char *heap);
/* Number of dma-bufs alive in the system. */
int dmabuf_count(void);

/* Fill the mapping with a pattern of bands of SEED's colours. */
void heap_fb_fill(struct heap_fb *fb, unsigned int seed);
/* The same, between SYNC ioctls on the buffer's dma-buf. */
int heap_fb_paint(struct heap_fb *fb, unsigned int seed);
/* The 8-bit RGB colour heap_fb_fill() puts at (x, y) of a WxH frame. */
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
