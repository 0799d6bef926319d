// SPDX-License-Identifier: GPL-2.0
/*
 * pl111-bench: what one frame costs the CPU on each path to the screen,
 * measured side by side in one run.
 *
 *   floor      the frame drawn into private memory, nothing else
 *   zero-copy  drawn into a buffer of the display's heap (with
 *              DMA_BUF_IOCTL_SYNC around it), then flipped; a:sync is
 *              the part spent in the two syncs (the cache maintenance
 *              a display that does not snoop the CPU's caches needs),
 *              a:flip the part spent flipping
 *   copy       drawn into private memory, copied into a dumb buffer,
 *              then flipped: what programs do without a heap (b:flip:
 *              the part spent flipping)
 *   import     PRIME import + ADDFB2 of one heap buffer
 *
 * Flips wait for the 60 Hz vblank, which would hide everything in wall
 * time, so each step is timed in CPU time of the process. Results are
 * medians; the table and a CSV (one row per sample) are written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>

#include "kms.h"

#define MAX_SIZES 8

struct size {
	int width, height;
};

struct result {
	double floor, zero_copy, sync, copy, import;	/* medians, ms */
	double zero_copy_flip, copy_flip;		/* of which flipping */
};

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The same moving picture on every path: every pixel changes. */
static void draw(uint32_t *px, int w, int h, int frame)
{
	int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			*px++ = (uint32_t)((x + frame) & 0xff) << 16 |
				(uint32_t)((y + 2 * frame) & 0xff) << 8 |
				(uint32_t)((x ^ y) & 0xff);
}

/*
 * A mode for WxH that the connector does not list: the active area in
 * the VGA 640x480 frame (800x525 at 25.2 MHz, 60 Hz), as VGA bridges
 * take no slower pixel clock. The CLCD scans out any size.
 */
static drmModeModeInfo make_mode(int w, int h)
{
	drmModeModeInfo m = {
		.clock = 25200, .hdisplay = w, .hsync_start = 656, .hsync_end = 752,
		.htotal = 800, .vdisplay = h, .vsync_start = 490, .vsync_end = 492,
		.vtotal = 525, .vrefresh = 60, .type = DRM_MODE_TYPE_USERDEF,
		.flags = DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC,
	};

	snprintf(m.name, sizeof(m.name), "%dx%d", w, h);
	return m;
}

static int setup_output(struct output *out, int fd, struct size s)
{
	drmModeModeInfo mode;

	if (!output_init(out, fd, s.width, s.height))
		return 0;
	if (s.width > 640 || s.height > 480 || output_init(out, fd, 0, 0))
		return -1;
	mode = make_mode(s.width, s.height);
	return output_set_mode(out, &mode);
}

static FILE *csv;

static void sample(const char *path, struct size s, int i, double ms)
{
	if (csv)
		fprintf(csv, "%s,%dx%d,%d,%d,%.4f\n", path, s.width, s.height,
			s.width * s.height * 4, i, ms);
}

/* Show the frames of FB in turn; one frame drawn by DRAW_FRAME each.
 * MS gets each frame's CPU time, FLIP_MS the part spent flipping. */
static int flip_loop(struct output *out, struct heap_fb *fb, int nbuf,
		     int frames, double *ms, double *flip_ms,
		     int (*draw_frame)(struct heap_fb *fb, int n, void *ctx),
		     void *ctx)
{
	int n;

	for (n = 0; n < frames; n++) {
		struct heap_fb *b = &fb[n % nbuf];
		double t0 = cpu_ms(), t1;

		if (draw_frame(b, n, ctx))
			return -1;
		t1 = cpu_ms();
		if (output_flip(out, b->fb_id) || output_wait_flip(out, 1000))
			return -1;
		ms[n] = cpu_ms() - t0;
		flip_ms[n] = cpu_ms() - t1;
	}
	return 0;
}

/* CTX: the CPU time of each frame's two DMA_BUF_IOCTL_SYNC calls. */
static int draw_in_place(struct heap_fb *fb, int n, void *ctx)
{
	double *sync_ms = ctx, t0 = cpu_ms(), t1;

	if (dmabuf_sync(fb->dmabuf, 1))
		return -1;
	t1 = cpu_ms();
	draw(fb->map, fb->width, fb->height, n);
	sync_ms[n] = t1 - t0;
	t0 = cpu_ms();
	if (dmabuf_sync(fb->dmabuf, 0))
		return -1;
	sync_ms[n] += cpu_ms() - t0;
	return 0;
}

static int draw_and_copy(struct heap_fb *fb, int n, void *frame)
{
	draw(frame, fb->width, fb->height, n);
	memcpy(fb->map, frame, fb->size);
	return 0;
}

static int bench_size(int fd, int heap, struct size s, int frames,
		      struct result *r)
{
	struct output out;
	struct heap_fb fb[2] = { { .dmabuf = -1 }, { .dmabuf = -1 } };
	double *ms = calloc(frames, sizeof(*ms));
	double *sync_ms = calloc(frames, sizeof(*sync_ms));
	double *flip_ms = calloc(frames, sizeof(*flip_ms));
	size_t size = (size_t)s.width * s.height * 4;
	uint32_t *frame = malloc(size);
	int i, ret = -1;

	if (!ms || !sync_ms || !flip_ms || !frame || setup_output(&out, fd, s)) {
		fprintf(stderr, "pl111-bench: cannot set up %dx%d\n", s.width, s.height);
		goto out;
	}

	/* floor */
	for (i = 0; i < frames; i++) {
		double t0 = cpu_ms();

		draw(frame, s.width, s.height, i);
		ms[i] = cpu_ms() - t0;
		sample("floor", s, i, ms[i]);
	}
	r->floor = median(ms, frames);

	/* zero-copy: two heap buffers, imported once */
	for (i = 0; i < 2; i++)
		if (heap_fb_create(&fb[i], &out, heap, DRM_FORMAT_XRGB8888))
			goto fail;
	if (output_show(&out, fb[0].fb_id, 0) ||
	    flip_loop(&out, fb, 2, frames, ms, flip_ms, draw_in_place, sync_ms))
		goto fail;
	for (i = 0; i < frames; i++) {
		sample("zero-copy", s, i, ms[i]);
		sample("sync", s, i, sync_ms[i]);
	}
	r->zero_copy = median(ms, frames);
	r->sync = median(sync_ms, frames);
	r->zero_copy_flip = median(flip_ms, frames);

	/* import + ADDFB2 of a new buffer, again and again */
	for (i = 0; i < frames; i++) {
		struct heap_fb one = { .width = s.width, .height = s.height,
				       .stride = s.width * 4, .size = size,
				       .format = DRM_FORMAT_XRGB8888 };
		double t0;

		one.dmabuf = heap_alloc(heap, size);
		if (one.dmabuf < 0)
			goto fail;
		t0 = cpu_ms();
		if (heap_fb_import(&one, &out)) {
			heap_fb_destroy(&one, &out);
			goto fail;
		}
		ms[i] = cpu_ms() - t0;
		sample("import", s, i, ms[i]);
		heap_fb_destroy(&one, &out);
	}
	r->import = median(ms, frames);

	/* copy: two dumb buffers */
	output_show(&out, 0, 0);
	for (i = 0; i < 2; i++) {
		heap_fb_destroy(&fb[i], &out);
		if (dumb_fb_create(&fb[i], &out, DRM_FORMAT_XRGB8888))
			goto fail;
	}
	if (output_show(&out, fb[0].fb_id, 0) ||
	    flip_loop(&out, fb, 2, frames, ms, flip_ms, draw_and_copy, frame))
		goto fail;
	for (i = 0; i < frames; i++)
		sample("copy", s, i, ms[i]);
	r->copy = median(ms, frames);
	r->copy_flip = median(flip_ms, frames);
	ret = 0;
fail:
	if (ret)
		fprintf(stderr, "pl111-bench: %dx%d failed: %s\n", s.width, s.height,
			strerror(errno));
	output_show(&out, 0, 0);
	for (i = 0; i < 2; i++)
		heap_fb_destroy(&fb[i], &out);
	output_fini(&out);
out:
	free(flip_ms);
	free(sync_ms);
	free(ms);
	free(frame);
	return ret;
}

static int parse_sizes(const char *arg, struct size *s)
{
	int n = 0;

	while (*arg && n < MAX_SIZES) {
		char *end;

		s[n].width = strtol(arg, &end, 10);
		if (*end != 'x')
			return -1;
		s[n].height = strtol(end + 1, &end, 10);
		if (s[n].width <= 0 || s[n].height <= 0 || (*end && *end != ','))
			return -1;
		n++;
		arg = *end ? end + 1 : end;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct size sizes[MAX_SIZES];
	struct result r[MAX_SIZES];
	const char *csv_path = NULL, *size_arg = "320x240,800x600,1024x768";
	int nsizes, frames = 120, fd, heap, opt, i, ret = 0;
	char name[64];

	while ((opt = getopt(argc, argv, "n:s:o:h")) != -1) {
		switch (opt) {
		case 'n': frames = atoi(optarg); break;
		case 's': size_arg = optarg; break;
		case 'o': csv_path = optarg; break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: pl111-bench [-n FRAMES] [-s WxH,...] [-o FILE.csv]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	nsizes = parse_sizes(size_arg, sizes);
	if (nsizes <= 0 || frames < 1) {
		fprintf(stderr, "pl111-bench: -s takes sizes like 320x240,800x600 and -n a count\n");
		return 2;
	}
	fd = open_driver("pl111");
	if (fd < 0) {
		fprintf(stderr, "pl111-bench: no pl111 display: is the pl111 module loaded?\n");
		return 1;
	}
	if (device_heap(fd, name, sizeof(name)) || (heap = heap_open(name)) < 0) {
		fprintf(stderr, "pl111-bench: pl111 has no heap of its own: boot a device tree that gives the CLCD a CMA pool\n");
		return 1;
	}
	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv) {
			fprintf(stderr, "pl111-bench: cannot write %s: %s\n", csv_path,
				strerror(errno));
			return 1;
		}
		fprintf(csv, "path,size,bytes,sample,cpu_ms\n");
	}

	printf("pl111-bench: heap %s, %d frames per path, CPU ms per frame (median)\n",
	       name, frames);
	printf("%-10s %8s %11s %6s %6s %8s %6s %9s %5s %5s\n", "size", "floor(f)",
	       "zerocopy(a)", "a:sync", "a:flip", "copy(b)", "b:flip", "import(c)",
	       "a/f", "b/a");
	for (i = 0; i < nsizes; i++) {
		if (bench_size(fd, heap, sizes[i], frames, &r[i])) {
			ret = 1;
			break;
		}
		printf("%4dx%-5d %8.3f %11.3f %6.3f %6.3f %8.3f %6.3f %9.3f %5.2f %5.2f\n",
		       sizes[i].width, sizes[i].height, r[i].floor, r[i].zero_copy,
		       r[i].sync, r[i].zero_copy_flip, r[i].copy, r[i].copy_flip,
		       r[i].import, r[i].zero_copy / r[i].floor,
		       r[i].copy / r[i].zero_copy);
		fflush(stdout);
	}
	if (!ret && nsizes > 1)
		printf("import(c) largest/smallest: %.2f\n",
		       r[nsizes - 1].import / r[0].import);
	if (csv)
		fclose(csv);
	close(heap);
	close(fd);
	return ret;
}
