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
 * A device that publishes its own area links the heap from its sysfs
 * directory for as long as its driver is bound: the registry keeps the
 * device only until cma_heap_registry_remove(), called at unbind.
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

static struct cma_heap_user *find_user(struct cma_heap_area *area,
				       struct device *dev)
{
	struct cma_heap_user *user;

	list_for_each_entry(user, &area->users, node)
		if (user->dev == dev)
			return user;
	return NULL;
}

static int link_user(struct cma_heap_registry *reg, struct cma_heap_area *area,
		     struct cma_heap_user *user)
{
	int ret = reg->ops->link(area->heap, user->dev);

	if (ret)
		dev_err(user->dev, "cannot link its heap: %d\n", ret);
	else
		user->linked = true;
	return ret;
}

static void drop_user(struct cma_heap_registry *reg, struct cma_heap_area *area,
		      struct cma_heap_user *user)
{
	if (user->linked)
		reg->ops->unlink(area->heap, user->dev);
	list_del(&user->node);
	put_device(user->dev);
	kfree(user);
}

static int make_heap(struct cma_heap_registry *reg, struct cma_heap_area *area)
{
	struct dma_heap *heap = reg->ops->create(area->cma);
	struct cma_heap_user *user, *tmp;

	if (IS_ERR(heap))
		return PTR_ERR(heap);
	area->heap = heap;
	list_for_each_entry_safe(user, tmp, &area->users, node)
		if (link_user(reg, area, user))
			drop_user(reg, area, user);
	return 0;
}

static void drop_area(struct cma_heap_registry *reg, struct cma_heap_area *area)
{
	struct cma_heap_user *user, *tmp;

	list_for_each_entry_safe(user, tmp, &area->users, node)
		drop_user(reg, area, user);
	list_del(&area->node);
	kfree(area);
}

/**
 * cma_heap_registry_add() - make sure a CMA area is, or will be, a heap
 * @reg: the registry
 * @cma: the area
 * @dev: the device publishing its own area, or NULL
 *
 * Adding an area that is already known makes no second heap. A @dev
 * links the heap, now or when the registry starts, until
 * cma_heap_registry_remove(); adding it again while it is there changes
 * nothing.
 *
 * Return: 0, or a negative errno if the heap could not be made (the
 * area is then not registered, and a later call tries again) or @dev
 * could not link it (@dev is then not registered).
 */
int cma_heap_registry_add(struct cma_heap_registry *reg, struct cma *cma,
			  struct device *dev)
{
	struct cma_heap_area *area;
	struct cma_heap_user *user;
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
		INIT_LIST_HEAD(&area->users);
		list_add_tail(&area->node, &reg->areas);
		if (reg->ready) {
			ret = make_heap(reg, area);
			if (ret) {
				drop_area(reg, area);
				goto out;
			}
		}
	}
	if (!dev || find_user(area, dev))
		goto out;

	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user) {
		ret = -ENOMEM;
		goto out;
	}
	user->dev = get_device(dev);
	list_add_tail(&user->node, &area->users);
	if (area->heap) {
		ret = link_user(reg, area, user);
		if (ret)
			drop_user(reg, area, user);
	}
out:
	mutex_unlock(&reg->lock);
	return ret;
}

/**
 * cma_heap_registry_remove() - forget a device that published its area
 * @reg: the registry
 * @dev: the device
 *
 * Removes @dev's links and lets go of it; its heaps stay.
 */
void cma_heap_registry_remove(struct cma_heap_registry *reg,
			      struct device *dev)
{
	struct cma_heap_area *area;
	struct cma_heap_user *user;

	mutex_lock(&reg->lock);
	list_for_each_entry(area, &reg->areas, node) {
		user = find_user(area, dev);
		if (user)
			drop_user(reg, area, user);
	}
	mutex_unlock(&reg->lock);
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
			drop_area(reg, area);
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

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * cma_heap_registry_forget() - drop every entry of a test's registry
 * @reg: the registry
 *
 * Only for registries whose heaps were never given to userspace: the
 * entries and links go, the heaps themselves are not touched.
 */
void cma_heap_registry_forget(struct cma_heap_registry *reg)
{
	struct cma_heap_area *area, *tmp;

	mutex_lock(&reg->lock);
	list_for_each_entry_safe(area, tmp, &reg->areas, node)
		drop_area(reg, area);
	reg->ready = false;
	mutex_unlock(&reg->lock);
}
#endif
