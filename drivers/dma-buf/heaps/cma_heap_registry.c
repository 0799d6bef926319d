// SPDX-License-Identifier: GPL-2.0
/*
 * Links from devices to the CMA heaps of their own pools.
 *
 * The CMA heap makes a heap of every CMA area when it loads, and a
 * driver asks for the link from its device to the heap of its pool
 * when it probes. Either can come first: the heap may be a module
 * loaded long after the driver bound, and a built-in driver may probe
 * before the heap's initcall. So this part is built in whenever the CMA
 * heap is configured, and it remembers both sides: the heaps made so
 * far, and the devices bound so far, linking each pair as soon as both
 * are known.
 *
 * A device is kept only while its driver is bound; heaps are never
 * removed, since userspace may hold their buffers.
 */
#include <kunit/visibility.h>
#include <linux/cma.h>
#include <linux/device.h>
#include <linux/dma-buf/heaps/cma.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/slab.h>

#include "cma_heap.h"

static struct cma_heap_user *cma_heap_find_user(struct cma_heap_registry *reg,
						struct device *dev)
{
	struct cma_heap_user *user;

	list_for_each_entry(user, &reg->users, node)
		if (user->dev == dev)
			return user;
	return NULL;
}

static int link_heap(struct cma_heap_registry *reg, struct dma_heap *heap,
		     struct device *dev)
{
	int ret = reg->ops->link(heap, dev);

	if (ret)
		dev_err(dev, "cannot link a heap of its CMA area: %d\n", ret);
	return ret;
}

/* Remove @user's links to the heaps of its area, up to @last. */
static void unlink_user(struct cma_heap_registry *reg,
			struct cma_heap_user *user,
			struct cma_heap_entry *last)
{
	struct cma_heap_entry *entry;

	list_for_each_entry(entry, &reg->heaps, node) {
		if (entry == last)
			break;
		if (entry->cma == user->cma)
			reg->ops->unlink(entry->heap, user->dev);
	}
}

static void drop_user(struct cma_heap_registry *reg,
		      struct cma_heap_user *user)
{
	unlink_user(reg, user, NULL);
	list_del(&user->node);
	put_device(user->dev);
	kfree(user);
}

/**
 * cma_heap_registry_publish() - record a heap of a CMA area
 * @reg: the registry
 * @cma: the area
 * @heap: its heap
 *
 * Every device of @reg that uses @cma links @heap; a link that fails is
 * logged and the device keeps its other links.
 *
 * Return: 0, -EINVAL if @cma or @heap is NULL, or -ENOMEM.
 */
VISIBLE_IF_KUNIT int cma_heap_registry_publish(struct cma_heap_registry *reg,
					       struct cma *cma,
					       struct dma_heap *heap)
{
	struct cma_heap_entry *entry;
	struct cma_heap_user *user;

	if (!cma || !heap)
		return -EINVAL;
	entry = kzalloc_obj(*entry);
	if (!entry)
		return -ENOMEM;
	entry->cma = cma;
	entry->heap = heap;

	mutex_lock(&reg->lock);
	list_add_tail(&entry->node, &reg->heaps);
	list_for_each_entry(user, &reg->users, node)
		if (user->cma == cma)
			link_heap(reg, heap, user->dev);
	mutex_unlock(&reg->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(cma_heap_registry_publish);

/**
 * cma_heap_registry_add() - record a device that uses a CMA area
 * @reg: the registry
 * @cma: the area
 * @dev: the device, whose driver is probing or bound
 *
 * @dev links every heap of @cma made so far, and every one made later,
 * until cma_heap_registry_remove(). Adding it again changes nothing.
 *
 * Return: 0, or a negative errno if @dev could not link a heap, in which
 * case @dev is not recorded and has no link.
 */
VISIBLE_IF_KUNIT int cma_heap_registry_add(struct cma_heap_registry *reg,
					   struct cma *cma, struct device *dev)
{
	struct cma_heap_entry *entry;
	struct cma_heap_user *user;
	int ret = 0;

	mutex_lock(&reg->lock);
	if (cma_heap_find_user(reg, dev))
		goto out;
	user = kzalloc_obj(*user);
	if (!user) {
		ret = -ENOMEM;
		goto out;
	}
	user->dev = get_device(dev);
	user->cma = cma;
	list_for_each_entry(entry, &reg->heaps, node) {
		if (entry->cma != cma)
			continue;
		ret = link_heap(reg, entry->heap, dev);
		if (ret) {
			unlink_user(reg, user, entry);
			put_device(dev);
			kfree(user);
			goto out;
		}
	}
	list_add_tail(&user->node, &reg->users);
out:
	mutex_unlock(&reg->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(cma_heap_registry_add);

/**
 * cma_heap_registry_remove() - forget a device
 * @reg: the registry
 * @dev: the device, whose driver is being unbound
 *
 * Removes @dev's links and lets go of it; the heaps stay.
 */
VISIBLE_IF_KUNIT void cma_heap_registry_remove(struct cma_heap_registry *reg,
					       struct device *dev)
{
	struct cma_heap_user *user;

	mutex_lock(&reg->lock);
	user = cma_heap_find_user(reg, dev);
	if (user)
		drop_user(reg, user);
	mutex_unlock(&reg->lock);
}
EXPORT_SYMBOL_IF_KUNIT(cma_heap_registry_remove);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * cma_heap_registry_forget() - empty a test's registry
 * @reg: the registry
 *
 * Removes every link and entry; the heaps themselves are not touched.
 */
void cma_heap_registry_forget(struct cma_heap_registry *reg)
{
	struct cma_heap_entry *entry, *tmp;
	struct cma_heap_user *user, *utmp;

	mutex_lock(&reg->lock);
	list_for_each_entry_safe(user, utmp, &reg->users, node)
		drop_user(reg, user);
	list_for_each_entry_safe(entry, tmp, &reg->heaps, node) {
		list_del(&entry->node);
		kfree(entry);
	}
	mutex_unlock(&reg->lock);
}
EXPORT_SYMBOL_IF_KUNIT(cma_heap_registry_forget);
#endif

static const struct cma_heap_registry_ops cma_heap_link_ops = {
	.link = dma_heap_link_device,
	.unlink = dma_heap_unlink_device,
};

VISIBLE_IF_KUNIT struct cma_heap_registry cma_heaps = {
	.ops = &cma_heap_link_ops,
	.lock = __MUTEX_INITIALIZER(cma_heaps.lock),
	.heaps = LIST_HEAD_INIT(cma_heaps.heaps),
	.users = LIST_HEAD_INIT(cma_heaps.users),
};
EXPORT_SYMBOL_IF_KUNIT(cma_heaps);

/**
 * cma_heap_publish() - record a heap the CMA heap made of an area
 * @cma: the area
 * @heap: its heap
 *
 * For the CMA heap itself, and exported to it alone: devices that use
 * @cma link @heap from now on.
 *
 * Return: 0, or a negative errno (@heap is then linked from no device).
 */
int cma_heap_publish(struct cma *cma, struct dma_heap *heap)
{
	return cma_heap_registry_publish(&cma_heaps, cma, heap);
}
EXPORT_SYMBOL_FOR_MODULES(cma_heap_publish, "cma_heap");

struct cma_heap_lookup {
	struct reserved_mem *rmem;
	bool found;
};

static int cma_heap_match_region(struct cma *cma, void *data)
{
	struct cma_heap_lookup *lookup = data;

	lookup->found = cma_get_base(cma) == lookup->rmem->base &&
			cma_get_size(cma) == lookup->rmem->size;
	return lookup->found;
}

/* Whether a reserved-memory region was made a CMA area. */
static bool cma_heap_region_is_cma(struct device_node *np)
{
	struct cma_heap_lookup lookup = { .rmem = of_reserved_mem_lookup(np) };

	if (lookup.rmem)
		cma_for_each_area(cma_heap_match_region, &lookup);
	return lookup.found;
}

/* Devres of a device that added its area: its links, until unbind */
static void cma_heap_dev_release(struct device *dev, void *res)
{
	cma_heap_registry_remove(&cma_heaps, dev);
}

/**
 * cma_heap_dev_add() - link a device to the CMA heap of its own pool
 * @dev: a device whose ``memory-region`` of_reserved_mem_device_init()
 *	has attached, and whose driver is probing or bound
 *
 * The CMA heap makes a heap of every CMA area, named after its region;
 * this lets userspace find the one of @dev's pool from @dev, as
 * ``<device>/dma_heaps/<name>``, instead of knowing its name. The link is
 * made now if the heap exists, or as soon as the CMA heap makes it (it
 * may be a module loaded later), and removed when @dev's driver is
 * unbound; a driver that probes again gets it again. Every device that
 * uses the area gets its own link. Calling this again while bound
 * changes nothing.
 *
 * Context: process context, may sleep; from the driver's probe or while
 * it is bound.
 * Return: 0 on success; -EINVAL if @dev is NULL, or if its area is the
 * system's default CMA area, which is no pool of its own (logged);
 * -ENODEV if @dev has no
 * CMA area of its own: no ``memory-region`` (not logged), a region that
 * is not ``reusable`` (logged at debug level: a driver may well use such
 * a pool, every time it probes), or one that was not attached (logged as
 * an error); or another negative errno if a link could not be made.
 */
int cma_heap_dev_add(struct device *dev)
{
	struct device_node *np;
	void *res;
	int ret;

	if (!dev)
		return -EINVAL;
	if (dev->cma_area) {
		/* The system's default area is everyone's, not a pool */
		if (dev->cma_area == dev_get_cma_area(NULL)) {
			dev_err(dev, "its memory-region is the system's default CMA area, not a pool of its own: no heap linked\n");
			return -EINVAL;
		}
		if (devres_find(dev, cma_heap_dev_release, NULL, NULL))
			return 0;
		res = devres_alloc(cma_heap_dev_release, 0, GFP_KERNEL);
		if (!res)
			return -ENOMEM;
		ret = cma_heap_registry_add(&cma_heaps, dev->cma_area, dev);
		if (ret) {
			devres_free(res);
			return ret;
		}
		devres_add(dev, res);
		return 0;
	}

	np = of_parse_phandle(dev->of_node, "memory-region", 0);
	if (!np)
		return -ENODEV;
	if (cma_heap_region_is_cma(np))
		dev_err(dev, "%pOF is a CMA pool but is not attached: call of_reserved_mem_device_init() first\n",
			np);
	else
		dev_dbg(dev, "%pOF is not a CMA pool (not 'reusable'): no heap\n",
			np);
	of_node_put(np);
	return -ENODEV;
}
EXPORT_SYMBOL_NS_GPL(cma_heap_dev_add, "DMA_BUF_HEAP");
