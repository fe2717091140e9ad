package org.foliobench.iomap;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.foliobench.fs.Ext4;
import org.foliobench.fs.Inode;
import org.foliobench.pagecache.AddressSpace;
import org.foliobench.pagecache.AddressSpaceOperations;
import org.foliobench.vfs.IoPath;
import org.foliobench.vfs.IoPathOps;

/** Placeholder until the iomap path lands (replaced by the real class on merge). */
public final class IomapPath implements IoPathOps {
    public IomapPath(Ext4 fs, int maxFolioOrder) {
    }

    @Override
    public IoPath path() {
        return IoPath.IOMAP;
    }

    @Override
    public AddressSpaceOperations aops() {
        throw new UnsupportedOperationException("iomap path not merged yet");
    }

    @Override
    public int maxFolioOrder() {
        return 0;
    }

    @Override
    public long bufferedWrite(Inode inode, AddressSpace mapping, ByteBuffer src, long pos) throws IOException {
        throw new UnsupportedOperationException("iomap path not merged yet");
    }

    @Override
    public void truncatePage(Inode inode, AddressSpace mapping, long from) throws IOException {
        throw new UnsupportedOperationException("iomap path not merged yet");
    }

    @Override
    public void zeroPartialBlocks(Inode inode, AddressSpace mapping, long pos, long len) throws IOException {
        throw new UnsupportedOperationException("iomap path not merged yet");
    }
}
