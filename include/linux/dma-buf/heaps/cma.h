/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CMA dma-buf heaps: linking a device to the heap of its own CMA pool.
 */
#ifndef _LINUX_DMA_BUF_HEAPS_CMA_H
#define _LINUX_DMA_BUF_HEAPS_CMA_H

#include <linux/errno.h>

struct device;

#if IS_ENABLED(CONFIG_DMABUF_HEAPS_CMA)
int cma_heap_dev_add(struct device *dev);
#else
static inline int cma_heap_dev_add(struct device *dev)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* _LINUX_DMA_BUF_HEAPS_CMA_H */
