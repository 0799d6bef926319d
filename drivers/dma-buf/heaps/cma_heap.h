/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which devices link the heaps of which CMA areas.
 */
#ifndef _DMA_BUF_HEAPS_CMA_HEAP_H
#define _DMA_BUF_HEAPS_CMA_HEAP_H

#include <linux/list.h>
#include <linux/mutex.h>

struct cma;
struct device;
struct dma_heap;

/**
 * struct cma_heap_registry_ops - how the registry links heaps
 * @link: link a heap from a device that uses its area
 * @unlink: remove that link; nothing if there is none
 */
struct cma_heap_registry_ops {
	int (*link)(struct dma_heap *heap, struct device *dev);
	void (*unlink)(struct dma_heap *heap, struct device *dev);
};

/**
 * struct cma_heap_registry - the heaps of CMA areas and their devices
 * @ops: how heaps are linked
 * @lock: protects @heaps and @users
 * @heaps: list of &struct cma_heap_entry, every heap made so far
 * @users: list of &struct cma_heap_user, every bound device that added
 *	its area
 */
struct cma_heap_registry {
	const struct cma_heap_registry_ops *ops;
	struct mutex lock; /* protects @heaps and @users */
	struct list_head heaps;
	struct list_head users;
};

/**
 * struct cma_heap_entry - a heap of a CMA area
 * @node: entry in &cma_heap_registry.heaps
 * @cma: the area
 * @heap: the heap; an area can have more than one (the default area is
 *	also ``default_cma_region``)
 */
struct cma_heap_entry {
	struct list_head node;
	struct cma *cma;
	struct dma_heap *heap;
};

/**
 * struct cma_heap_user - a device that uses a CMA area of its own
 * @node: entry in &cma_heap_registry.users
 * @dev: the device (referenced), whose driver is bound
 * @cma: its area
 */
struct cma_heap_user {
	struct list_head node;
	struct device *dev;
	struct cma *cma;
};

int cma_heap_publish(struct cma *cma, struct dma_heap *heap);

/* The registry itself, for its tests; the kernel's own is cma_heaps */
#if IS_ENABLED(CONFIG_KUNIT)
extern struct cma_heap_registry cma_heaps;
int cma_heap_registry_publish(struct cma_heap_registry *reg, struct cma *cma,
			      struct dma_heap *heap);
int cma_heap_registry_add(struct cma_heap_registry *reg, struct cma *cma,
			  struct device *dev);
void cma_heap_registry_remove(struct cma_heap_registry *reg,
			      struct device *dev);
void cma_heap_registry_forget(struct cma_heap_registry *reg);
#endif

#endif /* _DMA_BUF_HEAPS_CMA_HEAP_H */
