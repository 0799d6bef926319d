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
#include <linux/dma-buf/heaps/cma.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>

#include "cma_heap.h"

#define NR_FAKES 3

struct fake_heaps {
	u8 areas[NR_FAKES];		/* their addresses stand for CMA areas */
	u8 heaps[NR_FAKES];		/* and these for the heaps made */
	int created[NR_FAKES];
	struct device *shown_under[NR_FAKES];
	int set_device_calls;
	int fail_create;		/* errno the next create returns */
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

static int fake_set_device(struct dma_heap *heap, struct device *dev)
{
	fakes->set_device_calls++;
	fakes->shown_under[heap_index(heap)] = dev;
	return 0;
}

static const struct cma_heap_registry_ops fake_ops = {
	.create = fake_create,
	.set_device = fake_set_device,
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
	struct device *dev = kunit_device_register(test, "cma-heap-test-early");

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[0], 1);
	KUNIT_EXPECT_EQ(test, fakes->set_device_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->shown_under[0], dev);
}

/* The same after the start: repeats reuse the heap and return 0. */
static void test_one_heap_when_named_late(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = kunit_device_register(test, "cma-heap-test-late");
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), dev), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(1), NULL), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[1], 1);
	KUNIT_EXPECT_EQ(test, fakes->set_device_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->shown_under[1], dev);
}

/* A driver publishing an area first tagged keeps one heap, now its own. */
static void test_driver_after_tag(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *dev = kunit_device_register(test, "cma-heap-test-tag");

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), NULL), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_NULL(test, fakes->shown_under[2]);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(2), dev), 0);

	KUNIT_EXPECT_EQ(test, fakes->created[2], 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->shown_under[2], dev);
}

/* The first device to publish an area keeps it. */
static void test_first_device_keeps_heap(struct kunit *test)
{
	struct cma_heap_registry *reg = new_registry(test);
	struct device *a = kunit_device_register(test, "cma-heap-test-a");
	struct device *b = kunit_device_register(test, "cma-heap-test-b");

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, cma_heap_registry_start(reg), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), a), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_registry_add(reg, fake_area(0), b), 0);

	KUNIT_EXPECT_EQ(test, fakes->set_device_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, fakes->shown_under[0], a);
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
	KUNIT_CASE(test_first_device_keeps_heap),
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

/* The exported API, on the running kernel's own areas. */

static void test_api_rejects_null(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, cma_heap_add(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(NULL), -EINVAL);
}

static void test_api_device_without_area(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "cma-heap-test-none");

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_EXPECT_EQ(test, cma_heap_dev_add(dev), -ENODEV);
}

/* The default area already has its heap: adding it again reuses it. */
static void test_api_default_area_again(struct kunit *test)
{
	struct cma *cma = dev_get_cma_area(NULL);

	if (!cma)
		kunit_skip(test, "no default CMA area");
	KUNIT_EXPECT_EQ(test, cma_heap_add(cma), 0);
	KUNIT_EXPECT_EQ(test, cma_heap_add(cma), 0);
}

static struct kunit_case cma_heap_api_cases[] = {
	KUNIT_CASE(test_api_rejects_null),
	KUNIT_CASE(test_api_device_without_area),
	KUNIT_CASE(test_api_default_area_again),
	{}
};

static struct kunit_suite cma_heap_api_suite = {
	.name = "cma_heap_api",
	.test_cases = cma_heap_api_cases,
};

kunit_test_suites(&cma_heap_registry_suite, &cma_heap_api_suite);

MODULE_DESCRIPTION("KUnit tests for the CMA dma-buf heap");
MODULE_LICENSE("GPL");
