/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CMA heap's registry: which CMA areas are dma-buf heaps.
 */
#ifndef _DMA_BUF_HEAPS_CMA_HEAP_H
#define _DMA_BUF_HEAPS_CMA_HEAP_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct cma;
struct device;
struct dma_heap;

/**
 * struct cma_heap_registry_ops - how the registry makes and links heaps
 * @create: make the heap of a CMA area; called once per area, with the
 *	registry's lock held
 * @link: link the heap from a device that published its area
 * @unlink: remove that link
 */
struct cma_heap_registry_ops {
	struct dma_heap *(*create)(struct cma *cma);
	int (*link)(struct dma_heap *heap, struct device *dev);
	void (*unlink)(struct dma_heap *heap, struct device *dev);
};

/**
 * struct cma_heap_registry - the CMA areas that are, or will be, heaps
 * @ops: how heaps are made and linked
 * @lock: protects @areas and @ready
 * @areas: list of &struct cma_heap_area, in the order they were added
 * @ready: heaps can be made now; before, areas wait in @areas
 */
struct cma_heap_registry {
	const struct cma_heap_registry_ops *ops;
	struct mutex lock; /* protects @areas and @ready */
	struct list_head areas;
	bool ready;
};

/**
 * struct cma_heap_area - one CMA area, at most one heap
 * @node: entry in &cma_heap_registry.areas
 * @cma: the area
 * @heap: its heap, NULL until the registry is ready
 * @users: the devices that published the area and are still bound, a
 *	list of &struct cma_heap_user
 */
struct cma_heap_area {
	struct list_head node;
	struct cma *cma;
	struct dma_heap *heap;
	struct list_head users;
};

/**
 * struct cma_heap_user - a device that published its area
 * @node: entry in &cma_heap_area.users
 * @dev: the device (referenced)
 * @linked: @dev links the area's heap
 */
struct cma_heap_user {
	struct list_head node;
	struct device *dev;
	bool linked;
};

int cma_heap_registry_add(struct cma_heap_registry *reg, struct cma *cma,
			  struct device *dev);
void cma_heap_registry_remove(struct cma_heap_registry *reg,
			      struct device *dev);
int cma_heap_registry_start(struct cma_heap_registry *reg);
struct dma_heap *cma_heap_registry_find(struct cma_heap_registry *reg,
					struct cma *cma);
#if IS_ENABLED(CONFIG_KUNIT)
void cma_heap_registry_forget(struct cma_heap_registry *reg);
#endif

#endif /* _DMA_BUF_HEAPS_CMA_HEAP_H */
