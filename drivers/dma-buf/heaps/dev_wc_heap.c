// SPDX-License-Identifier: GPL-2.0
/*
 * Write-combined dma-buf heaps of a device's own DMA pool.
 *
 * A display controller that does not snoop the CPU's caches scans out
 * of a cached buffer only after every frame has been cleaned to memory,
 * line by line. Its own framebuffers need no such work: the DMA API
 * hands them out write-combined. A heap of the same pool with the same
 * mapping lets userspace draw frames that the device reads as they are,
 * with DMA_BUF_IOCTL_SYNC reduced to the ordering a write buffer needs.
 *
 * The heap allocates through the DMA API, which knows how the
 * architecture makes memory write-combined, on a device of its own that
 * is configured as the publishing device is and uses the same pool. The
 * heap owns that device, so its buffers are freed, mapped and attached
 * correctly whatever the publishing driver does with its own device and
 * region later. Its name is the region's with "-uncached" appended; the
 * cached CMA heap of the same region, if any, is left as it is.
 *
 * Memory of a no-map pool may have no struct page at all, so it cannot
 * be described to other devices: only the publishing device may import
 * it. Heaps are never removed, as userspace may hold their buffers.
 * While the publishing device has no driver the heap makes no new
 * buffer; the buffers it made stay usable.
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf/heaps/dev_wc.h>
#include <linux/dma-heap.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#define DEV_WC_HEAP_SUFFIX "-uncached"

/**
 * struct dev_wc_heap - the write-combined heap of one reserved region
 * @node: entry in dev_wc_heaps
 * @heap: the dma-buf heap
 * @dev: the device that published it (referenced, never dropped)
 * @dma_dev: the heap's own device, whose DMA API allocates and frees
 *	its buffers: the DMA configuration of @dev and its pool, kept for
 *	as long as the heap exists
 * @dma_mask: @dma_dev's DMA mask
 * @rmem: the region, which is also the registry's key
 * @has_pages: the pool is CMA memory with struct pages, which other
 *	devices can map; a no-map pool is for @dev alone
 * @lock: held for reading while a buffer is allocated, for writing to
 *	change @bound
 * @bound: @dev has a driver, which allows new buffers
 * @name: the heap's name
 */
struct dev_wc_heap {
	struct list_head node;
	struct dma_heap *heap;
	struct device *dev;
	struct device dma_dev;
	u64 dma_mask;
	struct reserved_mem *rmem;
	bool has_pages;
	struct rw_semaphore lock;
	bool bound;
	char name[];
};

/**
 * struct dev_wc_buffer - one allocation
 * @heap: where it came from
 * @len: its size, a multiple of PAGE_SIZE
 * @vaddr: its write-combined kernel mapping, from the DMA API
 * @dma_addr: its address for @heap's devices
 * @phys: where it is in memory
 */
struct dev_wc_buffer {
	struct dev_wc_heap *heap;
	size_t len;
	void *vaddr;
	dma_addr_t dma_addr;
	phys_addr_t phys;
};

/**
 * struct dev_wc_attachment - a buffer as one importer sees it
 * @sgt: the buffer's DMA addresses for the importer
 * @own: the importer is the heap's device, and @sgt holds its address
 *	from the allocation rather than a mapping of pages
 */
struct dev_wc_attachment {
	struct sg_table sgt;
	bool own;
};

static LIST_HEAD(dev_wc_heaps);
static DEFINE_MUTEX(dev_wc_heaps_lock);	/* protects dev_wc_heaps */

/*
 * The importers' tables are made at attach, so that a device that cannot
 * reach the buffer is refused there, and no CPU cache is ever touched:
 * the memory is not cached. For the same reason a mapping that
 * dma-direct would bounce is refused: the importer would see a copy
 * made once, here, and never synced.
 */
static int dev_wc_attach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attachment)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;
	struct dev_wc_heap *heap = buffer->heap;
	struct dev_wc_attachment *a;
	int ret;

	if (attachment->dev != heap->dev && !heap->has_pages) {
		dev_warn_ratelimited(attachment->dev,
				     "cannot import from dma-buf heap %s: its memory has no struct page, only %s can use it\n",
				     heap->name, dev_name(heap->dev));
		return -EINVAL;
	}

	a = kzalloc_obj(*a);
	if (!a)
		return -ENOMEM;
	ret = sg_alloc_table(&a->sgt, 1, GFP_KERNEL);
	if (ret)
		goto free;

	if (attachment->dev == heap->dev) {
		/* Its own address for the device that published the pool. */
		a->sgt.sgl->length = buffer->len;
		sg_dma_address(a->sgt.sgl) = buffer->dma_addr;
		sg_dma_len(a->sgt.sgl) = buffer->len;
		a->own = true;
		goto done;
	}

	sg_set_page(a->sgt.sgl, pfn_to_page(PHYS_PFN(buffer->phys)), buffer->len, 0);
	ret = dma_map_sgtable(attachment->dev, &a->sgt, DMA_BIDIRECTIONAL,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret) {
		dev_warn_ratelimited(attachment->dev,
				     "cannot reach dma-buf heap %s's buffer: %d\n",
				     heap->name, ret);
		goto free_table;
	}
	/*
	 * Without an IOMMU the importer must see the buffer where the heap's
	 * device does: any other address is a bounce buffer (or a DMA offset
	 * of the importer's, which this heap does not handle either).
	 */
	if (!device_iommu_mapped(attachment->dev) &&
	    sg_dma_address(a->sgt.sgl) != buffer->dma_addr) {
		dev_warn_ratelimited(attachment->dev,
				     "cannot import from dma-buf heap %s: the buffer would be reached at %pad, not at its own address %pad (a bounce buffer or a DMA offset)\n",
				     heap->name, &sg_dma_address(a->sgt.sgl),
				     &buffer->dma_addr);
		dma_unmap_sgtable(attachment->dev, &a->sgt, DMA_BIDIRECTIONAL,
				  DMA_ATTR_SKIP_CPU_SYNC);
		ret = -EINVAL;
		goto free_table;
	}
done:
	attachment->priv = a;
	return 0;

free_table:
	sg_free_table(&a->sgt);
free:
	kfree(a);
	return ret;
}

static void dev_wc_detach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attachment)
{
	struct dev_wc_attachment *a = attachment->priv;

	if (!a->own)
		dma_unmap_sgtable(attachment->dev, &a->sgt, DMA_BIDIRECTIONAL,
				  DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(&a->sgt);
	kfree(a);
}

static struct sg_table *dev_wc_map_dma_buf(struct dma_buf_attachment *attachment,
					   enum dma_data_direction direction)
{
	struct dev_wc_attachment *a = attachment->priv;

	return &a->sgt;
}

static void dev_wc_unmap_dma_buf(struct dma_buf_attachment *attachment,
				 struct sg_table *sgt,
				 enum dma_data_direction direction)
{
}

/*
 * Nothing is cached, so there is nothing to clean or invalidate. What is
 * left is ordering: the CPU's reads must not pass the device's writes it
 * was told about, and its buffered writes must reach memory before the
 * device is told to read them.
 */
static int dev_wc_begin_cpu_access(struct dma_buf *dmabuf,
				   enum dma_data_direction direction)
{
	/* Order the CPU's reads after the device's writes it waited for. */
	rmb();
	return 0;
}

static int dev_wc_end_cpu_access(struct dma_buf *dmabuf,
				 enum dma_data_direction direction)
{
	/* Drain the write buffers before the device is told to read. */
	wmb();
	return 0;
}

/*
 * The heap's own device maps the buffer, with the attributes the DMA API
 * gave the kernel's mapping of it, whether or not the publishing driver
 * is bound. A private mapping would take copies on write that the device
 * never sees.
 */
static int dev_wc_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	return dma_mmap_wc(&buffer->heap->dma_dev, vma, buffer->vaddr,
			   buffer->dma_addr, buffer->len);
}

static int dev_wc_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;

	iosys_map_set_vaddr(map, buffer->vaddr);
	return 0;
}

/*
 * A buffer may outlive the binding it was allocated in, and even the
 * publishing device's hold on its region: it goes back through the
 * heap's own device, which keeps the pool.
 */
static void dev_wc_release(struct dma_buf *dmabuf)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;

	dma_free_wc(&buffer->heap->dma_dev, buffer->len, buffer->vaddr,
		    buffer->dma_addr);
	kfree(buffer);
}

static const struct dma_buf_ops dev_wc_buf_ops = {
	.attach = dev_wc_attach,
	.detach = dev_wc_detach,
	.map_dma_buf = dev_wc_map_dma_buf,
	.unmap_dma_buf = dev_wc_unmap_dma_buf,
	.begin_cpu_access = dev_wc_begin_cpu_access,
	.end_cpu_access = dev_wc_end_cpu_access,
	.mmap = dev_wc_mmap,
	.vmap = dev_wc_vmap,
	.release = dev_wc_release,
};

/*
 * Where the buffer lies in memory. Where the DMA API could not allocate
 * from a CMA pool, some implementations take pages from anywhere else:
 * such a buffer is not in the pool, and the device may not reach it.
 * A no-map pool never falls back, and its memory is where the device
 * addresses it: the region's DMA address is its physical one, and the
 * device has no DMA range map.
 */
static bool dev_wc_locate(struct dev_wc_heap *heap,
			  struct dev_wc_buffer *buffer)
{
	struct sg_table sgt;
	phys_addr_t start;

	if (!heap->has_pages) {
		buffer->phys = buffer->dma_addr;
		return true;
	}
	if (dma_get_sgtable(&heap->dma_dev, &sgt, buffer->vaddr,
			    buffer->dma_addr, buffer->len))
		return false;
	start = page_to_phys(sg_page(sgt.sgl));
	sg_free_table(&sgt);
	buffer->phys = start;
	return start >= heap->rmem->base &&
	       start - heap->rmem->base < heap->rmem->size &&
	       buffer->len <= heap->rmem->size - (start - heap->rmem->base);
}

static struct dma_buf *dev_wc_allocate(struct dma_heap *dma_heap,
				       unsigned long len, u32 fd_flags,
				       u64 heap_flags)
{
	struct dev_wc_heap *heap = dma_heap_get_drvdata(dma_heap);
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dev_wc_buffer *buffer;
	struct dma_buf *dmabuf;

	buffer = kzalloc_obj(*buffer);
	if (!buffer)
		return ERR_PTR(-ENOMEM);
	buffer->heap = heap;
	buffer->len = PAGE_ALIGN(len);

	/*
	 * Zeroed, and for a CMA pool cleaned from the caches once, here:
	 * the DMA API does both before it hands the memory out.
	 */
	down_read(&heap->lock);
	if (heap->bound)
		buffer->vaddr = dma_alloc_attrs(&heap->dma_dev, buffer->len,
						&buffer->dma_addr,
						GFP_KERNEL | __GFP_NOWARN,
						DMA_ATTR_WRITE_COMBINE |
						DMA_ATTR_NO_WARN);
	if (buffer->vaddr && !dev_wc_locate(heap, buffer)) {
		dma_free_wc(&heap->dma_dev, buffer->len, buffer->vaddr,
			    buffer->dma_addr);
		buffer->vaddr = NULL;
	}
	dmabuf = ERR_PTR(heap->bound ? -ENOMEM : -ENODEV);
	up_read(&heap->lock);
	if (!buffer->vaddr) {
		kfree(buffer);
		return dmabuf;
	}

	exp_info.exp_name = heap->name;
	exp_info.ops = &dev_wc_buf_ops;
	exp_info.size = buffer->len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		dma_free_wc(&heap->dma_dev, buffer->len, buffer->vaddr,
			    buffer->dma_addr);
		kfree(buffer);
	}
	return dmabuf;
}

static const struct dma_heap_ops dev_wc_heap_ops = {
	.allocate = dev_wc_allocate,
};

static struct dev_wc_heap *dev_wc_heap_find(struct reserved_mem *rmem)
{
	struct dev_wc_heap *heap;

	list_for_each_entry(heap, &dev_wc_heaps, node)
		if (heap->rmem == rmem)
			return heap;
	return NULL;
}

/*
 * Which pool @dev allocates from: its own, and it must be @rmem, since
 * the heap is named after it (both kinds of region keep their pool in
 * rmem->priv). The DMA API tries a no-map pool (dma_mem) before a CMA
 * one.
 */
static int dev_wc_pool_kind(struct device *dev, struct reserved_mem *rmem,
			    bool *has_pages)
{
#ifdef CONFIG_DMA_DECLARE_COHERENT
	if (dev->dma_mem) {
		*has_pages = false;
		return dev->dma_mem == rmem->priv ? 0 : -ENODEV;
	}
#endif
#ifdef CONFIG_DMA_CMA
	if (dev->cma_area && dev->cma_area == rmem->priv) {
		/* The system's default area is everyone's, not a pool */
		if (dev->cma_area == dev_get_cma_area(NULL)) {
			dev_err(dev, "%s is the system's default CMA area, not a pool of the device's own: no heap\n",
				rmem->name);
			return -EINVAL;
		}
		*has_pages = true;
		return 0;
	}
#endif
	return -ENODEV;
}

static void dev_wc_heap_free(struct device *dma_dev)
{
	struct dev_wc_heap *heap = container_of(dma_dev, struct dev_wc_heap, dma_dev);

	put_device(heap->dev);
	kfree(heap);
}

/*
 * The heap's own device: the DMA configuration of @dev and its pool, so
 * that the heap's buffers do not depend on what @dev's driver does with
 * its device and region later. dev_wc_heap_add() checked that @dev has
 * no IOMMU, no DMA range map and does not snoop caches, so what is left
 * to copy is its DMA masks and its pool (a per-device coherent pool or a
 * CMA area); dma-direct then allocates, maps and frees for this device as
 * it would for @dev. The device is never registered: nothing but the DMA
 * API uses it, and it lives as long as the heap, which is never removed.
 */
static int dev_wc_heap_init_dma_dev(struct dev_wc_heap *heap,
				    struct device *dev)
{
	struct device *dma_dev = &heap->dma_dev;

	heap->dma_mask = dma_get_mask(dev);
	dma_dev->dma_mask = &heap->dma_mask;
	dma_dev->coherent_dma_mask = dev->coherent_dma_mask;
#ifdef CONFIG_DMA_DECLARE_COHERENT
	dma_dev->dma_mem = dev->dma_mem;
#endif
#ifdef CONFIG_DMA_CMA
	dma_dev->cma_area = dev->cma_area;
#endif
	if (dev_is_dma_coherent(dma_dev))
		return -EOPNOTSUPP;
	return dev_set_name(dma_dev, "%s", heap->name);
}

static struct dev_wc_heap *dev_wc_heap_create(struct device *dev,
					      struct reserved_mem *rmem,
					      bool has_pages)
{
	struct dma_heap_export_info exp_info;
	struct dev_wc_heap *heap;
	size_t len;
	int ret;

	len = strlen(rmem->name) + sizeof(DEV_WC_HEAP_SUFFIX);
	heap = kzalloc_flex(*heap, name, len);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	snprintf(heap->name, len, "%s" DEV_WC_HEAP_SUFFIX, rmem->name);
	heap->rmem = rmem;
	heap->has_pages = has_pages;
	init_rwsem(&heap->lock);
	heap->dev = get_device(dev);
	/* From here on the heap goes with its device's last reference. */
	device_initialize(&heap->dma_dev);
	heap->dma_dev.release = dev_wc_heap_free;
	ret = dev_wc_heap_init_dma_dev(heap, dev);
	if (ret)
		goto put;

	exp_info.name = heap->name;
	exp_info.ops = &dev_wc_heap_ops;
	exp_info.priv = heap;
	heap->heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap->heap)) {
		ret = PTR_ERR(heap->heap);
		goto put;
	}
	return heap;

put:
	put_device(&heap->dma_dev);
	return ERR_PTR(ret);
}

static void dev_wc_heap_unbind(void *data)
{
	struct dev_wc_heap *heap = data;

	dma_heap_unlink_device(heap->heap, heap->dev);
	down_write(&heap->lock);
	heap->bound = false;
	up_write(&heap->lock);
}

/*
 * Allocate through @heap's device, and link the heap from it, while its
 * driver is bound.
 */
static int dev_wc_heap_bind(struct dev_wc_heap *heap)
{
	bool bound;
	int ret;

	/* Published already in this binding */
	down_read(&heap->lock);
	bound = heap->bound;
	up_read(&heap->lock);
	if (bound)
		return 0;

	/* Bound before the link's uevent tells userspace to allocate */
	down_write(&heap->lock);
	heap->bound = true;
	up_write(&heap->lock);
	ret = dma_heap_link_device(heap->heap, heap->dev);
	if (ret) {
		dev_err(heap->dev, "cannot link heap %s: %d\n", heap->name, ret);
		down_write(&heap->lock);
		heap->bound = false;
		up_write(&heap->lock);
		return ret;
	}
	return devm_add_action_or_reset(heap->dev, dev_wc_heap_unbind, heap);
}

/**
 * dev_wc_heap_add() - publish a device's own DMA pool as a write-combined heap
 * @dev: a device whose ``memory-region`` of_reserved_mem_device_init()
 *	has attached, a CMA pool (``reusable``) or a ``no-map`` one; its
 *	driver is probing it
 *
 * Makes a dma-buf heap named after the region with ``-uncached``
 * appended, whose buffers the DMA API allocates from the pool with
 * dma_alloc_wc(), on a device of the heap's own that has @dev's DMA
 * configuration and pool: they are zeroed, mapped write-combined for
 * userspace (shared mappings only) and the kernel, and
 * DMA_BUF_IOCTL_SYNC on them does no cache maintenance. @dev imports
 * them at their own DMA address; other devices can import them only
 * from a CMA pool, and only where they reach the buffer itself rather
 * than a bounce buffer, and are refused at attach otherwise. While the
 * driver is bound, @dev links the heap from sysfs as
 * ``<device>/dma_heaps/<name>``.
 *
 * Call it from probe, once nothing can fail or defer any more: the heap
 * allocates only while @dev's driver is bound, and refuses new buffers
 * with -ENODEV after an unbind, until the next probe calls this again.
 * Buffers made before stay valid, and can still be mapped and attached.
 * A region is one such heap at most, which belongs to the first device
 * that published it: calling this again for that device, for instance on
 * every probe, checks the device again, keeps the heap and links it
 * again. Heaps are never removed, and the device stays referenced; as
 * the heap keeps the pool for its buffers, the driver may release its
 * region as usual.
 *
 * Context: process context, may sleep.
 * Return: 0 on success; -EINVAL if @dev is NULL, or if its region is the
 * system's default CMA area, which is no pool of its own (logged);
 * -ENODEV if @dev has no attached pool of its own; -EBUSY if the
 * region's heap belongs to another device; -EOPNOTSUPP if @dev is
 * cache-coherent, behind an IOMMU or has a DMA range map (dma-ranges),
 * where this heap cannot keep its promises; or another negative errno
 * if the heap could not be made (logged).
 */
int dev_wc_heap_add(struct device *dev)
{
	struct reserved_mem *rmem = NULL;
	struct dev_wc_heap *heap;
	struct device_node *np;
	bool has_pages;
	int ret;

	if (!dev)
		return -EINVAL;
	/*
	 * A coherent device maps its pool cached, and one behind an IOMMU
	 * allocates from anywhere: neither gives write-combined pool memory.
	 * With a DMA range map (dma-ranges) a buffer's DMA address need not
	 * tell where it is. Checked on every probe: a heap whose device has
	 * come to have any of these makes no new buffer.
	 */
	if (dev_is_dma_coherent(dev) || device_iommu_mapped(dev) ||
	    dev->dma_range_map)
		return -EOPNOTSUPP;
	np = of_parse_phandle(dev->of_node, "memory-region", 0);
	if (np)
		rmem = of_reserved_mem_lookup(np);
	of_node_put(np);
	if (!rmem)
		return -ENODEV;
	ret = dev_wc_pool_kind(dev, rmem, &has_pages);
	if (ret)
		return ret;

	mutex_lock(&dev_wc_heaps_lock);
	heap = dev_wc_heap_find(rmem);
	if (!heap) {
		heap = dev_wc_heap_create(dev, rmem, has_pages);
		if (IS_ERR(heap)) {
			ret = PTR_ERR(heap);
			dev_err(dev, "no write-combined heap for %s: %d\n",
				rmem->name, ret);
			goto out;
		}
		list_add_tail(&heap->node, &dev_wc_heaps);
	}
	ret = heap->dev == dev ? dev_wc_heap_bind(heap) : -EBUSY;
out:
	mutex_unlock(&dev_wc_heaps_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(dev_wc_heap_add, "DMA_BUF_HEAP");

/**
 * dev_wc_heap_owns() - whether a dma-buf comes from a device's write-combined heap
 * @dev: a device that published its pool with dev_wc_heap_add()
 * @dmabuf: any dma-buf
 *
 * A driver whose device reaches only its own pool can take such a buffer
 * as it is, at the address its attachment gives: the buffer was
 * allocated from that pool by the device's own DMA API.
 *
 * Return: true if @dmabuf was allocated from the heap @dev published.
 */
bool dev_wc_heap_owns(struct device *dev, struct dma_buf *dmabuf)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;

	return dmabuf->ops == &dev_wc_buf_ops && buffer->heap->dev == dev;
}
EXPORT_SYMBOL_NS_GPL(dev_wc_heap_owns, "DMA_BUF_HEAP");
