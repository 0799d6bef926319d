// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own view of a write-combined heap buffer's memory, named
 * by HEAP=<region>-uncached: no cacheable kernel alias of its pages
 * exists while the buffer lives.
 *
 * A buffer's pages are found from its pool's CMA allocation bitmap in
 * debugfs (a no-map pool is found from the device tree); their kernel
 * alias, if they are RAM, in the linear map as the Arm page-table dump
 * in debugfs shows it (kernel_page_tables). The
 * same check on a buffer of the region's cached heap, where there is
 * one, must see a cached alias: the test tells the two apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kms.h"
#include "kselftest_harness.h"

#define PAGE_TABLES "/sys/kernel/debug/kernel_page_tables"
#define BUF_SIZE (1 << 20)

/* The CMA area's allocation bitmap (debugfs): its words, or -1. */
static int read_bitmap(const char *area, uint32_t *words, int max)
{
	char path[192];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/bitmap", area);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (n < max && fscanf(f, "%" SCNu32, &words[n]) == 1)
		n++;
	fclose(f);
	return n;
}

/*
 * The physical address of the first page that became used in AREA
 * between the bitmaps BEFORE and AFTER of N words; 0 if none.
 */
static uint64_t first_new_page(const char *area, const uint32_t *before,
			       const uint32_t *after, int n)
{
	char path[192];
	long base, order, page = sysconf(_SC_PAGESIZE);
	int w, b;

	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/base_pfn", area);
	base = read_number(path, NULL);
	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/order_per_bit", area);
	order = read_number(path, NULL);
	if (base < 0 || order < 0)
		return 0;
	for (w = 0; w < n; w++)
		for (b = 0; b < 32; b++)
			if ((after[w] & ~before[w]) >> b & 1)
				return ((uint64_t)base + ((uint64_t)(w * 32 + b) << order)) * page;
	return 0;
}

/* The base of a reserved-memory region, from the device tree; 0 if unknown. */
static uint64_t region_base(const char *region)
{
	char path[192];
	unsigned char cells[16];
	uint64_t base = 0;
	size_t n, i, acells;
	FILE *f;

	acells = 2;
	f = fopen("/proc/device-tree/reserved-memory/#address-cells", "r");
	if (f) {
		if (fread(cells, 1, 4, f) == 4)
			acells = cells[3];
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/device-tree/reserved-memory/%s/reg", region);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(cells, 1, sizeof(cells), f);
	fclose(f);
	for (i = 0; i < acells * 4 && i < n; i++)
		base = base << 8 | cells[i];
	return base;
}

/*
 * Whether PHYS is RAM (a "System RAM" range of /proc/iomem); *START gets
 * the start of the first one, where the linear map begins.
 */
static int in_ram(uint64_t phys, uint64_t *start)
{
	char line[256];
	uint64_t lo, hi;
	int first = 1, found = 0;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == ' ' || !strstr(line, "System RAM") ||
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) != 2)
			continue;
		if (first)
			*start = lo;
		first = 0;
		found |= phys >= lo && phys <= hi;
	}
	fclose(f);
	return found;
}

/*
 * The attributes of the kernel's linear mapping of the page OFFSET bytes
 * into RAM, as the page-table dump prints them, into ATTRS; 0 if it is
 * mapped there, -1 if not. The linear map is the "Kernel Mapping"
 * section, which starts at PAGE_OFFSET with the first byte of RAM.
 */
static int kernel_attrs(uint64_t offset, char *attrs, size_t len)
{
	char line[256], *p;
	unsigned long lo, hi, va = 0;
	int in_linear = 0, ret = -1;
	FILE *f = fopen(PAGE_TABLES, "r");

	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "---[", 4)) {
			in_linear = !!strstr(line, "Kernel Mapping");
			continue;
		}
		if (!in_linear || sscanf(line, "0x%lx-0x%lx", &lo, &hi) != 2)
			continue;
		if (!va)
			va = lo + offset;
		if (va < lo || va >= hi)
			continue;
		line[strcspn(line, "\n")] = 0;
		p = strstr(line, "MEM/");
		snprintf(attrs, len, "%s", p ? p : line);
		ret = 0;
	}
	fclose(f);
	return ret;
}

#define MAX_WORDS 8192

struct alias {
	uint64_t phys;
	int is_ram;
	char attrs[256];	/* of the linear alias; "" if none */
};

/*
 * Where a buffer of HEAP lies (its first page, from the pool's CMA
 * bitmap; a no-map pool's base otherwise) and how the kernel maps that
 * page in its linear map while the buffer, written through its mmap,
 * is alive.
 */
static int buffer_alias(const char *heap, struct alias *a)
{
	static uint32_t before[MAX_WORDS], after[MAX_WORDS];
	char area[128];
	uint64_t base = 0;
	int heap_fd, buf, n;
	char *map;

	memset(a, 0, sizeof(*a));
	heap_region(heap, area, sizeof(area));
	n = read_bitmap(area, before, MAX_WORDS);
	heap_fd = heap_open(heap);
	if (heap_fd < 0)
		return -errno;
	buf = heap_alloc(heap_fd, BUF_SIZE);
	close(heap_fd);
	if (buf < 0)
		return buf;
	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (map == MAP_FAILED) {
		close(buf);
		return -errno;
	}
	memset(map, 0x5a, BUF_SIZE);
	if (n > 0 && read_bitmap(area, after, MAX_WORDS) == n)
		a->phys = first_new_page(area, before, after, n);
	else if (n < 0)
		a->phys = region_base(area);
	a->is_ram = a->phys && in_ram(a->phys, &base);
	if (a->is_ram)
		kernel_attrs(a->phys - base, a->attrs, sizeof(a->attrs));
	munmap(map, BUF_SIZE);
	close(buf);
	return a->phys ? 0 : -ENXIO;
}

FIXTURE(wc) {
	const char *heap;
	char cached[128];
};

FIXTURE_SETUP(wc)
{
	self->heap = getenv("HEAP");
	if (!self->heap || !heap_is_wc(self->heap))
		SKIP(return, "set HEAP to a write-combined (-uncached) heap");
	ASSERT_EQ(0, access(PAGE_TABLES, R_OK))
		TH_LOG("no %s: build with CONFIG_ARM_PTDUMP_DEBUGFS and mount debugfs",
		       PAGE_TABLES);
	heap_region(self->heap, self->cached, sizeof(self->cached));
}

FIXTURE_TEARDOWN(wc)
{
}

TEST_F(wc, buffer_has_no_cacheable_kernel_alias)
{
	struct alias a;

	ASSERT_EQ(0, buffer_alias(self->heap, &a))
		TH_LOG("cannot find the buffer's pages (run as root, with debugfs)");
	if (!a.is_ram) {
		TH_LOG("%s: buffer at %#" PRIx64 ", outside RAM: no linear alias",
		       self->heap, a.phys);
		return;
	}
	/* The boards' pools are lowmem: their pages have a linear alias. */
	TH_LOG("%s: buffer at %#" PRIx64 ", kernel alias: %s", self->heap, a.phys,
	       a.attrs[0] ? a.attrs : "not found");
	EXPECT_EQ(NULL, strstr(a.attrs, "CACHED"));
	EXPECT_NE(NULL, strstr(a.attrs, "MEM/BUFFERABLE/WC"));
}

/* The control: the same region's cached heap has a cached alias. */
TEST_F(wc, cached_twin_has_a_cached_alias)
{
	struct alias a;
	char path[160];

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", self->cached);
	if (access(path, F_OK))
		SKIP(return, "%s has no cached heap (not a CMA pool)", self->cached);
	ASSERT_EQ(0, buffer_alias(self->cached, &a));
	ASSERT_TRUE(a.is_ram);
	TH_LOG("%s: buffer at %#" PRIx64 ", kernel alias: %s", self->cached, a.phys,
	       a.attrs);
	EXPECT_NE(NULL, strstr(a.attrs, "MEM/CACHED"));
}

/* Freed pages go back to the pool mapped as the rest of RAM. */
TEST_F(wc, alias_is_cached_again_after_free)
{
	uint64_t base = 0;
	struct alias a;
	char attrs[256] = "";

	ASSERT_EQ(0, buffer_alias(self->heap, &a));
	if (!a.is_ram)
		SKIP(return, "%s lies outside RAM", self->heap);
	ASSERT_TRUE(in_ram(a.phys, &base));
	ASSERT_EQ(0, kernel_attrs(a.phys - base, attrs, sizeof(attrs)));
	EXPECT_NE(NULL, strstr(attrs, "MEM/CACHED")) TH_LOG("after free: %s", attrs);
}

TEST_HARNESS_MAIN
