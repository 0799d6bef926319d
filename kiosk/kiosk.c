// SPDX-License-Identifier: GPL-2.0
/*
 * kiosk: show a picture full screen, the way a display that scans out
 * of its own memory pool wants it.
 *
 * The frames live in buffers allocated from the display's own dma-buf
 * heap (found through sysfs from the DRM device: its write-combined
 * heap, else its cached one), imported once, drawn
 * by the CPU in place and flipped with atomic commits: no frame is ever
 * copied. A display without a heap of its own gets dumb buffers, and
 * every frame is drawn in memory and copied into one, as programs
 * must do today; the kiosk says which path it took.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>

#include "kms.h"

#define MAX_BUFFERS 3
#define BAR_HEIGHT 24

struct options {
	const char *driver;	/* NULL: the first display found */
	int width, height;	/* 0: the preferred mode */
	uint32_t format;
	long frames;		/* 0: until interrupted */
	int buffers;
	const char *image;	/* PPM; NULL: a generated picture */
	const char *on_first_frame;
};

struct picture {
	int width, height;
	uint8_t *rgb;
};

struct kiosk {
	struct output out;
	struct heap_fb fb[MAX_BUFFERS];
	int nbuf;
	char heap[64];		/* empty: no heap, copy path */
	uint8_t *frame;		/* the copy path's frame in memory */
	uint8_t *base;		/* the picture, ready in the display's format */
	size_t stride, size;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kiosk [options]\n"
		"  -D, --driver NAME      DRM driver of the display (default: the first with a screen)\n"
		"  -m, --mode WxH         mode (default: the screen's preferred mode)\n"
		"  -f, --format FMT       XRGB8888 (default) or RGB565\n"
		"  -n, --frames N         frames to show, 0 until interrupted (default 600)\n"
		"  -b, --buffers N        2 or 3 buffers (default 3: one is drawn during each flip)\n"
		"  -i, --image FILE.ppm   picture to show (default: a generated one)\n"
		"  -x, --on-first-frame CMD  run CMD once the first frame is on screen\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "driver", required_argument, NULL, 'D' },
		{ "mode", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "frames", required_argument, NULL, 'n' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "image", required_argument, NULL, 'i' },
		{ "on-first-frame", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct options){ .format = DRM_FORMAT_XRGB8888, .frames = 600, .buffers = 3 };
	while ((c = getopt_long(argc, argv, "D:m:f:n:b:i:x:h", longs, NULL)) != -1) {
		switch (c) {
		case 'D': o->driver = optarg; break;
		case 'm':
			if (sscanf(optarg, "%dx%d", &o->width, &o->height) != 2) {
				fprintf(stderr, "kiosk: --mode wants WxH, like 1024x768\n");
				return -1;
			}
			break;
		case 'f':
			if (!strcmp(optarg, "XRGB8888")) {
				o->format = DRM_FORMAT_XRGB8888;
			} else if (!strcmp(optarg, "RGB565")) {
				o->format = DRM_FORMAT_RGB565;
			} else {
				fprintf(stderr, "kiosk: --format is XRGB8888 or RGB565\n");
				return -1;
			}
			break;
		case 'n': o->frames = atol(optarg); break;
		case 'b': o->buffers = atoi(optarg); break;
		case 'i': o->image = optarg; break;
		case 'x': o->on_first_frame = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (o->buffers < 2 || o->buffers > MAX_BUFFERS || o->frames < 0) {
		fprintf(stderr, "kiosk: --buffers is 2 or 3, --frames 0 or more\n");
		return -1;
	}
	return 0;
}

static int load_ppm(const char *path, struct picture *p)
{
	int maxval;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "kiosk: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fscanf(f, "P6 %d %d %d", &p->width, &p->height, &maxval) != 3 ||
	    maxval != 255 || p->width <= 0 || p->height <= 0 || fgetc(f) == EOF) {
		fprintf(stderr, "kiosk: %s is not an 8-bit binary PPM (P6)\n", path);
		fclose(f);
		return -1;
	}
	p->rgb = malloc((size_t)p->width * p->height * 3);
	if (!p->rgb || fread(p->rgb, 3, (size_t)p->width * p->height, f) !=
	    (size_t)p->width * p->height) {
		fprintf(stderr, "kiosk: %s is cut short\n", path);
		fclose(f);
		free(p->rgb);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Without an image: soft diagonal bands, so that tearing would show. */
static void generate_picture(struct picture *p)
{
	int x, y;

	p->width = 256;
	p->height = 192;
	p->rgb = malloc((size_t)p->width * p->height * 3);
	for (y = 0; p->rgb && y < p->height; y++)
		for (x = 0; x < p->width; x++) {
			uint8_t *c = p->rgb + ((size_t)y * p->width + x) * 3;

			c[0] = x;
			c[1] = (x + y) * 2;
			c[2] = 255 - y;
		}
}

static void put_pixel(uint8_t *dst, uint32_t format, const uint8_t c[3])
{
	if (format == DRM_FORMAT_RGB565)
		*(uint16_t *)dst = (c[0] >> 3) << 11 | (c[1] >> 2) << 5 | c[2] >> 3;
	else
		*(uint32_t *)dst = (uint32_t)c[0] << 16 | c[1] << 8 | c[2];
}

/* The picture scaled to the screen, once, in the display's format. */
static int prepare_base(struct kiosk *k, const struct picture *p, uint32_t format)
{
	int w = k->out.mode.hdisplay, h = k->out.mode.vdisplay, x, y;
	int cpp = format_cpp(format);

	k->stride = (size_t)w * cpp;
	k->size = k->stride * h;
	k->base = malloc(k->size);
	if (!k->base)
		return -ENOMEM;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			put_pixel(k->base + y * k->stride + (size_t)x * cpp, format,
				  p->rgb + (((size_t)y * p->height / h) * p->width +
					    (size_t)x * p->width / w) * 3);
	return 0;
}

/* A progress bar along the bottom edge: the part that moves. */
static void draw_bar(uint8_t *dst, const struct kiosk *k, uint32_t format, long frame)
{
	int w = k->out.mode.hdisplay, h = k->out.mode.vdisplay;
	int cpp = format_cpp(format), x, y, pos = (frame * 8) % w;
	static const uint8_t on[3] = { 255, 255, 255 }, off[3] = { 32, 32, 32 };

	for (y = h - BAR_HEIGHT; y < h; y++)
		for (x = 0; x < w; x++)
			put_pixel(dst + y * k->stride + (size_t)x * cpp, format,
				  x <= pos ? on : off);
}

static int setup_buffers(struct kiosk *k, const struct options *o)
{
	int heap_fd = -1, i, ret = 0;

	if (!display_heap(k->out.fd, k->heap, sizeof(k->heap))) {
		heap_fd = heap_open(k->heap);
		if (heap_fd < 0) {
			fprintf(stderr, "kiosk: cannot open /dev/dma_heap/%s: %s%s\n", k->heap,
				strerror(errno), errno == EACCES ?
				" (run as root, or give your user access to the heap)" : "");
			return -1;
		}
	}
	k->nbuf = o->buffers;
	for (i = 0; i < k->nbuf && !ret; i++) {
		ret = heap_fd >= 0 ? heap_fb_create(&k->fb[i], &k->out, heap_fd, o->format)
				   : dumb_fb_create(&k->fb[i], &k->out, o->format);
		if (!ret && k->fb[i].stride != k->stride)
			ret = -EINVAL;
		if (!ret)
			memcpy(k->fb[i].map, k->base, k->size);
	}
	if (heap_fd >= 0)
		close(heap_fd);
	if (ret) {
		fprintf(stderr, "kiosk: cannot set up %s buffer %d: %s\n",
			heap_fd >= 0 ? "heap" : "dumb", i, strerror(-ret));
		return -1;
	}
	if (heap_fd < 0) {
		k->frame = malloc(k->size);
		if (!k->frame)
			return -1;
		memcpy(k->frame, k->base, k->size);
	}
	return 0;
}

/* Draw frame N into buffer B: in place, or in memory and then copied. */
static int render(struct kiosk *k, struct heap_fb *fb, long n)
{
	int ret;

	if (!k->heap[0]) {
		draw_bar(k->frame, k, fb->format, n);
		memcpy(fb->map, k->frame, k->size);
		return 0;
	}
	ret = dmabuf_sync(fb->dmabuf, 1);
	if (!ret)
		draw_bar(fb->map, k, fb->format, n);
	return ret ? ret : dmabuf_sync(fb->dmabuf, 0);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int run(struct kiosk *k, const struct options *o)
{
	/*
	 * With three buffers the next frame is drawn while the last one
	 * waits for its flip. With two, the buffer to draw is on screen
	 * until that flip, so drawing waits for it.
	 */
	int ahead = k->nbuf > 2;
	long n = 1;
	double t0;

	if (render(k, &k->fb[0], 0) || output_show(&k->out, k->fb[0].fb_id, 0)) {
		fprintf(stderr, "kiosk: the display refused the first frame: %s\n",
			strerror(errno));
		return -1;
	}
	if (o->on_first_frame && system(o->on_first_frame))
		fprintf(stderr, "kiosk: '%s' failed\n", o->on_first_frame);

	t0 = now();
	if (ahead && render(k, &k->fb[1], 1))
		goto fail;
	for (n = 1; (!o->frames || n < o->frames) && !stop; n++) {
		struct heap_fb *fb = &k->fb[n % k->nbuf];

		if ((!ahead && render(k, fb, n)) || output_flip(&k->out, fb->fb_id))
			goto fail;
		if (ahead && render(k, &k->fb[(n + 1) % k->nbuf], n + 1))
			goto fail;
		if (output_wait_flip(&k->out, 1000))
			goto fail;
	}
	printf("kiosk: %ld frames in %.2f s: %.1f frames/s, %u vblanks missed\n",
	       n, now() - t0, (n - 1) / (now() - t0), k->out.missed);
	return 0;
fail:
	fprintf(stderr, "kiosk: flip %ld failed: %s\n", n, strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct picture pic = { 0 };
	struct kiosk k = { 0 };
	int fd, ret = 1, i;

	if (parse_options(argc, argv, &o))
		return 2;
	if (o.image ? load_ppm(o.image, &pic) : (generate_picture(&pic), !pic.rgb))
		return 1;

	fd = o.driver ? open_driver(o.driver) : open_display();
	if (fd < 0) {
		fprintf(stderr, "kiosk: no display %s%sfound: is its DRM driver loaded, "
			"and can you open /dev/dri/card*?\n",
			o.driver ? "driven by " : "with a screen ", o.driver ? o.driver : "");
		return 1;
	}
	if (output_init(&k.out, fd, o.width, o.height)) {
		if (o.width)
			fprintf(stderr, "kiosk: no connected output offers %dx%d: see 'modetest -c' for its modes\n",
				o.width, o.height);
		else
			fprintf(stderr, "kiosk: the display has no connected output\n");
		goto out;
	}
	if (prepare_base(&k, &pic, o.format) || setup_buffers(&k, &o))
		goto out;
	if (k.heap[0])
		printf("kiosk: path: zero-copy from heap %s (%s): %d buffers of %dx%d imported once\n",
		       k.heap, heap_is_wc(k.heap) ? "write-combined" : "cached",
		       k.nbuf, k.out.mode.hdisplay, k.out.mode.vdisplay);
	else
		printf("kiosk: path: copy into dumb buffers (the display has no heap of its own)\n");
	fflush(stdout);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = run(&k, &o) ? 1 : 0;
out:
	for (i = 0; i < k.nbuf; i++)
		heap_fb_destroy(&k.fb[i], &k.out);
	output_fini(&k.out);
	close(fd);
	free(k.frame);
	free(k.base);
	free(pic.rgb);
	return ret;
}
