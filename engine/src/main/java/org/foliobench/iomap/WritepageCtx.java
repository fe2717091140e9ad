package org.foliobench.iomap;

import java.util.ArrayList;
import org.foliobench.device.Bio;
import org.foliobench.device.BlkPlug;
import org.foliobench.fs.MapBlocks;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.WritebackControl;

/**
 * {@code struct iomap_writepage_ctx} (with ext4's {@code struct ext4_writeback_ctx}): the cached
 * writeback mapping, the ioend being built, and the submission and completion queues of one
 * {@code ->writepages} call. The kernel's lives on the stack of {@code ext4_iomap_writepages};
 * here each thread reuses one ({@link Writepages#writepages}), set up by {@link #init} and emptied
 * by {@link #release}.
 */
final class WritepageCtx {
    AddressSpace mapping;
    WritebackControl wbc;
    WritebackOps ops;
    final Iomap iomap = new Iomap();
    /** ext4's {@code data_seq}: {@code i_es_seq} when {@link #iomap} was looked up. */
    long dataSeq;
    /** The {@code struct ext4_map_blocks} of ext4's {@code ->map_blocks}. */
    final MapBlocks map = new MapBlocks();
    IomapIoend ioend;
    int nrFolios;
    BlkPlug plug;
    /** Built bios waiting for the folio lock to be dropped before submission. */
    final ArrayList<Bio> toSubmit = new ArrayList<>();
    final ArrayList<IomapIoend> toSubmitOwner = new ArrayList<>();
    /** Ioends whose bios are all queued: their submission bias is dropped after submission. */
    final ArrayList<IomapIoend> sealed = new ArrayList<>();
    /** The current folio's dirty range ({@code iomap_find_dirty_range}), ioends it added to: reused per folio. */
    final int[] range = new int[2];
    final int[] count = new int[1];

    /** The start of an {@code ->writepages} call: no mapping cached, nothing queued. */
    WritepageCtx init(AddressSpace mapping, WritebackControl wbc, WritebackOps ops, BlkPlug plug) {
        this.mapping = mapping;
        this.wbc = wbc;
        this.ops = ops;
        this.plug = plug;
        iomap.clear();
        dataSeq = -1;
        nrFolios = 0;
        return this;
    }

    /**
     * The call is over: every ioend it built was submitted (their completions may still be running:
     * they refer to the context no more); forget the mapping, control and plug.
     */
    void release() {
        if (ioend != null || !toSubmit.isEmpty() || !sealed.isEmpty()) {
            throw new IllegalStateException("iomap writepages of " + mapping + " ended with ioends unsubmitted");
        }
        mapping = null;
        wbc = null;
        ops = null;
        plug = null;
    }
}
