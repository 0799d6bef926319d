// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CLCD's own memory pool: published as a dma-buf heap, and the
 * only place from which buffers are imported.
 *
 * A CLCD given a memory-region can scan out of nothing else: its bus
 * master only reaches that window. When the region is a CMA pool, it
 * is published as a dma-buf heap, so that userspace can allocate its
 * frames there (from a renderer, a camera, a decoder) and hand them to
 * the display as they are, with no copy. Imports are checked against
 * the pool instead of being refused outright.
 */

#include <linux/dma-buf.h>
#include <linux/dma-buf/heaps/cma.h>
#include <linux/dma-direct.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/scatterlist.h>

#include <drm/drm_gem_dma_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include "pl111_drm.h"

/**
 * pl111_pool_init() - learn where the device's pool is, and publish it
 * @drm: the CLCD, whose memory-region of_reserved_mem_device_init()
 *	has attached
 *
 * A pool that is not CMA (a no-map carveout) stays private to the
 * CLCD, as it always was, and imports are refused; that is said once.
 */
void pl111_pool_init(struct drm_device *drm)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	struct device *dev = drm->dev;
	struct reserved_mem *rmem;
	struct device_node *np;
	int ret;

	np = of_parse_phandle(dev->of_node, "memory-region", 0);
	rmem = np ? of_reserved_mem_lookup(np) : NULL;
	if (!rmem) {
		of_node_put(np);
		return;
	}
	priv->pool_start = phys_to_dma(dev, rmem->base);
	priv->pool_size = rmem->size;

	ret = cma_heap_dev_add(dev);
	if (!ret)
		drm_info(drm, "%pOF is the dma-buf heap '%s': its buffers scan out without a copy\n",
			 np, rmem->name);
	else if (ret == -ENODEV)
		drm_info(drm, "%pOF is a carveout: it cannot be shared, imports are refused\n",
			 np);
	else if (ret == -EOPNOTSUPP)
		drm_info(drm, "%pOF not shared: no dma-buf heap support in this kernel\n",
			 np);
	else
		drm_warn(drm, "%pOF not published as a dma-buf heap: %d\n",
			 np, ret);
	of_node_put(np);
}

static const char *pl111_pool_misfit(struct pl111_drm_dev_private *priv,
				     struct dma_buf *dmabuf,
				     struct sg_table *sgt)
{
	dma_addr_t start = sg_dma_address(sgt->sgl);
	size_t size = dmabuf->size;

	if (drm_prime_get_contiguous_size(sgt) < size)
		return "is not contiguous";
	if (start >= priv->pool_start + priv->pool_size ||
	    start + size <= priv->pool_start)
		return "lies outside the CLCD's pool";
	if (start < priv->pool_start ||
	    size > priv->pool_start + priv->pool_size - start)
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
 * contiguous buffer. With one, it takes exactly the buffers that are
 * one contiguous range wholly inside the pool, and uses them in place.
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
	const char *misfit;

	if (priv->use_device_memory) {
		misfit = priv->pool_size ?
			 pl111_pool_misfit(priv, attach->dmabuf, sgt) :
			 "cannot be checked against an unknown pool";
		if (misfit) {
			drm_dbg_ratelimited(drm, "refusing a dma-buf from %s (%zu bytes): it %s\n",
					    attach->dmabuf->exp_name,
					    attach->dmabuf->size, misfit);
			return ERR_PTR(-EINVAL);
		}
	}

	return drm_gem_dma_prime_import_sg_table(drm, attach, sgt);
}
