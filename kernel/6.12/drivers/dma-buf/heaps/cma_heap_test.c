// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the CMA heap's registry and its driver API.
 *
 * The registry is driven with stand-in areas and heaps (it only
 * compares and stores their pointers), so every order of calls can be
 * checked; the exported API is checked against the running kernel.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-buf/heaps/cma.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>
#include <linux/kernfs.h>

#include "cma_heap.h"

#define NR_FAKES 3

struct fake_heaps {
	u8 areas[NR_FAKES];		/* their addresses stand for CMA areas */
	u8 heaps[NR_FAKES];		/* and these for the heaps made */
	int created[NR_FAKES];
	int links[NR_FAKES];		/* devices linking each heap now */
	struct device *last_linked[NR_FAKES];
	int link_calls;
	int unlink_calls;
	int fail_create;		/* errno the next create returns */
	int fail_link;			/* errno the next link returns */
};

static struct fake_heaps *fakes;

static struct cma *fake_area(int i)
{
	return (struct cma *)&fakes->areas[i];
}

static int area_index(struct cma *cma)
{
	return (u8 *)cma - fakes->areas;
}

static int heap_index(struct dma_heap *heap)
{
	return (u8 *)heap - fakes->heaps;
}

static struct dma_heap *fake_create(struct cma *cma)
{
	int i = area_index(cma);

	if (fakes->fail_create) {
		int err = fakes->fail_create;

		fakes->fail_create = 0;
		return ERR_PTR(err);
	}
	fakes->created[i]++;
	return (struct dma_heap *)&fakes->heaps[i];
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

static void fake_unlink(struct dma_heap *heap, struct device *dev)
{
	fakes->unlink_calls++;
	fakes->links[heap_index(heap)]--;
}

static const struct cma_heap_registry_ops fake_ops = {
	.create = fake_create,
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
	INIT_LIST_HEAD(&reg->areas);
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

/* Areas added before the heap framework is up wait for it. */
static void test_added_before_start_waits(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), 0);
	KUNIT_EXPECT_EQ(test, fakes->created[0], 0);
	KUNIT_EXPECT_NULL(test, cma_heap_registry_find(reg, fake_area(0)));

	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, fakes->created[0], 1);
	KUNIT_EXPECT_PTR_EQ(test, cma_heap_registry_find(reg, fake_area(0)),
			    (struct dma_heap *)&fakes->heaps[0]);
}

/* Default area, tag and driver naming one area, before the start. */
static void test_one_heap_when_named_early(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-early");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[0], 1);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->last_linked[0], dev);
}

/* The same after the start: repeats reuse the heap and the link. */
static void test_one_heap_when_named_late(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-late");
	int i;

	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), NULL), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[1], 1);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 1);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
}

/* A driver publishing an area first tagged links the same heap. */
static void test_driver_after_tag(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-tag");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[2], 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), dev), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[2], 1);
	KUNIT_EXPECT_EQ(test, fakes->links[2], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->last_linked[2], dev);
}

/* Every device that publishes an area links its heap. */
static void test_every_device_links(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *a = new_device(test, "cma-heap-test-a");
	struct device *b = new_device(test, "cma-heap-test-b");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), a), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), b), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[0], 1);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 2);
	cma_heap_registry_remove(reg, a);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
}

/* An unbound device's link goes; the heap stays; a rebind links again. */
static void test_remove_and_add_again(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-rebind");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 0);
	KUNIT_EXPECT_EQ(test, fakes->unlink_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, cma_heap_registry_find(reg, fake_area(1)),
			    (struct dma_heap *)&fakes->heaps[1]);

	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, fakes->unlink_calls, 1);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[1], 1);
	KUNIT_EXPECT_EQ(test, fakes->created[1], 1);
}

/* A device gone before the start is not linked when the heap is made. */
static void test_removed_before_start(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-gone");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), dev), 0);
	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, fakes->created[2], 1);
	KUNIT_EXPECT_EQ(test, fakes->link_calls, 0);
	KUNIT_EXPECT_EQ(test, fakes->unlink_calls, 0);
}

/* A link that fails is an error, and leaves no device to unlink. */
static void test_failed_link(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = new_device(test, "cma-heap-test-nolink");

	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	fakes->fail_link = -ENOMEM;
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), -ENOMEM);
	KUNIT_EXPECT_EQ(test, fakes->created[0], 1);
	cma_heap_registry_remove(reg, dev);
	KUNIT_EXPECT_EQ(test, fakes->unlink_calls, 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, fakes->links[0], 1);
}

/* Distinct areas get distinct heaps, made in the order they came. */
static void test_areas_are_distinct(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	int i;

	for (i = NR_FAKES - 1; i >= 0; i--)
		KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(i), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	for (i = 0; i < NR_FAKES; i++) {
		KUNIT_EXPECT_EQ(test, fakes->created[i], 1);
		KUNIT_EXPECT_PTR_EQ(test, cma_heap_registry_find(reg, fake_area(i)),
				    (struct dma_heap *)&fakes->heaps[i]);
	}
}

static void test_null_area_is_invalid(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, NULL, NULL), -EINVAL);
}

/* A heap that cannot be made leaves nothing behind; a retry works. */
static void test_failed_heap_is_not_half_made(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);

	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	fakes->fail_create = -ENOMEM;
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), -ENOMEM);
	KUNIT_EXPECT_NULL(test, cma_heap_registry_find(reg, fake_area(0)));
	KUNIT_EXPECT_TRUE(test, list_empty(&reg->areas));

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), 0);
	KUNIT_EXPECT_EQ(test, fakes->created[0], 1);
}

/* The same when the heap fails at start: the area is dropped. */
static void test_failed_start_drops_area(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);

	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), NULL), 0);
	fakes->fail_create = -EBUSY;
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), -EBUSY);
	KUNIT_EXPECT_TRUE(test, list_empty(&reg->areas));
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), NULL), 0);
	KUNIT_EXPECT_EQ(test, fakes->created[1], 1);
}

static struct kunit_case cma_heap_registry_cases[] = {
	KUNIT_CASE(test_added_before_start_waits),
	KUNIT_CASE(test_one_heap_when_named_early),
	KUNIT_CASE(test_one_heap_when_named_late),
	KUNIT_CASE(test_driver_after_tag),
	KUNIT_CASE(test_every_device_links),
	KUNIT_CASE(test_remove_and_add_again),
	KUNIT_CASE(test_removed_before_start),
	KUNIT_CASE(test_failed_link),
	KUNIT_CASE(test_areas_are_distinct),
	KUNIT_CASE(test_null_area_is_invalid),
	KUNIT_CASE(test_failed_heap_is_not_half_made),
	KUNIT_CASE(test_failed_start_drops_area),
	{}
};

static struct kunit_suite cma_heap_registry_suite = {
	.name = "cma_heap_registry",
	.exit = registry_exit,
	.test_cases = cma_heap_registry_cases,
};

/* The driver API, on the running kernel's own heaps. */

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
	struct kernfs_node *kn = kernfs_find_and_get(dev->kobj.sd, "dma_heap");

	kernfs_put(kn);
	return kn;
}

/*
 * A device given the default area links its existing heap, again and
 * again, and the link goes with the device's binding.
 */
static void test_api_device_links_default_heap(struct kunit *test)
{
	struct device *dev = new_device(test, "cma-heap-test-default");
	struct cma *cma = dev_get_cma_area(NULL);

	if (!cma)
		kunit_skip(test, "no default CMA area");
	dev->cma_area = cma;
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), 0);
	KUNIT_EXPECT_TRUE(test, has_heap_links(dev));

	device_release_driver(dev);
	KUNIT_EXPECT_FALSE(test, has_heap_links(dev));
	dev->cma_area = NULL;
}

static struct kunit_case cma_heap_api_cases[] = {
	KUNIT_CASE(test_api_rejects_null),
	KUNIT_CASE(test_api_device_without_area),
	KUNIT_CASE(test_api_device_links_default_heap),
	{}
};

static struct kunit_suite cma_heap_api_suite = {
	.name = "cma_heap_api",
	.test_cases = cma_heap_api_cases,
};

kunit_test_suites(&cma_heap_registry_suite, &cma_heap_api_suite);

MODULE_DESCRIPTION("KUnit tests for the CMA dma-buf heap");
MODULE_LICENSE("GPL");
