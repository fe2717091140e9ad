package org.foliobench.fs;

import java.io.IOException;

/**
 * data=ordered: called by the journal commit, before the transaction's metadata is written, for
 * every inode a handle added with {@link Handle#addInodeWrite} ({@code journal_submit_data_buffers}
 * plus {@code journal_finish_inode_data_buffers}). It writes the inode's dirty data over blocks
 * already allocated and waits for it. It must not start journal handles.
 */
public interface OrderedDataWriter {
    void writeAndWait(Inode inode) throws IOException;
}
