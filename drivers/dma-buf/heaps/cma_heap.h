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
 * struct cma_heap_registry_ops - how the registry makes and places heaps
 * @create: make the heap of a CMA area; called once per area, with the
 *	registry's lock held
 * @set_device: show the heap under the device that published it
 */
struct cma_heap_registry_ops {
	struct dma_heap *(*create)(struct cma *cma);
	int (*set_device)(struct dma_heap *heap, struct device *dev);
};

/**
 * struct cma_heap_registry - the CMA areas that are, or will be, heaps
 * @ops: how heaps are made
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
 * @dev: the first device that published the area (referenced), or NULL
 */
struct cma_heap_area {
	struct list_head node;
	struct cma *cma;
	struct dma_heap *heap;
	struct device *dev;
};

int cma_heap_registry_add(struct cma_heap_registry *reg, struct cma *cma,
			  struct device *dev);
int cma_heap_registry_start(struct cma_heap_registry *reg);
struct dma_heap *cma_heap_registry_find(struct cma_heap_registry *reg,
					struct cma *cma);
void cma_heap_registry_forget(struct cma_heap_registry *reg);

#endif /* _DMA_BUF_HEAPS_CMA_HEAP_H */
