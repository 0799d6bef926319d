/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Write-combined dma-buf heaps of a device's own DMA pool.
 */
#ifndef _LINUX_DMA_BUF_HEAPS_DEV_WC_H
#define _LINUX_DMA_BUF_HEAPS_DEV_WC_H

#include <linux/errno.h>
#include <linux/types.h>

struct device;
struct dma_buf;

#ifdef CONFIG_DMABUF_HEAPS_DEV_WC
int dev_wc_heap_add(struct device *dev);
bool dev_wc_heap_owns(struct device *dev, struct dma_buf *dmabuf);
#else
static inline int dev_wc_heap_add(struct device *dev)
{
	return -EOPNOTSUPP;
}

static inline bool dev_wc_heap_owns(struct device *dev, struct dma_buf *dmabuf)
{
	return false;
}
#endif

#endif /* _LINUX_DMA_BUF_HEAPS_DEV_WC_H */
