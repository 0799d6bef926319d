// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the links from devices to the CMA heaps of their pools.
 *
 * The registry is driven with stand-in areas and heaps (it only compares
 * and stores their pointers), so every order of heaps and devices can be
 * checked; cma_heap_dev_add() is checked against the running kernel and
 * the board's own reserved-memory regions.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/dma-buf/heaps/cma.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>
#include <linux/kernfs.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>

#include "cma_heap.h"

#define NR_FAKES 3

struct fake_heaps {
	u8 areas[NR_FAKES];		/* their addresses stand for CMA areas */
	u8 heaps[NR_FAKES];		/* and these for heaps */
	int links[NR_FAKES];		/* devices linking each heap now */
	struct device *last_linked[NR_FAKES];
	int link_calls;
	int unlink_calls;
	int fail_link;			/* errno the next link returns */
};

static struct fake_heaps *fakes;

static struct cma *fake_area(int i)
{
	return (struct cma *)&fakes->areas[i];
}

static struct dma_heap *fake_heap(int i)
{
	return (struct dma_heap *)&fakes->heaps[i];
}

static int heap_index(struct dma_heap *heap)
{
	return (u8 *)heap - fakes->heaps;
}

static int fake_link(struct dma_heap *heap, struct device *dev)
{
	fakes->link_calls++;
	if (fakes->fail_link) {
		int err = fakes->fail_link;

		fakes->fail_link = 0;
		return err;
	}
	fakes->links[heap_index(heap)]++;
	fakes->last_linked[heap_index(heap)] = dev;
	return 0;
}

/* As dma_heap_unlink_device(): nothing if @dev does not link @heap */
static void fake_unlink(struct dma_heap *heap, struct device *dev)
{
	fakes->unlink_calls++;
	if (fakes->links[heap_index(heap)] > 0)
		fakes->links[heap_index(heap)]--;
}

static const struct cma_heap_registry_ops fake_ops = {
	.link = fake_link,
	.unlink = fake_unlink,
};

static struct cma_heap_registry *new_registry(struct kunit *test)
{
	struct cma_heap_registry *reg;

	fakes = kunit_kzalloc(test, sizeof(*fakes), GFP_KERNEL);
	reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fakes);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	reg->ops = &fake_ops;
	mutex_init(&reg->lock);
	INIT_LIST_HEAD(&reg->heaps);
	INIT_LIST_HEAD(&reg->users);
	test->priv = reg;
	return reg;
}

static struct device *new_device(struct kunit *test, const char *name)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	return dev;
}

static void registry_exit(struct kunit *test)
{
	if (test->priv)
		cma_heap_registry_forget(test->priv);
}

/* The heap is there first: the device links it at once. */
static void test_heap_then_device(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-late-dev");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(0)), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->last_linked[0], dev);
}

/* The device is there first (a heap module loaded later): linked then. */
static void test_device_then_heap(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-early-dev");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(1), fake_heap(1)), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->last_linked[1], dev);
}

/* Adding a device again while it is there changes nothing. */
static void test_device_added_again(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-again");
	int i;

	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(0)), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 1);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
}

/* An area with two heaps: both linked, both unlinked. */
static void test_area_with_two_heaps(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-two");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(0)), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(1)), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 0);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 0);
}

/* Every device of an area links its heap; removing one leaves the other. */
static void test_every_device_links(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *a = new_device(test, "cma-heap-test-a");
	struct device *b = new_device(test, "cma-heap-test-b");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), a), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(2), fake_heap(2)), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), b), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[2], 2);
	cma_heap_registry_remove(reg, a);
	KUNIT_EXPECT_EQ(test, fakes->links[2], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->last_linked[2], b);
}

/* Other areas' heaps are not linked. */
static void test_other_areas_untouched(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-other");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(0)), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(2), fake_heap(2)), 0);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 0);
}

/* An unbound device's link goes; the heap stays; a rebind links again. */
static void test_remove_and_add_again(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-rebind");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(1), fake_heap(1)), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 0);
	KUNIT_EXPECT_EQ(test, fakes->unlink_calls, 1);

	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, fakes->unlink_calls, 1);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
}

/* A device gone before its heap is made is not linked when it is. */
static void test_removed_before_heap(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-gone");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), dev), 0);
	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(2), fake_heap(2)), 0);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 0);
}

/* A failed link undoes the device's others and leaves it unrecorded. */
static void test_failed_link_on_add(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-nolink");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(0)), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(1)), 0);
	fakes->fail_link = -ENOMEM;
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), -ENOMEM);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 0);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&reg->users));

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
}

/* A link that fails when a heap comes is logged; the device stays. */
static void test_failed_link_on_publish(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-nolink-late");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	fakes->fail_link = -ENOMEM;
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(0)), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), fake_heap(1)), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->last_linked[1], dev);
}

static void test_null_is_invalid(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);

	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, NULL, fake_heap(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_publish(reg, fake_area(0), NULL), -EINVAL);
	KUNIT_EXPECT_TRUE(test, list_empty(&reg->heaps));
}

static struct kunit_case cma_heap_registry_cases[] = {
	KUNIT_CASE(test_heap_then_device),
	KUNIT_CASE(test_device_then_heap),
	KUNIT_CASE(test_device_added_again),
	KUNIT_CASE(test_area_with_two_heaps),
	KUNIT_CASE(test_every_device_links),
	KUNIT_CASE(test_other_areas_untouched),
	KUNIT_CASE(test_remove_and_add_again),
	KUNIT_CASE(test_removed_before_heap),
	KUNIT_CASE(test_failed_link_on_add),
	KUNIT_CASE(test_failed_link_on_publish),
	KUNIT_CASE(test_null_is_invalid),
	{}
};

static struct kunit_suite cma_heap_registry_suite = {
	.name = "cma_heap_registry",
	.exit = registry_exit,
	.test_cases = cma_heap_registry_cases,
};

/* The driver API, on the running kernel's own registry. */

static void test_api_rejects_null(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(NULL), -EINVAL);
}

static void test_api_device_without_area(struct kunit *test)
{
	struct device *dev = new_device(test, "cma-heap-test-none");

	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), -ENODEV);
}

static bool has_heap_links(struct device *dev)
{
	struct kernfs_node *kn = kernfs_find_and_get(dev->kobj.sd, "dma_heaps");

	kernfs_put(kn);
	return kn;
}

static bool area_has_heap(struct cma *cma)
{
	struct cma_heap_entry *entry;
	bool found = false;

	mutex_lock(&cma_heaps.lock);
	list_for_each_entry(entry, &cma_heaps.heaps, node)
		found |= entry->cma == cma;
	mutex_unlock(&cma_heaps.lock);
	return found;
}

/*
 * The default area is everyone's: a device given it as its own is
 * refused, and links nothing.
 */
static void test_api_device_of_default_area_is_refused(struct kunit *test)
{
	struct device *dev = new_device(test, "cma-heap-test-default");
	struct cma *cma = dev_get_cma_area(NULL);

	if (!cma)
		kunit_skip(test, "no default CMA area");
	dev->cma_area = cma;
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), -EINVAL);
	KUNIT_EXPECT_FALSE(test, has_heap_links(dev));
	dev->cma_area = NULL;
}

/* The CMA area of a device's own pool on this board, if there is one */
static struct cma *board_pool_area(void)
{
	struct device_node *np, *pool;
	struct reserved_mem *rmem;
	struct cma *cma = NULL;

	for_each_node_with_property(np, "memory-region") {
		pool = of_parse_phandle(np, "memory-region", 0);
		rmem = NULL;
		if (pool && of_device_is_compatible(pool, "shared-dma-pool") &&
		    of_device_is_available(pool) &&
		    of_property_read_bool(pool, "reusable") &&
		    !of_property_read_bool(pool, "linux,cma-default"))
			rmem = of_reserved_mem_lookup(pool);
		of_node_put(pool);
		if (rmem && rmem->priv) {
			cma = rmem->priv;
			of_node_put(np);
			break;
		}
	}
	return cma;
}

/*
 * A device given a pool of its own is recorded, again and again without
 * harm; it links the area's heaps if the CMA heap has made them (at boot
 * a modular one has not), and the link goes with the device's binding.
 */
static void test_api_device_of_its_own_pool(struct kunit *test)
{
	struct device *dev = new_device(test, "cma-heap-test-pool");
	struct cma *cma = board_pool_area();

	if (!cma)
		kunit_skip(test, "no device has a CMA pool of its own here");
	dev->cma_area = cma;
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), 0);
	KUNIT_EXPECT_EQ(test, has_heap_links(dev), area_has_heap(cma));

	device_release_driver(dev);
	KUNIT_EXPECT_FALSE(test, has_heap_links(dev));
	dev->cma_area = NULL;
}

static struct kunit_case cma_heap_api_cases[] = {
	KUNIT_CASE(test_api_rejects_null),
	KUNIT_CASE(test_api_device_without_area),
	KUNIT_CASE(test_api_device_of_default_area_is_refused),
	KUNIT_CASE(test_api_device_of_its_own_pool),
	{}
};

static struct kunit_suite cma_heap_api_suite = {
	.name = "cma_heap_api",
	.test_cases = cma_heap_api_cases,
};

kunit_test_suites(&cma_heap_registry_suite, &cma_heap_api_suite);

MODULE_DESCRIPTION("KUnit tests for the links to CMA dma-buf heaps");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
