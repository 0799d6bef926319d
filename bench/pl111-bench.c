// SPDX-License-Identifier: GPL-2.0
/*
 * pl111-bench: what one frame costs the CPU on each path to the screen,
 * measured side by side in one run.
 *
 *   f         floor: the frame drawn into private memory, nothing else
 *   f+flip    the floor plus a flip, the least any path can cost: drawn
 *             into private memory, then a dumb buffer (not drawn into)
 *             is flipped
 *   u         write-combined: drawn into a buffer of the display's
 *             write-combined heap between DMA_BUF_IOCTL_SYNC calls, then
 *             flipped (u:sync: the part spent in the two syncs)
 *   a         cached: the same in a buffer of the display's cached heap,
 *             whose syncs clean the CPU's caches for the display (a:sync)
 *   b         copy: drawn into private memory, copied into a dumb buffer,
 *             then flipped: what programs do without a heap
 *   alc(u)    allocation of one new write-combined buffer
 *   imp(u/a)  PRIME import + ADDFB2 of one new buffer of either heap,
 *             allocated beforehand
 *
 * Flips wait for the 60 Hz vblank, which would hide everything in wall
 * time, so each step is timed in CPU time of the process. Every size and
 * path is measured in up to five rounds in turn, and each figure is the
 * median of its rounds' medians; the table and a CSV (one row per
 * sample) are written.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
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

/* Medians in CPU ms of one path: a frame, its syncs, its flip, and
 * for a heap the allocation and the import of one new buffer. */
struct path {
	double frame, sync, flip, alloc, import;
	int ok;			/* measured: the display has this heap */
};

struct result {
	double floor, floor_flip;
	struct path wc, cached, copy;
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
 * take no slower pixel clock, with the blanking split into porches the
 * CLCD's timing fields hold (256 pixels and 255 lines at most).
 */
static drmModeModeInfo make_mode(int w, int h)
{
	const int hsync = 96, vsync = 2, htotal = 800, vtotal = 525;
	int hfp = (htotal - w - hsync) / 2, vfp = (vtotal - h - vsync) / 2;
	drmModeModeInfo m = {
		.clock = 25200, .hdisplay = w, .hsync_start = w + hfp,
		.hsync_end = w + hfp + hsync, .htotal = htotal,
		.vdisplay = h, .vsync_start = h + vfp, .vsync_end = h + vfp + vsync,
		.vtotal = vtotal, .vrefresh = 60, .type = DRM_MODE_TYPE_USERDEF,
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
static int sample_base;	/* the index of a round's first sample */

static void sample(const char *path, struct size s, int i, double ms)
{
	if (csv)
		fprintf(csv, "%s,%dx%d,%d,%d,%.4f\n", path, s.width, s.height,
			s.width * s.height * 4, sample_base + i, ms);
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

/* CTX: the private frame; the buffer flipped is not drawn into. */
static int draw_aside(struct heap_fb *fb, int n, void *frame)
{
	draw(frame, fb->width, fb->height, n);
	return 0;
}

struct samples {
	double *ms, *sync_ms, *flip_ms, *alloc_ms;
	uint32_t *frame;
	int frames;
};

static void record(const char *path, struct size s, const double *v, int frames)
{
	int i;

	for (i = 0; i < frames; i++)
		sample(path, s, i, v[i]);
}

/*
 * Allocate a batch of new buffers of HEAP, then import each and add its
 * framebuffer: the two are timed apart. Allocating a write-combined
 * buffer zeroes it and remaps its pages, which costs in proportion to
 * its size and flushes TLB entries; the import that follows should not
 * be charged for it, as a program allocates its buffers well before it
 * shows them.
 */
#define IMPORT_BATCH 4

static int bench_import(struct output *out, int heap, struct size s,
			const char *name, struct samples *v, struct path *p)
{
	struct heap_fb one[IMPORT_BATCH];
	size_t size = (size_t)s.width * s.height * 4;
	int i, j, n, ret = 0;
	char label[32];

	for (i = 0; i < v->frames && !ret; i += n) {
		n = v->frames - i < IMPORT_BATCH ? v->frames - i : IMPORT_BATCH;
		for (j = 0; j < n; j++) {
			double t0 = cpu_ms();

			one[j] = (struct heap_fb){ .width = s.width, .height = s.height,
						   .stride = s.width * 4, .size = size,
						   .format = DRM_FORMAT_XRGB8888 };
			one[j].dmabuf = heap_alloc(heap, size);
			v->alloc_ms[i + j] = cpu_ms() - t0;
		}
		for (j = 0; j < n && !ret; j++) {
			double t0 = cpu_ms();

			ret = one[j].dmabuf < 0 ? one[j].dmabuf : heap_fb_import(&one[j], out);
			v->ms[i + j] = cpu_ms() - t0;
		}
		for (j = 0; j < n; j++)
			heap_fb_destroy(&one[j], out);
	}
	if (ret) {
		errno = -ret;
		return -1;
	}
	snprintf(label, sizeof(label), "alloc-%s", name);
	record(label, s, v->alloc_ms, v->frames);
	p->alloc = median(v->alloc_ms, v->frames);
	snprintf(label, sizeof(label), "import-%s", name);
	record(label, s, v->ms, v->frames);
	p->import = median(v->ms, v->frames);
	return 0;
}

/*
 * Flip FRAMES frames through two buffers of HEAP (or two dumb buffers if
 * HEAP is -1), drawn by DRAW_FRAME; then, for a heap, time the
 * allocation and the import of a new buffer FRAMES times. NAME labels
 * the samples.
 */
static int bench_path(struct output *out, int heap, struct size s,
		      const char *name, struct samples *v, struct path *p,
		      int (*draw_frame)(struct heap_fb *fb, int n, void *ctx),
		      void *ctx)
{
	struct heap_fb fb[2] = { { .dmabuf = -1 }, { .dmabuf = -1 } };
	char label[32];
	int i, ret = -1;

	for (i = 0; i < 2; i++)
		if (heap >= 0 ? heap_fb_create(&fb[i], out, heap, DRM_FORMAT_XRGB8888)
			      : dumb_fb_create(&fb[i], out, DRM_FORMAT_XRGB8888))
			goto out;
	memset(v->sync_ms, 0, v->frames * sizeof(*v->sync_ms));
	if (output_show(out, fb[0].fb_id, 0) ||
	    flip_loop(out, fb, 2, v->frames, v->ms, v->flip_ms, draw_frame, ctx))
		goto out;
	record(name, s, v->ms, v->frames);
	p->frame = median(v->ms, v->frames);
	p->flip = median(v->flip_ms, v->frames);
	if (draw_frame == draw_in_place) {
		snprintf(label, sizeof(label), "%s-sync", name);
		record(label, s, v->sync_ms, v->frames);
		p->sync = median(v->sync_ms, v->frames);
	}

	if (heap >= 0 && bench_import(out, heap, s, name, v, p))
		goto out;
	p->ok = 1;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "pl111-bench: %s path at %dx%d failed: %s\n", name,
			s.width, s.height, strerror(errno));
	output_show(out, 0, 0);
	for (i = 0; i < 2; i++)
		heap_fb_destroy(&fb[i], out);
	return ret;
}

static int bench_size(int fd, const int heap[2], struct size s, int frames,
		      struct result *r)
{
	struct samples v = { .frames = frames };
	struct path floor_flip = { 0 };
	struct output out;
	int i, ret = -1;

	v.ms = calloc(frames, sizeof(*v.ms));
	v.sync_ms = calloc(frames, sizeof(*v.sync_ms));
	v.flip_ms = calloc(frames, sizeof(*v.flip_ms));
	v.alloc_ms = calloc(frames, sizeof(*v.alloc_ms));
	v.frame = malloc((size_t)s.width * s.height * 4);
	memset(r, 0, sizeof(*r));
	if (!v.ms || !v.sync_ms || !v.flip_ms || !v.alloc_ms || !v.frame ||
	    setup_output(&out, fd, s)) {
		fprintf(stderr, "pl111-bench: cannot set up %dx%d\n", s.width, s.height);
		goto free;
	}

	for (i = 0; i < frames; i++) {
		double t0 = cpu_ms();

		draw(v.frame, s.width, s.height, i);
		v.ms[i] = cpu_ms() - t0;
	}
	record("floor", s, v.ms, frames);
	r->floor = median(v.ms, frames);

	if (bench_path(&out, -1, s, "floor+flip", &v, &floor_flip, draw_aside, v.frame) ||
	    (heap[HEAP_WRITE_COMBINED] >= 0 &&
	     bench_path(&out, heap[HEAP_WRITE_COMBINED], s, "wc", &v, &r->wc,
			draw_in_place, v.sync_ms)) ||
	    (heap[HEAP_CACHED] >= 0 &&
	     bench_path(&out, heap[HEAP_CACHED], s, "cached", &v, &r->cached,
			draw_in_place, v.sync_ms)) ||
	    bench_path(&out, -1, s, "copy", &v, &r->copy, draw_and_copy, v.frame))
		goto fini;
	r->floor_flip = floor_flip.frame;
	ret = 0;
fini:
	output_fini(&out);
free:
	free(v.alloc_ms);
	free(v.flip_ms);
	free(v.sync_ms);
	free(v.ms);
	free(v.frame);
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

/*
 * The host's load comes and goes: every size and path is measured in a
 * few rounds in turn, so that a busy moment falls on all of them alike,
 * and each figure is the median of its rounds' medians.
 */
#define MAX_ROUNDS 5

static const size_t result_fields[] = {
	offsetof(struct result, floor), offsetof(struct result, floor_flip),
	offsetof(struct result, wc.frame), offsetof(struct result, wc.sync),
	offsetof(struct result, wc.flip), offsetof(struct result, wc.alloc),
	offsetof(struct result, wc.import),
	offsetof(struct result, cached.frame), offsetof(struct result, cached.sync),
	offsetof(struct result, cached.flip), offsetof(struct result, cached.alloc),
	offsetof(struct result, cached.import),
	offsetof(struct result, copy.frame), offsetof(struct result, copy.flip),
};

static void combine_rounds(const struct result *rounds, int n, struct result *r)
{
	double v[MAX_ROUNDS];
	size_t f;
	int i;

	*r = rounds[0];
	for (f = 0; f < sizeof(result_fields) / sizeof(result_fields[0]); f++) {
		for (i = 0; i < n; i++)
			v[i] = *(const double *)((const char *)&rounds[i] + result_fields[f]);
		*(double *)((char *)r + result_fields[f]) = median(v, n);
	}
}

/* A cell of the table: the value, or n/a for a path not measured. */
static const char *cell(char *buf, size_t len, int ok, double v)
{
	if (ok)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "n/a");
	return buf;
}

static void print_row(struct size s, const struct result *r)
{
	char c[9][16];

	printf("%4dx%-5d %6.3f %6.3f %7.3f %6s %6s %7s %6s %6.3f %6s %6s %6s %6.2f %5s\n",
	       s.width, s.height, r->floor, r->floor_flip, r->copy.frame,
	       cell(c[0], 16, r->wc.ok, r->wc.frame),
	       cell(c[1], 16, r->wc.ok, r->wc.sync),
	       cell(c[2], 16, r->cached.ok, r->cached.frame),
	       cell(c[3], 16, r->cached.ok, r->cached.sync),
	       r->copy.flip,
	       cell(c[4], 16, r->wc.ok, r->wc.alloc),
	       cell(c[5], 16, r->wc.ok, r->wc.import),
	       cell(c[6], 16, r->cached.ok, r->cached.import),
	       r->wc.ok ? r->wc.frame / r->floor_flip : 0,
	       cell(c[7], 16, r->wc.ok, r->copy.frame / r->wc.frame));
}

/* The targets, at the largest size measured, and whether each is met. */
static void print_targets(const struct result *small, const struct result *big,
			  struct size s)
{
	double uf = big->wc.frame / big->floor_flip;
	double bu = big->copy.frame / big->wc.frame;
	double imp = big->wc.import / small->wc.import;

	printf("targets at %dx%d:\n", s.width, s.height);
	printf("  u/(f+flip) = %.2f, target <= 1.10: %s\n", uf, uf <= 1.1 ? "met" : "NOT met");
	printf("  b/u        = %.2f, target >= 1.30: %s\n", bu, bu >= 1.3 ? "met" : "NOT met");
	printf("  imp(u) largest/smallest = %.2f, target <= 1.50: %s\n", imp,
	       imp <= 1.5 ? "met" : "NOT met");
	if (big->cached.ok)
		printf("  for comparison, cached: a/(f+flip) = %.2f, b/a = %.2f, imp(a) largest/smallest = %.2f\n",
		       big->cached.frame / big->floor_flip,
		       big->copy.frame / big->cached.frame,
		       big->cached.import / small->cached.import);
}

int main(int argc, char **argv)
{
	struct size sizes[MAX_SIZES];
	struct result r[MAX_SIZES], rounds[MAX_SIZES][MAX_ROUNDS];
	int nrounds, chunk, round;
	const char *csv_path = NULL, *size_arg = "320x240,800x600,1024x768";
	int nsizes, frames = 120, fd, heap[2] = { -1, -1 }, opt, i, ret = 0;
	char name[2][64];

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
	for (i = HEAP_WRITE_COMBINED; i <= HEAP_CACHED; i++) {
		if (device_heap(fd, i, name[i], sizeof(name[i])))
			snprintf(name[i], sizeof(name[i]), "none");
		else if ((heap[i] = heap_open(name[i])) < 0)
			fprintf(stderr, "pl111-bench: cannot open /dev/dma_heap/%s: %s\n",
				name[i], strerror(errno));
	}
	if (heap[HEAP_WRITE_COMBINED] < 0) {
		fprintf(stderr, "pl111-bench: pl111 has no write-combined heap: boot a device tree that gives the CLCD a pool, on a kernel with CONFIG_DMABUF_HEAPS_DEV_WC\n");
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

	printf("pl111-bench: heaps %s (u) and %s (a), %d frames per path in %d rounds, CPU ms per frame (median of the rounds' medians)\n",
	       name[HEAP_WRITE_COMBINED], name[HEAP_CACHED], frames,
	       frames < MAX_ROUNDS ? frames : MAX_ROUNDS);
	printf("%-10s %6s %6s %7s %6s %6s %7s %6s %6s %6s %6s %6s %6s %5s\n", "size", "f",
	       "f+flip", "copy(b)", "wc(u)", "u:sync", "cach(a)", "a:sync", "b:flip",
	       "alc(u)", "imp(u)", "imp(a)", "u/f+fl", "b/u");
	nrounds = frames < MAX_ROUNDS ? frames : MAX_ROUNDS;
	chunk = frames / nrounds;
	for (round = 0; round < nrounds && !ret; round++) {
		sample_base = round * chunk;
		for (i = 0; i < nsizes && !ret; i++)
			ret = bench_size(fd, heap, sizes[i], chunk, &rounds[i][round]) ? 1 : 0;
	}
	for (i = 0; i < nsizes && !ret; i++) {
		combine_rounds(rounds[i], nrounds, &r[i]);
		print_row(sizes[i], &r[i]);
	}
	if (!ret && nsizes > 1)
		print_targets(&r[0], &r[nsizes - 1], sizes[nsizes - 1]);
	if (csv)
		fclose(csv);
	for (i = 0; i < 2; i++)
		if (heap[i] >= 0)
			close(heap[i]);
	close(fd);
	return ret;
}
