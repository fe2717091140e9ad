package org.foliobench.buffer;

import java.util.ArrayList;
import org.foliobench.pagecache.AddressSpace;

/**
 * What a buffer_head-path bio's completion walks: the folios of an mpage read bio
 * ({@code mpage_end_io} walks them as the bio's vectors) or the BufferHeads of an ext4 writeback
 * bio ({@code ext4_finish_bio} walks the buffers of each vector's folio), with the mapping for an
 * error. A segment here is memory without its page, so the list is kept beside the bio, from the
 * {@code buffer_bio_private} cache; its list keeps its capacity across uses. No kernel slab.
 */
final class BioPrivate {
    AddressSpace mapping;
    final ArrayList<Object> items = new ArrayList<>();
    /** The ext4 writeback round's {@code io_end} the bio holds a reference on (null for reads). */
    Ext4IoEnd ioEnd;
    /** The bio's status, kept while its completion waits for an unwritten conversion. */
    boolean ok;

    void clear() {
        mapping = null;
        ioEnd = null;
        ok = false;
        items.clear();
    }
}
