// SPDX-License-Identifier: GPL-2.0
/*
 * The CMA heap's registry: one dma-buf heap per CMA area.
 *
 * The default area, a region tagged in the device tree and a driver's
 * own pool may all name the same area, in any order, as often as they
 * like (a driver probes again after an unbind). The registry turns all
 * of that into exactly one heap per area. Areas added before the heap
 * framework is up wait until cma_heap_registry_start().
 *
 * Heaps are never removed: the memory outlives any driver that
 * published it, and userspace may hold buffers from it.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "cma_heap.h"

static struct cma_heap_area *find_area(struct cma_heap_registry *reg,
				       struct cma *cma)
{
	struct cma_heap_area *area;

	list_for_each_entry(area, &reg->areas, node)
		if (area->cma == cma)
			return area;
	return NULL;
}

static int show_under_device(struct cma_heap_registry *reg,
			     struct cma_heap_area *area)
{
	int ret = reg->ops->set_device(area->heap, area->dev);

	if (ret) {
		dev_err(area->dev, "cannot show its heap under the device: %d\n", ret);
		put_device(area->dev);
		area->dev = NULL;
	}
	return ret;
}

static int make_heap(struct cma_heap_registry *reg, struct cma_heap_area *area)
{
	struct dma_heap *heap = reg->ops->create(area->cma);

	if (IS_ERR(heap))
		return PTR_ERR(heap);
	area->heap = heap;
	if (area->dev)
		show_under_device(reg, area);
	return 0;
}

static void drop_area(struct cma_heap_area *area)
{
	list_del(&area->node);
	put_device(area->dev);
	kfree(area);
}

/**
 * cma_heap_registry_add() - make sure a CMA area is, or will be, a heap
 * @reg: the registry
 * @cma: the area
 * @dev: the device publishing its own area, or NULL
 *
 * Adding an area that is already known changes nothing, except that the
 * first device to publish it becomes the heap's device.
 *
 * Return: 0, or a negative errno if the heap could not be made (the
 * area is then not registered, and a later call tries again).
 */
int cma_heap_registry_add(struct cma_heap_registry *reg, struct cma *cma,
			  struct device *dev)
{
	struct cma_heap_area *area;
	int ret = 0;

	if (!cma)
		return -EINVAL;

	mutex_lock(&reg->lock);
	area = find_area(reg, cma);
	if (!area) {
		area = kzalloc(sizeof(*area), GFP_KERNEL);
		if (!area) {
			ret = -ENOMEM;
			goto out;
		}
		area->cma = cma;
		list_add_tail(&area->node, &reg->areas);
		if (reg->ready) {
			ret = make_heap(reg, area);
			if (ret) {
				drop_area(area);
				goto out;
			}
		}
	}
	if (dev && !area->dev) {
		area->dev = get_device(dev);
		if (area->heap)
			ret = show_under_device(reg, area);
	}
out:
	mutex_unlock(&reg->lock);
	return ret;
}

/**
 * cma_heap_registry_start() - make the heaps of the areas added so far
 * @reg: the registry
 *
 * From now on cma_heap_registry_add() makes heaps at once. An area
 * whose heap cannot be made is logged and dropped.
 *
 * Return: 0, or the first error met.
 */
int cma_heap_registry_start(struct cma_heap_registry *reg)
{
	struct cma_heap_area *area, *tmp;
	int ret, first = 0;

	mutex_lock(&reg->lock);
	reg->ready = true;
	list_for_each_entry_safe(area, tmp, &reg->areas, node) {
		if (area->heap)
			continue;
		ret = make_heap(reg, area);
		if (ret) {
			pr_err("cma_heap: no heap for a CMA area: %d\n", ret);
			drop_area(area);
			first = first ?: ret;
		}
	}
	mutex_unlock(&reg->lock);
	return first;
}

/**
 * cma_heap_registry_find() - the heap of a CMA area
 * @reg: the registry
 * @cma: the area
 *
 * Return: the heap, or NULL if @cma has none (yet).
 */
struct dma_heap *cma_heap_registry_find(struct cma_heap_registry *reg,
					struct cma *cma)
{
	struct cma_heap_area *area;
	struct dma_heap *heap;

	mutex_lock(&reg->lock);
	area = find_area(reg, cma);
	heap = area ? area->heap : NULL;
	mutex_unlock(&reg->lock);
	return heap;
}

/**
 * cma_heap_registry_forget() - drop every entry of a registry
 * @reg: the registry
 *
 * Only for registries whose heaps were never given to userspace: the
 * entries go, the heaps themselves are not touched.
 */
void cma_heap_registry_forget(struct cma_heap_registry *reg)
{
	struct cma_heap_area *area, *tmp;

	mutex_lock(&reg->lock);
	list_for_each_entry_safe(area, tmp, &reg->areas, node)
		drop_area(area);
	reg->ready = false;
	mutex_unlock(&reg->lock);
}
