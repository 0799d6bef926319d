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
 * The heap allocates through the DMA API of the device that published
 * it, which knows how the architecture makes memory write-combined: on
 * 32-bit Arm no cacheable alias is left behind, as the pages' linear
 * mapping of a CMA pool is remapped and a no-map pool is only ever
 * mapped write-combined. Its
 * name is the region's with "-uncached" appended; the cached CMA heap
 * of the same region, if any, is left as it is.
 *
 * Memory of a no-map pool may have no struct page at all, so it cannot
 * be described to other devices: only the publishing device may import
 * it. Heaps are never removed, as userspace may hold their buffers, but
 * while the publishing device has no driver its DMA configuration is
 * torn down, and the heap makes no new allocation, mapping or
 * attachment.
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
 * @dev: the device whose DMA API allocates (referenced, never dropped)
 * @rmem: the region, which is also the registry's key
 * @has_pages: the pool is CMA memory with struct pages, which other
 *	devices can map; a no-map pool is for @dev alone
 * @lock: held for reading while @dev's DMA API is used for a new
 *	buffer, mapping or attachment, for writing to change @bound
 * @bound: @dev has a driver, so its DMA configuration is set up
 * @name: the heap's name
 */
struct dev_wc_heap {
	struct list_head node;
	struct dma_heap *heap;
	struct device *dev;
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
 * @dma_addr: its address for @heap's device
 */
struct dev_wc_buffer {
	struct dev_wc_heap *heap;
	size_t len;
	void *vaddr;
	dma_addr_t dma_addr;
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
 * the memory is not cached. An importer that would need bounce buffers
 * would see a copy made once, at attach: such setups are not supported.
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

	down_read(&heap->lock);
	if (!heap->bound) {
		ret = -ENODEV;
		goto free;
	}
	if (attachment->dev == heap->dev) {
		/* Its own address for the device that allocated it. */
		ret = sg_alloc_table(&a->sgt, 1, GFP_KERNEL);
		if (ret)
			goto free;
		a->sgt.sgl->length = buffer->len;
		sg_dma_address(a->sgt.sgl) = buffer->dma_addr;
		sg_dma_len(a->sgt.sgl) = buffer->len;
		a->own = true;
	} else {
		ret = dma_get_sgtable(heap->dev, &a->sgt, buffer->vaddr,
				      buffer->dma_addr, buffer->len);
		if (ret)
			goto free;
		ret = dma_map_sgtable(attachment->dev, &a->sgt, DMA_BIDIRECTIONAL,
				      DMA_ATTR_SKIP_CPU_SYNC);
		if (ret) {
			dev_warn_ratelimited(attachment->dev,
					     "cannot reach dma-buf heap %s's buffer: %d\n",
					     heap->name, ret);
			sg_free_table(&a->sgt);
			goto free;
		}
	}
	up_read(&heap->lock);
	attachment->priv = a;
	return 0;

free:
	up_read(&heap->lock);
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

static int dev_wc_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;
	struct dev_wc_heap *heap = buffer->heap;
	int ret = -ENODEV;

	down_read(&heap->lock);
	if (heap->bound)
		ret = dma_mmap_wc(heap->dev, vma, buffer->vaddr,
				  buffer->dma_addr, buffer->len);
	up_read(&heap->lock);
	return ret;
}

static int dev_wc_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;

	iosys_map_set_vaddr(map, buffer->vaddr);
	return 0;
}

/*
 * A buffer may outlive the binding it was allocated in; it goes back
 * through the device's DMA API all the same, as the driver's own buffers
 * of the pool do.
 */
static void dev_wc_release(struct dma_buf *dmabuf)
{
	struct dev_wc_buffer *buffer = dmabuf->priv;

	dma_free_wc(buffer->heap->dev, buffer->len, buffer->vaddr,
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
 * Where the DMA API could not allocate from a CMA pool, some
 * implementations take pages from anywhere else: such a buffer is not
 * in the pool, and the device may not reach it.
 */
static bool dev_wc_in_pool(struct dev_wc_heap *heap,
			   struct dev_wc_buffer *buffer)
{
	struct sg_table sgt;
	phys_addr_t start;
	bool in;

	if (!heap->has_pages)
		return true;	/* a no-map pool never falls back */
	if (dma_get_sgtable(heap->dev, &sgt, buffer->vaddr, buffer->dma_addr,
			    buffer->len))
		return false;
	start = page_to_phys(sg_page(sgt.sgl));
	in = start >= heap->rmem->base &&
	     start - heap->rmem->base < heap->rmem->size &&
	     buffer->len <= heap->rmem->size - (start - heap->rmem->base);
	sg_free_table(&sgt);
	return in;
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
		buffer->vaddr = dma_alloc_attrs(heap->dev, buffer->len,
						&buffer->dma_addr,
						GFP_KERNEL | __GFP_NOWARN,
						DMA_ATTR_WRITE_COMBINE |
						DMA_ATTR_NO_WARN);
	if (buffer->vaddr && !dev_wc_in_pool(heap, buffer)) {
		dma_free_wc(heap->dev, buffer->len, buffer->vaddr,
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
		dma_free_wc(heap->dev, buffer->len, buffer->vaddr,
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
		*has_pages = true;
		return 0;
	}
#endif
	return -ENODEV;
}

static struct dev_wc_heap *dev_wc_heap_create(struct device *dev,
					      struct reserved_mem *rmem,
					      bool has_pages)
{
	struct dma_heap_export_info exp_info;
	struct dev_wc_heap *heap;
	size_t len;

	len = strlen(rmem->name) + sizeof(DEV_WC_HEAP_SUFFIX);
	heap = kzalloc_flex(*heap, name, len);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	snprintf(heap->name, len, "%s" DEV_WC_HEAP_SUFFIX, rmem->name);
	heap->rmem = rmem;
	heap->has_pages = has_pages;
	init_rwsem(&heap->lock);
	heap->dev = get_device(dev);

	exp_info.name = heap->name;
	exp_info.ops = &dev_wc_heap_ops;
	exp_info.priv = heap;
	heap->heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap->heap)) {
		struct dma_heap *err = heap->heap;

		put_device(heap->dev);
		kfree(heap);
		return ERR_CAST(err);
	}
	return heap;
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

	ret = dma_heap_link_device(heap->heap, heap->dev);
	if (ret) {
		dev_err(heap->dev, "cannot link heap %s: %d\n", heap->name, ret);
		return ret;
	}
	down_write(&heap->lock);
	heap->bound = true;
	up_write(&heap->lock);
	return devm_add_action_or_reset(heap->dev, dev_wc_heap_unbind, heap);
}

/**
 * dev_wc_heap_add() - publish a device's own DMA pool as a write-combined heap
 * @dev: a device whose ``memory-region`` of_reserved_mem_device_init()
 *	has attached, a CMA pool (``reusable``) or a ``no-map`` one; its
 *	driver is probing it
 *
 * Makes a dma-buf heap named after the region with ``-uncached``
 * appended, whose buffers @dev's DMA API allocates from the pool with
 * dma_alloc_wc(): they are zeroed, mapped write-combined for userspace
 * and the kernel, and DMA_BUF_IOCTL_SYNC on them does no cache
 * maintenance. On Arm32 no cacheable kernel alias of them exists. @dev
 * imports them at their own DMA address; other devices can import them
 * only from a CMA pool, and are refused at attach otherwise. While the
 * driver is bound, @dev links the heap from sysfs as
 * ``<device>/dma_heap/<name>``.
 *
 * Call it from probe, once nothing can fail or defer any more: the heap
 * allocates only while @dev's driver is bound, and refuses new buffers,
 * mappings and attachments with -ENODEV after an unbind, until the next
 * probe calls this again. Buffers made before stay valid. A region is one
 * such heap at most, which belongs to the first device that published
 * it: calling this again for that device, for instance on every probe,
 * keeps the heap and links it again. Heaps are never removed, and the
 * device stays referenced; the region must stay attached to it for as
 * long as the system runs.
 *
 * Context: process context, may sleep.
 * Return: 0 on success; -EINVAL if @dev is NULL; -ENODEV if @dev has no
 * attached pool of its own; -EBUSY if the region's heap belongs to
 * another device; -EOPNOTSUPP if @dev is cache-coherent, behind an IOMMU
 * or has DMA offsets (dma-ranges), where this heap cannot keep its
 * promises; or another negative errno if the heap could not be made
 * (logged).
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
	 * Buffers may be freed after an unbind, when a device's DMA offsets
	 * are gone: only a device without any frees them at the right place.
	 */
	if (dev_is_dma_coherent(dev) || device_iommu_mapped(dev) ||
	    dev->dma_range_map)
		return -EOPNOTSUPP;
	np = of_parse_phandle(dev->of_node, "memory-region", 0);
	if (np)
		rmem = of_reserved_mem_lookup(np);
	of_node_put(np);
	if (!rmem || dev_wc_pool_kind(dev, rmem, &has_pages))
		return -ENODEV;

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
