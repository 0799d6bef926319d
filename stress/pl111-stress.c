// SPDX-License-Identifier: GPL-2.0
/*
 * pl111-stress: a seeded, time-bounded random mix of everything a user
 * of the PL111's heaps does, from two processes at once.
 *
 * Each process allocates buffers of random sizes from every dma-buf
 * heap, maps them and writes and reads them between SYNC ioctls, imports
 * them into pl111 (buffers of the display's own pool must import, all
 * others must be refused with EINVAL), adds and removes framebuffers on
 * them, shows them with atomic commits and page flips, closes things in
 * random order, and now and then unbinds and rebinds pl111. Every few
 * seconds both processes close the display (keeping their heap buffers)
 * while pl111 is unloaded and loaded again.
 *
 * An operation ends in one of three ways: done, refused for a reason
 * the stress provokes on purpose (the pool ran out, the other process
 * is DRM master, the display was unbound under the call), or failed.
 * Any failure makes the exit status 1. The seed is printed; giving it
 * back with -s replays each process's sequence of operations (their
 * interleaving follows timing).
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "kms.h"

#define WORKERS		2
#define MAX_BUFS	12
#define MAX_HEAPS	16
#define MIN_SIZE	4096
#define MAX_SIZE	(4 << 20)
#define DRIVER_DIR	"/sys/bus/amba/drivers/drm-clcd-pl111"

enum op {
	OP_ALLOC, OP_FREE, OP_MAP_SYNC, OP_IMPORT, OP_CLOSE_HANDLE,
	OP_ADDFB, OP_RMFB, OP_COMMIT, OP_FLIP, OP_REBIND, OP_RELOAD, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"alloc", "free", "map+sync", "import", "close-handle",
	"addfb", "rmfb", "commit", "flip", "rebind", "reload",
};

/* How often a worker picks each operation, in parts of the sum. */
static const int op_weights[OP_COUNT] = {
	[OP_ALLOC] = 20, [OP_FREE] = 12, [OP_MAP_SYNC] = 10, [OP_IMPORT] = 12,
	[OP_CLOSE_HANDLE] = 6, [OP_ADDFB] = 10, [OP_RMFB] = 6, [OP_COMMIT] = 6,
	[OP_FLIP] = 8, [OP_REBIND] = 1,
};

enum outcome { DONE, REFUSED, FAILED };

/* Counters the workers share with the parent, which prints them. */
struct shared {
	long count[OP_COUNT][3];
	long iterations;
	int pause;		/* the parent wants the display closed */
	int paused;		/* workers that have closed it */
};

struct heap {
	char name[256];
	int fd;
	int display;		/* the pool of the display: imports must work */
};

struct buf {
	int fd;			/* -1: the slot is free */
	size_t size;
	const struct heap *heap;
	uint32_t handle;	/* GEM handle on the current display file */
	uint32_t fb_id;
	uint32_t width, height;
};

struct worker {
	int id;
	unsigned int rng;
	int drm;		/* -1 while the display is closed */
	struct output out;
	int have_output;
	struct buf bufs[MAX_BUFS];
};

static struct shared *sh;
static struct heap heaps[MAX_HEAPS];
static int nheaps;
static char device[256];

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->rng) % n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note(struct worker *w, enum op op, enum outcome o, int err)
{
	__atomic_fetch_add(&sh->count[op][o], 1, __ATOMIC_RELAXED);
	if (o == FAILED)
		printf("pl111-stress: process %d: %s failed: %s\n", w->id,
		       op_names[op], strerror(err));
}

/* The heaps in /dev/dma_heap, and which of them are the display's. */
static int find_heaps(void)
{
	char path[600];
	struct dirent *e;
	DIR *d = opendir("/dev/dma_heap");

	if (!d) {
		perror("pl111-stress: /dev/dma_heap");
		return -1;
	}
	while ((e = readdir(d)) && nheaps < MAX_HEAPS) {
		struct heap *h = &heaps[nheaps];

		if (e->d_name[0] == '.')
			continue;
		snprintf(h->name, sizeof(h->name), "%s", e->d_name);
		h->fd = heap_open(h->name);
		if (h->fd < 0) {
			fprintf(stderr, "pl111-stress: cannot open heap %s: %s\n",
				h->name, strerror(errno));
			closedir(d);
			return -1;
		}
		snprintf(path, sizeof(path), "/sys/bus/amba/devices/%s/dma_heaps/%s",
			 device, h->name);
		h->display = access(path, F_OK) == 0;
		nheaps++;
	}
	closedir(d);
	return nheaps ? 0 : -1;
}

/* The device pl111 drives, from its driver's folder in sysfs. */
static int find_device(void)
{
	struct dirent *e;
	DIR *d = opendir(DRIVER_DIR);

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strchr(e->d_name, '.') && e->d_name[0] != '.') {
			snprintf(device, sizeof(device), "%s", e->d_name);
			break;
		}
	closedir(d);
	return device[0] ? 0 : -1;
}

/* Forget the display file: its handles and framebuffers die with it. */
static void close_display(struct worker *w)
{
	int i;

	if (w->drm < 0)
		return;
	if (w->have_output)
		output_fini(&w->out);
	close(w->drm);
	w->drm = -1;
	w->have_output = 0;
	for (i = 0; i < MAX_BUFS; i++)
		w->bufs[i].handle = w->bufs[i].fb_id = 0;
}

/* The display's file, opened again if it was lost; -1 while pl111 is
 * not bound. A new file gives up the DRM master role it is born with,
 * so that either process can take it for a commit. */
static int display(struct worker *w)
{
	if (w->drm >= 0)
		return w->drm;
	w->drm = open_driver("pl111");
	if (w->drm < 0)
		return -1;
	drmDropMaster(w->drm);
	w->have_output = !output_init(&w->out, w->drm, 0, 0);
	return w->drm;
}

/*
 * The outcome of a DRM call that returned ERR: a display that went
 * away under it (pl111 unbound by the other process) is a refusal the
 * stress provokes, and the file is given up.
 */
static enum outcome drm_outcome(struct worker *w, int err)
{
	if (err == ENODEV) {
		close_display(w);
		return REFUSED;
	}
	return FAILED;
}

static struct buf *pick(struct worker *w, int used)
{
	int start = rnd(w, MAX_BUFS), i;

	for (i = 0; i < MAX_BUFS; i++) {
		struct buf *b = &w->bufs[(start + i) % MAX_BUFS];

		if ((b->fd >= 0) == used)
			return b;
	}
	return NULL;
}

static size_t frame_size(struct worker *w)
{
	return w->have_output ? (size_t)w->out.mode.hdisplay * w->out.mode.vdisplay * 4 : 0;
}

static enum outcome op_alloc(struct worker *w)
{
	struct buf *b = pick(w, 0);
	const struct heap *h = &heaps[rnd(w, nheaps)];
	size_t size;
	int fd;

	if (!b)
		return REFUSED;
	/* Sizes spread over 4 KiB..4 MiB in powers of two, odd ones too,
	 * and now and then exactly one frame of the display. */
	size = (size_t)MIN_SIZE << rnd(w, 11);
	if (rnd(w, 2))
		size += rnd(w, size);
	if (size > MAX_SIZE)
		size = MAX_SIZE;
	if (!rnd(w, 4) && frame_size(w))
		size = frame_size(w);
	fd = heap_alloc(h->fd, size);
	/* The pool ran out, or (the display's write-combined heap) pl111
	 * is unbound right now */
	if (fd == -ENOMEM || (fd == -ENODEV && h->display))
		return REFUSED;
	if (fd < 0) {
		errno = -fd;
		return FAILED;
	}
	*b = (struct buf){ .fd = fd, .size = size, .heap = h };
	return DONE;
}

static void drop_fb(struct worker *w, struct buf *b)
{
	if (b->fb_id && w->drm >= 0)
		drmModeRmFB(w->drm, b->fb_id);
	b->fb_id = 0;
}

static void drop_handle(struct worker *w, struct buf *b)
{
	drop_fb(w, b);
	if (b->handle && w->drm >= 0)
		drmCloseBufferHandle(w->drm, b->handle);
	b->handle = 0;
}

static enum outcome op_free(struct worker *w)
{
	struct buf *b = pick(w, 1);

	if (!b)
		return REFUSED;
	/* Half the time the dma-buf goes first and the display's handle
	 * keeps the buffer alive until it goes too. */
	if (rnd(w, 2)) {
		close(b->fd);
		drop_handle(w, b);
	} else {
		drop_handle(w, b);
		close(b->fd);
	}
	b->fd = -1;
	return DONE;
}

static enum outcome op_map_sync(struct worker *w)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct buf *b = pick(w, 1);
	uint32_t *p, stamp = rand_r(&w->rng);
	size_t last;
	int err;

	if (!b)
		return REFUSED;
	p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED)	/* as above: no new mapping while unbound */
		return errno == ENODEV && b->heap->display ? REFUSED : FAILED;
	last = b->size / 4 - 1;
	if (ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync))
		goto fail;
	p[0] = stamp;
	p[last] = ~stamp;
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync))
		goto fail;
	if (p[0] != stamp || p[last] != ~stamp) {
		munmap(p, b->size);
		errno = EIO;		/* what was written did not read back */
		return FAILED;
	}
	munmap(p, b->size);
	return DONE;
fail:
	err = errno;
	munmap(p, b->size);
	errno = err;
	return FAILED;
}

static enum outcome op_import(struct worker *w)
{
	struct buf *b = pick(w, 1);
	uint32_t handle;

	if (!b || b->handle)
		return REFUSED;
	if (display(w) < 0)
		return REFUSED;
	if (drmPrimeFDToHandle(w->drm, b->fd, &handle)) {
		int err = errno;

		/* pl111 with a pool takes nothing from outside it */
		if (err == EINVAL && !b->heap->display)
			return REFUSED;
		errno = err;
		return drm_outcome(w, err);
	}
	if (!b->heap->display) {
		drmCloseBufferHandle(w->drm, handle);
		errno = EEXIST;		/* a buffer outside the pool was taken */
		return FAILED;
	}
	b->handle = handle;
	return DONE;
}

static enum outcome op_close_handle(struct worker *w)
{
	struct buf *b = pick(w, 1);

	if (!b || !b->handle)
		return REFUSED;
	drop_handle(w, b);
	return DONE;
}

/* An XRGB8888 framebuffer of WIDTH x HEIGHT on B's handle: 0, or -1 with errno. */
static int add_fb(struct worker *w, struct buf *b, uint32_t width, uint32_t height)
{
	uint32_t handles[4] = { b->handle }, pitches[4] = { width * 4 }, offsets[4] = { 0 };

	if (drmModeAddFB2(w->drm, width, height, DRM_FORMAT_XRGB8888, handles,
			  pitches, offsets, &b->fb_id, 0)) {
		b->fb_id = 0;
		return -1;
	}
	b->width = width;
	b->height = height;
	return 0;
}

static enum outcome op_addfb(struct worker *w)
{
	struct buf *b = pick(w, 1);
	uint32_t width, height;

	if (!b || !b->handle || b->fb_id)
		return REFUSED;
	/* A full frame if the buffer holds one, else a strip that fits */
	if (w->have_output && b->size >= frame_size(w)) {
		width = w->out.mode.hdisplay;
		height = w->out.mode.vdisplay;
	} else {
		/* every buffer holds at least one line of 1024 */
		width = 64 << rnd(w, 5);
		height = b->size / (width * 4);
		if (height > 768)
			height = 768;
	}
	return add_fb(w, b, width, height) ? drm_outcome(w, errno) : DONE;
}

static enum outcome op_rmfb(struct worker *w)
{
	struct buf *b = pick(w, 1);

	if (!b || !b->fb_id)
		return REFUSED;
	if (drmModeRmFB(w->drm, b->fb_id) && errno != ENODEV)
		return FAILED;
	b->fb_id = 0;
	return DONE;
}

/* A framebuffer of the whole mode, to show. */
static struct buf *full_frame(struct worker *w)
{
	int i;

	for (i = 0; i < MAX_BUFS; i++) {
		struct buf *b = &w->bufs[(w->rng + i) % MAX_BUFS];

		if (b->fd >= 0 && b->fb_id && w->have_output &&
		    b->width == w->out.mode.hdisplay && b->height == w->out.mode.vdisplay)
			return b;
	}
	return NULL;
}

/*
 * A new frame of the whole mode in a display heap, imported and with a
 * framebuffer, for show() to use when the random mix left none: NULL
 * if a slot, the pool or the display is missing right now. (Each of
 * these steps is checked on its own by the operations above.)
 */
static struct buf *new_full_frame(struct worker *w)
{
	struct buf *b = pick(w, 0);
	const struct heap *h = &heaps[rnd(w, nheaps)];
	int tries;

	for (tries = 0; !h->display && tries < 4 * nheaps; tries++)
		h = &heaps[rnd(w, nheaps)];
	if (!b || !h->display)
		return NULL;
	*b = (struct buf){ .fd = heap_alloc(h->fd, frame_size(w)),
			   .size = frame_size(w), .heap = h };
	if (b->fd < 0) {
		b->fd = -1;
		return NULL;
	}
	if (drmPrimeFDToHandle(w->drm, b->fd, &b->handle) ||
	    add_fb(w, b, w->out.mode.hdisplay, w->out.mode.vdisplay))
		goto fail;
	return b;
fail:
	drop_handle(w, b);
	close(b->fd);
	b->fd = -1;
	return NULL;
}

/* Show a full frame as DRM master: a modeset commit or a page flip. */
static enum outcome show(struct worker *w, int flip)
{
	struct buf *b;
	int ret, err;

	if (display(w) < 0 || !w->have_output)
		return REFUSED;
	b = full_frame(w);
	if (!b)
		b = new_full_frame(w);
	if (!b)
		return REFUSED;
	if (drmSetMaster(w->drm))
		return errno == EBUSY || errno == EACCES ? REFUSED : drm_outcome(w, errno);
	if (flip) {
		ret = output_flip(&w->out, b->fb_id);
		if (!ret)
			ret = output_wait_flip(&w->out, 2000);
	} else {
		ret = output_show(&w->out, b->fb_id, 0);
	}
	err = -ret;
	w->out.flip_pending = 0;
	if (w->drm >= 0)
		drmDropMaster(w->drm);
	if (!ret)
		return DONE;
	/* A flip needs the pipe on: the other process may have switched
	 * it off by removing the framebuffer it showed. */
	if (flip && (err == EINVAL || err == EBUSY))
		return REFUSED;
	if (err == ETIMEDOUT && drmModeRmFB(w->drm, 0) && errno == ENODEV)
		err = ENODEV;
	errno = err;
	return drm_outcome(w, err);
}

static int device_bound(void)
{
	char path[320];

	snprintf(path, sizeof(path), DRIVER_DIR "/%s", device);
	return access(path, F_OK) == 0;
}

static enum outcome op_rebind(struct worker *w)
{
	int ret, tries;

	close_display(w);
	ret = write_sysfs(DRIVER_DIR "/unbind", device);
	if (ret == -ENODEV)
		return REFUSED;		/* the parent is reloading pl111 */
	/*
	 * The bridge stays attached to the old DRM device until its last
	 * file is closed, and DRM refuses it to a new one until then
	 * (EBUSY). The other process closes its file once a call of its
	 * own fails with ENODEV: wait for that. EBUSY also means that
	 * the device is bound already, by the other process or the parent.
	 */
	for (tries = 0; !ret; tries++) {
		ret = write_sysfs(DRIVER_DIR "/bind", device);
		if (ret != -EBUSY || tries == 200)
			break;
		if (device_bound())
			return DONE;
		ret = 0;
		usleep(100000);
	}
	errno = -ret;
	return ret ? FAILED : DONE;
}

static enum outcome run_op(struct worker *w, enum op op)
{
	switch (op) {
	case OP_ALLOC:		return op_alloc(w);
	case OP_FREE:		return op_free(w);
	case OP_MAP_SYNC:	return op_map_sync(w);
	case OP_IMPORT:		return op_import(w);
	case OP_CLOSE_HANDLE:	return op_close_handle(w);
	case OP_ADDFB:		return op_addfb(w);
	case OP_RMFB:		return op_rmfb(w);
	case OP_COMMIT:		return show(w, 0);
	case OP_FLIP:		return show(w, 1);
	case OP_REBIND:		return op_rebind(w);
	default:		return REFUSED;
	}
}

static enum op pick_op(struct worker *w)
{
	int sum = 0, n, op;

	for (op = 0; op < OP_COUNT; op++)
		sum += op_weights[op];
	n = rnd(w, sum);
	for (op = 0; n >= op_weights[op]; op++)
		n -= op_weights[op];
	return op;
}

/* While the parent reloads pl111: no display file, heap buffers kept. */
static void wait_out_reload(struct worker *w)
{
	close_display(w);
	__atomic_fetch_add(&sh->paused, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->pause, __ATOMIC_SEQ_CST))
		usleep(10000);
	__atomic_fetch_sub(&sh->paused, 1, __ATOMIC_SEQ_CST);
}

static int worker(int id, unsigned int seed, double end)
{
	struct worker w = { .id = id, .rng = seed, .drm = -1 };
	int i, failed = 0;

	for (i = 0; i < MAX_BUFS; i++)
		w.bufs[i].fd = -1;
	while (now() < end) {
		enum op op = pick_op(&w);
		enum outcome o;

		if (__atomic_load_n(&sh->pause, __ATOMIC_SEQ_CST))
			wait_out_reload(&w);
		o = run_op(&w, op);
		note(&w, op, o, errno);
		failed |= o == FAILED;
		__atomic_fetch_add(&sh->iterations, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < MAX_BUFS; i++)
		if (w.bufs[i].fd >= 0) {
			drop_handle(&w, &w.bufs[i]);
			close(w.bufs[i].fd);
		}
	close_display(&w);
	/* A finished worker holds no display: a reload need not wait */
	__atomic_fetch_add(&sh->paused, 1, __ATOMIC_SEQ_CST);
	return failed;
}

/* Unload and load pl111 while both workers keep only heap buffers. */
static enum outcome reload(void)
{
	int tries;

	__atomic_store_n(&sh->pause, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->paused, __ATOMIC_SEQ_CST) < WORKERS)
		usleep(10000);
	if (system("rmmod pl111_drm") || system("modprobe pl111_drm")) {
		__atomic_store_n(&sh->pause, 0, __ATOMIC_SEQ_CST);
		return FAILED;
	}
	/* Probing may wait for its bridge: give it a few seconds. */
	for (tries = 0; tries < 100 && !device_bound(); tries++)
		usleep(50000);
	__atomic_store_n(&sh->pause, 0, __ATOMIC_SEQ_CST);
	return DONE;
}

static void report(unsigned int seed, int seconds)
{
	int op;

	printf("pl111-stress: seed %u, %d s, %d processes, %ld operations\n",
	       seed, seconds, WORKERS, sh->iterations);
	for (op = 0; op < OP_COUNT; op++)
		printf("pl111-stress: %-12s %7ld done %7ld refused %4ld failed\n",
		       op_names[op], sh->count[op][DONE], sh->count[op][REFUSED],
		       sh->count[op][FAILED]);
	printf("pl111-stress: replay with: pl111-stress -s %u -t %d\n", seed, seconds);
}

static void usage(void)
{
	fprintf(stderr, "usage: pl111-stress [-s SEED] [-t SECONDS] [-r RELOAD_EVERY]\n"
		"Run as root, with pl111 bound and its heaps published.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int seed = time(NULL) ^ getpid();
	int seconds = 60, reload_every = 15, opt, i, failed = 0;
	pid_t pids[WORKERS];
	double end, next_reload;

	while ((opt = getopt(argc, argv, "s:t:r:")) != -1) {
		switch (opt) {
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 't': seconds = atoi(optarg); break;
		case 'r': reload_every = atoi(optarg); break;
		default: usage();
		}
	}
	if (seconds <= 0 || reload_every <= 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (find_device() || find_heaps()) {
		fprintf(stderr, "pl111-stress: no bound pl111 or no heap: load pl111_drm "
			"and the heap modules first\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("pl111-stress: mmap");
		return 2;
	}
	memset(sh, 0, sizeof(*sh));
	printf("pl111-stress: seed %u, %d s, device %s, heaps:", seed, seconds, device);
	for (i = 0; i < nheaps; i++)
		printf(" %s%s", heaps[i].name, heaps[i].display ? " (display)" : "");
	printf("\n");

	end = now() + seconds;
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("pl111-stress: fork");
			return 2;
		}
		if (!pids[i])
			_exit(worker(i, seed + i, end));
	}
	next_reload = now() + reload_every;
	while (now() < end - 1) {
		enum outcome o;

		usleep(100000);
		if (now() < next_reload)
			continue;
		o = reload();
		__atomic_fetch_add(&sh->count[OP_RELOAD][o], 1, __ATOMIC_RELAXED);
		if (o == FAILED) {
			printf("pl111-stress: reloading pl111 failed\n");
			failed = 1;
		}
		next_reload = now() + reload_every;
	}
	for (i = 0; i < WORKERS; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	for (i = 0; i < nheaps; i++)
		close(heaps[i].fd);
	report(seed, seconds);
	return failed;
}
