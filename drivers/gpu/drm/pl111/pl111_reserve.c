// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display's reserve: part of the CLCD's own pool that its dma-buf
 * heaps can never hand out, kept for the display's own framebuffers.
 *
 * Once the pool is shared as heaps, any process that may open them can
 * allocate until the pool runs out, and the display's next framebuffer
 * (the console's after a rebind, a new one for the mode already set)
 * would then fail. So at its first probe the CLCD takes two frames of
 * its largest mode out of the pool, and a dumb buffer that the pool
 * itself cannot give is carved out of them instead. A small pool gives
 * a quarter of itself at most: the heaps are what it is shared for.
 * Only the fbdev console and the DRM master may carve from it: any
 * process that can open the card can create dumb buffers.
 *
 * The reserve is kept while the driver is loaded, across unbinds: a
 * heap user must not be able to take it in the window between an
 * unbind and the next probe, and buffers carved from it may outlive a
 * binding (a process can hold a dumb buffer across an unbind). No GEM
 * object outlives the module: open files and exported dma-bufs both
 * hold it.
 *
 * Not behind an IOMMU: there the DMA API maps a sub-range of one
 * allocation as if it were the allocation's start. With
 * CONFIG_DMA_API_DEBUG an unbind reports the reserve as a DMA
 * allocation still pending: it is, on purpose.
 */

#include <linux/dma-mapping.h>
#include <linux/genalloc.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/of_reserved_mem.h>
#include <linux/slab.h>

#include <drm/drm_auth.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_dma_helper.h>
#include <drm/drm_print.h>

#include "pl111_drm.h"

/* Frames of the largest mode that the reserve holds */
#define PL111_RESERVE_FRAMES	2

struct pl111_reserve {
	struct list_head node;
	struct device *dev;		/* holds a reference */
	struct gen_pool *pool;
	void *vaddr;
	dma_addr_t dma_addr;
	size_t size;
};

/* A dumb buffer carved out of the reserve */
struct pl111_reserve_gem {
	struct drm_gem_dma_object dma;
	struct pl111_reserve *reserve;
};

static LIST_HEAD(pl111_reserves);
static DEFINE_MUTEX(pl111_reserves_lock);

static struct pl111_reserve *pl111_reserve_find(struct device *dev)
{
	struct pl111_reserve *r;

	list_for_each_entry(r, &pl111_reserves, node)
		if (r->dev == dev)
			return r;
	return NULL;
}

/*
 * The reserve, allocated from RMEM through the device's DMA API: an
 * ERR_PTR() of -ENOSPC when the pool has no such free range, -ERANGE
 * when the DMA API gave memory outside the pool (dma-direct falls back
 * to the page allocator when a CMA area is full), or -ENOMEM.
 */
static struct pl111_reserve *pl111_reserve_create(struct device *dev,
						  struct reserved_mem *rmem,
						  size_t size)
{
	struct pl111_reserve *r = kzalloc_obj(*r);
	dma_addr_t start;
	int ret = -ENOMEM;

	if (!r)
		return ERR_PTR(-ENOMEM);
	r->pool = gen_pool_create(PAGE_SHIFT, dev_to_node(dev));
	if (!r->pool)
		goto err_free;
	r->vaddr = dma_alloc_wc(dev, size, &r->dma_addr, GFP_KERNEL | __GFP_NOWARN);
	if (!r->vaddr) {
		ret = -ENOSPC;
		goto err_pool;
	}
	/* A no-map pool outside RAM has no window, and no fallback */
	if (!pl111_pool_window(dev, rmem, &start) &&
	    (r->dma_addr < start || r->dma_addr - start > rmem->size - size)) {
		ret = -ERANGE;
		goto err_dma;
	}
	if (gen_pool_add_virt(r->pool, (unsigned long)r->vaddr, r->dma_addr, size,
			      dev_to_node(dev)))
		goto err_dma;
	r->dev = get_device(dev);
	r->size = size;
	return r;

err_dma:
	dma_free_wc(dev, size, r->vaddr, r->dma_addr);
err_pool:
	gen_pool_destroy(r->pool);
err_free:
	kfree(r);
	return ERR_PTR(ret);
}

/**
 * pl111_reserve_init() - take the display's reserve out of its pool
 * @drm: the CLCD, with its pool attached and its modes' limits set,
 *	not yet registered
 *
 * At the first probe of a device with a pool of its own, takes two
 * frames of the largest mode (at 32 bits per pixel, and never more than
 * a quarter of the pool) out of it; later probes find the reserve taken.
 * A pool too full to give it (heap users may drain a CMA pool before a
 * modular pl111 probes) leaves the display without one, which is
 * logged; the next probe tries again.
 */
void pl111_reserve_init(struct drm_device *drm)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	const struct drm_mode_config *mc = &drm->mode_config;
	struct pl111_reserve *r;
	struct reserved_mem *rmem;
	size_t size, cap;

	if (!priv->use_device_memory || device_iommu_mapped(drm->dev))
		return;
	rmem = pl111_pool_region(drm->dev);
	if (!rmem)
		return;

	mutex_lock(&pl111_reserves_lock);
	priv->reserve = pl111_reserve_find(drm->dev);
	if (priv->reserve)
		goto out;

	size = PL111_RESERVE_FRAMES *
	       PAGE_ALIGN((size_t)mc->max_width * mc->max_height * 4);
	cap = PAGE_ALIGN(rmem->size / 4);
	size = min(size, cap);
#ifdef CONFIG_DMA_DECLARE_COHERENT
	/* A per-device coherent pool hands out powers of two: ask for one */
	if (drm->dev->dma_mem)
		size = min_t(size_t, roundup_pow_of_two(size),
			     rounddown_pow_of_two(cap));
#endif

	r = pl111_reserve_create(drm->dev, rmem, size);
	if (IS_ERR(r)) {
		drm_warn(drm, "%s: cannot keep %zu KiB for the display's own framebuffers: %pe\n",
			 rmem->name, size / SZ_1K, r);
		goto out;
	}
	priv->reserve = r;
	list_add_tail(&r->node, &pl111_reserves);
	drm_info(drm, "%s: %zu KiB kept for the display's own framebuffers, out of reach of its heaps\n",
		 rmem->name, size / SZ_1K);
out:
	mutex_unlock(&pl111_reserves_lock);
}

/**
 * pl111_reserve_release_all() - give every reserve back to its pool
 *
 * Called at module exit, when no device is bound and no buffer carved
 * out of a reserve is left.
 */
void pl111_reserve_release_all(void)
{
	struct pl111_reserve *r, *tmp;

	mutex_lock(&pl111_reserves_lock);
	list_for_each_entry_safe(r, tmp, &pl111_reserves, node) {
		list_del(&r->node);
		/* A buffer still carved out of it: leak rather than crash */
		if (WARN_ON(gen_pool_avail(r->pool) != gen_pool_size(r->pool)))
			continue;
		gen_pool_destroy(r->pool);
		dma_free_wc(r->dev, r->size, r->vaddr, r->dma_addr);
		put_device(r->dev);
		kfree(r);
	}
	mutex_unlock(&pl111_reserves_lock);
}

static void pl111_reserve_gem_free(struct drm_gem_object *gem)
{
	struct pl111_reserve_gem *obj = container_of(gem, struct pl111_reserve_gem,
						     dma.base);

	gen_pool_free(obj->reserve->pool, (unsigned long)obj->dma.vaddr, gem->size);
	drm_gem_object_release(gem);
	kfree(obj);
}

/* As a dumb buffer of the pool, but freed back to the reserve */
static const struct drm_gem_object_funcs pl111_reserve_gem_funcs = {
	.free = pl111_reserve_gem_free,
	.print_info = drm_gem_dma_object_print_info,
	.get_sg_table = drm_gem_dma_object_get_sg_table,
	.vmap = drm_gem_dma_object_vmap,
	.mmap = drm_gem_dma_object_mmap,
	.vm_ops = &drm_gem_dma_vm_ops,
};

static struct drm_gem_object *pl111_reserve_gem_create(struct drm_device *drm, size_t size)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	struct pl111_reserve_gem *obj;
	struct drm_gem_object *gem;
	int ret;

	size = PAGE_ALIGN(size);
	obj = kzalloc_obj(*obj);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	gem = &obj->dma.base;
	gem->funcs = &pl111_reserve_gem_funcs;
	drm_gem_private_object_init(drm, gem, size);

	obj->dma.vaddr = gen_pool_dma_zalloc(priv->reserve->pool, size,
					     &obj->dma.dma_addr);
	if (!obj->dma.vaddr) {
		drm_gem_object_release(gem);
		kfree(obj);
		return ERR_PTR(-ENOMEM);
	}
	obj->reserve = priv->reserve;

	ret = drm_gem_create_mmap_offset(gem);
	if (ret) {
		drm_gem_object_put(gem);
		return ERR_PTR(ret);
	}
	return gem;
}

/**
 * pl111_dumb_create() - a dumb buffer from the pool, else from the reserve
 * @file: the DRM file to create it for
 * @drm: the CLCD
 * @args: the request, as drm_gem_dma_dumb_create() takes it
 *
 * The reserve serves the fbdev console (an in-kernel client, which has
 * no file) and the DRM master only.
 *
 * Return: 0, or a negative errno: -ENOMEM once neither the pool nor,
 * for those two, the reserve has room.
 */
int pl111_dumb_create(struct drm_file *file, struct drm_device *drm,
		      struct drm_mode_create_dumb *args)
{
	struct pl111_drm_dev_private *priv = drm->dev_private;
	struct drm_gem_object *gem;
	int ret;

	ret = drm_gem_dma_dumb_create(file, drm, args);
	if (ret != -ENOMEM || !priv->reserve ||
	    (file->filp && !drm_is_current_master(file)))
		return ret;
	/* It has set args->pitch and args->size before allocating */
	if (WARN_ON_ONCE(!args->size))
		return ret;

	gem = pl111_reserve_gem_create(drm, args->size);
	if (IS_ERR(gem))
		return PTR_ERR(gem);
	drm_dbg_driver(drm, "the pool is full: a dumb buffer of %zu bytes comes from the reserve\n",
		       gem->size);
	ret = drm_gem_handle_create(file, gem, &args->handle);
	drm_gem_object_put(gem);
	return ret;
}
