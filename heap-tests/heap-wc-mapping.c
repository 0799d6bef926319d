// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own view of a write-combined heap buffer's memory, named
 * by HEAP=<region>-uncached: no cacheable kernel alias of its pages
 * exists while the buffer lives.
 *
 * A buffer's pages are found from its user mapping (/proc/self/pagemap,
 * as root); their kernel alias, if they are RAM, in the linear map as
 * the Arm page-table dump in debugfs shows it (kernel_page_tables). The
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
#define LINEAR_START 0xc0000000UL	/* PAGE_OFFSET of the 3G/1G split */
#define BUF_SIZE (1 << 20)

/* Physical address of the page at P, mapped and touched; 0 if unknown. */
static uint64_t phys_of(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), (uintptr_t)p / page * sizeof(entry)) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry >> 63 & 1) || !(entry & ((1ULL << 55) - 1)))
		return 0;	/* not present, or PFNs hidden (not root) */
	return (entry & ((1ULL << 55) - 1)) * page;
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
 * The attributes of the kernel's linear mapping of VA, as the page-table
 * dump prints them, into ATTRS; 0 if VA is mapped there, -1 if not.
 */
static int kernel_attrs(unsigned long va, char *attrs, size_t len)
{
	char line[256], *p;
	unsigned long lo, hi;
	int in_linear = 0, ret = -1;
	FILE *f = fopen(PAGE_TABLES, "r");

	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "---[", 4)) {
			in_linear = !!strstr(line, "Kernel Mapping");
			continue;
		}
		if (!in_linear || sscanf(line, "0x%lx-0x%lx", &lo, &hi) != 2 ||
		    va < lo || va >= hi)
			continue;
		line[strcspn(line, "\n")] = 0;
		p = strstr(line, "MEM/");
		snprintf(attrs, len, "%s", p ? p : line);
		ret = 0;
	}
	fclose(f);
	return ret;
}

struct alias {
	uint64_t phys;
	int is_ram;
	char attrs[256];	/* of the linear alias; "" if none */
};

/* Where a buffer of HEAP lies and how the kernel maps it there. */
static int buffer_alias(const char *heap, struct alias *a)
{
	uint64_t base = 0;
	int heap_fd = heap_open(heap), buf;
	char *map;

	memset(a, 0, sizeof(*a));
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
	a->phys = phys_of(map + BUF_SIZE / 2);
	a->is_ram = a->phys && in_ram(a->phys, &base);
	if (a->is_ram)
		kernel_attrs(LINEAR_START + (unsigned long)(a->phys - base),
			     a->attrs, sizeof(a->attrs));
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
		TH_LOG("cannot find the buffer's pages (run as root)");
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
	ASSERT_EQ(0, kernel_attrs(LINEAR_START + (unsigned long)(a.phys - base),
				  attrs, sizeof(attrs)));
	EXPECT_NE(NULL, strstr(attrs, "MEM/CACHED")) TH_LOG("after free: %s", attrs);
}

TEST_HARNESS_MAIN
