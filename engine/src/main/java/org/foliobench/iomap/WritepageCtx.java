package org.foliobench.iomap;

import java.util.ArrayList;
import java.util.List;
import org.foliobench.device.Bio;
import org.foliobench.device.BlkPlug;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.WritebackControl;

/**
 * {@code struct iomap_writepage_ctx} (with ext4's {@code struct ext4_writeback_ctx}): the cached
 * writeback mapping, the ioend being built, and the submission and completion queues of one
 * {@code ->writepages} call.
 */
final class WritepageCtx {
    final AddressSpace mapping;
    final WritebackControl wbc;
    final WritebackOps ops;
    final Iomap iomap = new Iomap();
    /** ext4's {@code data_seq}: {@code i_es_seq} when {@link #iomap} was looked up. */
    long dataSeq = -1;
    IomapIoend ioend;
    int nrFolios;
    final BlkPlug plug;
    /** Built bios waiting for the folio lock to be dropped before submission. */
    final List<Bio> toSubmit = new ArrayList<>();
    final List<IomapIoend> toSubmitOwner = new ArrayList<>();
    /** Ioends whose bios are all queued: their submission bias is dropped after submission. */
    final List<IomapIoend> sealed = new ArrayList<>();
    /** Ioends completed whose end_io work is deferred (the workqueue list). */
    final List<IomapIoend> completed = new ArrayList<>();
    /** Ioends not completed yet; guarded by {@code this}. */
    int inflight;
    /** The current folio's dirty range ({@code iomap_find_dirty_range}), ioends it added to, ranges kept dirty: reused per folio. */
    final int[] range = new int[2];
    final int[] count = new int[1];
    final List<long[]> keepDirty = new ArrayList<>();
    /** Dirty blocks found delalloc under a folio lock: kept dirty for a later pass. */
    long deferredBlocks;

    WritepageCtx(AddressSpace mapping, WritebackControl wbc, WritebackOps ops, BlkPlug plug) {
        this.mapping = mapping;
        this.wbc = wbc;
        this.ops = ops;
        this.plug = plug;
    }
}
