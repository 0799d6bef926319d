// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CLCD's own memory pool: published as dma-buf heaps, and the only
 * place from which buffers are imported.
 *
 * A CLCD given a memory-region can scan out of nothing else: its bus
 * master only reaches that window. The pool is published as a
 * write-combined heap (any pool) and, when it is a CMA pool, as a cached
 * one too, so that userspace can allocate its frames there (from a
 * renderer, a camera, a decoder) and hand them to the display as they
 * are, with no copy. Imports are checked against the pool instead of
 * being refused outright.
 */

#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf/heaps/cma.h>
#include <linux/dma-buf/heaps/dev_wc.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/scatterlist.h>

#include <drm/drm_gem_dma_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include "pl111_drm.h"

/*
 * The reserved-memory region of the CLCD's own pool, or NULL. A
 * memory-region that names the system's default CMA area
 * (linux,cma-default) is no pool of the CLCD's own: that area is
 * everyone's, and none of it is shared, reserved or imported from.
 */
struct reserved_mem *pl111_pool_region(struct device *dev)
{
	struct device_node *np = of_parse_phandle(dev->of_node, "memory-region", 0);
	struct reserved_mem *rmem = NULL;

	if (np && !of_property_read_bool(np, "linux,cma-default"))
		rmem = of_reserved_mem_lookup(np);
	of_node_put(np);
	return rmem;
}

/*
 * Where the pool starts as the CLCD addresses it, asked of the DMA API,
 * for a pool in RAM: buffers of the pool from other exporters (the
 * cached heap) are known by their address. A no-map pool outside RAM
 * has no such window: only its write-combined heap allocates there, and
 * its buffers are known by their exporter. Behind an IOMMU a DMA address
 * says nothing of where memory lies.
 *
 * Without an IOMMU the pool is one range for the device too, so mapping
 * its first page tells where all of it starts. The mapping touches no
 * memory (no CPU sync), and the pool's pages may be no-map ones, as
 * long as dma-direct does not bounce it: a CLCD given a pool it cannot
 * address has no display at all.
 */
int pl111_pool_window(struct device *dev, struct reserved_mem *rmem,
		      dma_addr_t *start)
{
	const unsigned long attrs = DMA_ATTR_SKIP_CPU_SYNC;
	dma_addr_t addr;

	if (device_iommu_mapped(dev) || !pfn_valid(PHYS_PFN(rmem->base)))
		return -EOPNOTSUPP;
	addr = dma_map_page_attrs(dev, pfn_to_page(PHYS_PFN(rmem->base)), 0,
				  PAGE_SIZE, DMA_BIDIRECTIONAL, attrs);
	if (dma_mapping_error(dev, addr))
		return -ERANGE;
	dma_unmap_page_attrs(dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL, attrs);
	*start = addr;
	return 0;
}

static void pl111_pool_log(struct drm_device *drm, const char *what,
			   const char *region, int ret)
{
	/* A heap not built, or not for this device, is not worth a line. */
	if (ret == -EOPNOTSUPP)
		drm_dbg_driver(drm, "%s: no %s dma-buf heap for this device\n",
			       region, what);
	else if (ret)
		drm_info(drm, "%s: no %s dma-buf heap: %d\n", region, what, ret);
}

/**
 * pl111_pool_publish() - share the device's pool as dma-buf heaps
 * @drm: the CLCD, registered, whose memory-region
 *	of_reserved_mem_device_init() has attached
 *
 * Called once the DRM device is registered, so that a probe that fails
 * or defers publishes nothing. The write-combined heap is the one to
 * draw frames in; a CMA pool is a cached heap too, for buffers the CPU
 * reads back. A pool published as neither stays private, as it always
 * was, and imports are refused.
 */
void pl111_pool_publish(struct drm_device *drm)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	struct reserved_mem *rmem = pl111_pool_region(drm->dev);
	int cached, wc;

	if (!rmem) {
		drm_warn(drm, "the memory-region is the system's default CMA area, not a pool of the CLCD's own: no heap is published, and imports are refused\n");
		complete_all(&priv->pool_decided);
		return;
	}

	wc = dev_wc_heap_add(drm->dev);
	if (!wc)
		drm_info(drm, "%s is the dma-buf heap %s-uncached (write-combined): its buffers scan out without a copy\n",
			 rmem->name, rmem->name);
	pl111_pool_log(drm, "write-combined", rmem->name, wc);

	/* A no-map pool is not CMA: cma_heap_dev_add() says so itself. */
	cached = cma_heap_dev_add(drm->dev);
	if (!cached)
		drm_info(drm, "%s is also the cached dma-buf heap %s where the CMA heap is loaded\n",
			 rmem->name, rmem->name);
	if (cached != -ENODEV)
		pl111_pool_log(drm, "cached", rmem->name, cached);

	if (wc && cached) {
		drm_info(drm, "%s is not shared: imports are refused\n", rmem->name);
	} else {
		if (!pl111_pool_window(drm->dev, rmem, &priv->pool_start))
			priv->pool_size = rmem->size;
		priv->pool_shared = true;
	}
	/* Imports that came since registration wait for this. */
	complete_all(&priv->pool_decided);
}

/* Why a contiguous dma-buf at START of SIZE bytes cannot be scanned out. */
static const char *pl111_pool_misfit(struct pl111_drm_dev_private *priv,
				     dma_addr_t start, size_t size)
{
	dma_addr_t offset;

	if (start < priv->pool_start)
		return priv->pool_start - start >= size ?
		       "lies outside the CLCD's pool" :
		       "straddles the edge of the CLCD's pool";
	offset = start - priv->pool_start;
	if (offset >= priv->pool_size)
		return "lies outside the CLCD's pool";
	if (size > priv->pool_size - offset)
		return "straddles the edge of the CLCD's pool";
	return NULL;
}

/**
 * pl111_gem_import_sg_table() - wrap an imported dma-buf as a GEM object
 * @drm: the CLCD
 * @attach: the dma-buf's attachment to the CLCD
 * @sgt: the dma-buf mapped for the CLCD
 *
 * Without a pool of its own the CLCD reaches all memory and takes any
 * contiguous buffer. With one, once the pool is shared, it takes the
 * buffers of its write-combined heap, and those that are one contiguous
 * range wholly inside the pool, and uses them in place.
 *
 * Return: the GEM object, or ERR_PTR(-EINVAL) for a buffer the CLCD
 * cannot scan out (logged, rate-limited, with the reason).
 */
struct drm_gem_object *
pl111_gem_import_sg_table(struct drm_device *drm,
			  struct dma_buf_attachment *attach,
			  struct sg_table *sgt)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	struct dma_buf *dmabuf = attach->dmabuf;
	const char *misfit = NULL;

	if (!priv->use_device_memory || dev_wc_heap_owns(drm->dev, dmabuf))
		goto import;

	if (!priv->pool_shared)
		misfit = "cannot be checked against a pool that is not shared";
	else if (drm_prime_get_contiguous_size(sgt) < dmabuf->size)
		misfit = "is not contiguous";
	else if (!priv->pool_size)
		misfit = "lies outside the CLCD's pool";
	else
		misfit = pl111_pool_misfit(priv, sg_dma_address(sgt->sgl),
					   dmabuf->size);
	if (misfit) {
		drm_dbg_ratelimited(drm, "refusing a dma-buf from %s (%zu bytes): it %s\n",
				    dmabuf->exp_name, dmabuf->size, misfit);
		return ERR_PTR(-EINVAL);
	}
import:
	return drm_gem_dma_prime_import_sg_table(drm, attach, sgt);
}

/**
 * pl111_gem_prime_import() - import a dma-buf once the pool's fate is known
 * @drm: the CLCD
 * @dmabuf: the dma-buf
 *
 * The device is registered before its pool is published, so that a
 * probe that fails publishes nothing. An import in between waits for
 * the publication instead of being refused for a pool that is about to
 * be shared: a process may hold buffers of the pool's heaps across an
 * unbind and import them as soon as the card is back, and the pool's
 * write-combined heap accepts attachments only once it is published.
 * Other GEM handle calls on the device wait with it, for as long as the
 * publication takes.
 *
 * Context: process context, may sleep.
 * Return: the GEM object, or an ERR_PTR(): -ERESTARTSYS if a signal came
 * while waiting, else what drm_gem_prime_import() returns.
 */
struct drm_gem_object *pl111_gem_prime_import(struct drm_device *drm,
					      struct dma_buf *dmabuf)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	int ret;

	if (priv->use_device_memory) {
		ret = wait_for_completion_interruptible(&priv->pool_decided);
		if (ret)
			return ERR_PTR(ret);
	}
	return drm_gem_prime_import(drm, dmabuf);
}
