package org.foliobench.bench;

import java.nio.ByteBuffer;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.foliobench.DefragIomap;
import org.foliobench.ErrnoException;
import org.foliobench.FioSize;
import org.foliobench.Tunables;
import org.foliobench.device.RamDisk;
import org.foliobench.fs.Fsck;
import org.foliobench.iopath.IoPath;
import org.foliobench.stats.CounterNames;
import org.foliobench.stats.Counters;
import org.foliobench.vfs.File;
import org.foliobench.vfs.FileSystem;
import org.foliobench.vfs.MountOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code foliobench defrag}: e4defrag's steps on a RamDisk. A file is written fragmented (its
 * blocks synced one at a time, interleaved with a filler file's in the same allocation region),
 * a donor as large is written in one go, and {@code EXT4_IOC_MOVE_EXT} moves the whole file
 * ({@link File#moveExtents}). Prints the extents before and after, the bios a cold read of the
 * file submits before and after (what the fragmentation costs), the counters of the move, and
 * verifies the data (from cache, cold, after remount) and fsck. On the iomap path the move fails
 * with EOPNOTSUPP unless {@code --defrag-iomap fallback}.
 */
@Command(name = "defrag", mixinStandardHelpOptions = true, modelTransformer = Foliobench.TunableHelp.class,
        footerHeading = "%nExamples:%n",
        footer = {"  foliobench defrag                                   # bh, 16 MiB, 4k fragments",
            "  foliobench defrag --path iomap                      # EOPNOTSUPP (fb_defrag_iomap's default)",
            "  foliobench defrag --path iomap --defrag-iomap fallback"},
        description = "Online defrag (EXT4_IOC_MOVE_EXT, e4defrag's primitive) of a fragmented file on a RamDisk: extents "
                + "and cold-read bios before and after, data verified. iomap inodes: fb_defrag_iomap=eopnotsupp|fallback.")
final class DefragCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Foliobench top;
    @Option(names = "--path", paramLabel = "PATH", description = "bh, bhlf or iomap (default bh).")
    String path = IoPath.BH_NAME;
    @Option(names = "--defrag-iomap", paramLabel = "MODE",
            description = "fb_defrag_iomap: eopnotsupp (Dave Chinner's answer) or fallback (the series' patch).")
    String defragIomap = org.foliobench.Defaults.DEFRAG_IOMAP.value();
    @Option(names = "--size", paramLabel = "SIZE", description = "file size (default 16m).")
    String size = "16m";
    @Option(names = "--bs", paramLabel = "SIZE", description = "fragment size: each written and synced alone (default 4k).")
    String bs = "4k";
    @Option(names = "--block-size", paramLabel = "N", description = "filesystem block size.")
    String blockSizeFlag;
    /** {@code --block-size}, parsed by its declaration ({@link Tunables#BLOCK_SIZE}). */
    int blockSize = org.foliobench.Defaults.BLOCK_SIZE;

    @Override
    public Integer call() throws Exception {
        IoPath p;
        DefragIomap mode;
        long bytes;
        long frag;
        try {
            p = IoPath.parse(path);
            bytes = FioSize.parse(size);
            frag = FioSize.parse(bs);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), "see foliobench defrag --help");
        }
        mode = Foliobench.flag(Tunables.DEFRAG_IOMAP, defragIomap);
        if (blockSizeFlag != null) {
            blockSize = Foliobench.flag(Tunables.BLOCK_SIZE, blockSizeFlag);
        }
        if (frag < blockSize || frag % blockSize != 0 || bytes < frag || bytes % frag != 0 || bytes > (1L << 30)) {
            throw new UsageException("--size " + size + " / --bs " + bs + " do not fit",
                    "use a --bs that is a multiple of the block size and divides --size, and --size up to 1g");
        }
        try (RunLock lock = RunLock.acquire()) {
            return defrag(p, mode, bytes, (int) frag);
        }
    }

    int defrag(IoPath p, DefragIomap mode, long bytes, int frag) throws Exception {
        RamDisk dev = new RamDisk(Math.max(64L << 20, 4 * bytes));
        MountOptions o = MountOptions.builder().blockSize(blockSize).memBytes(Math.max(64L << 20, 2 * bytes))
                .defragIomap(mode).build();
        FileSystem.format(dev, o);
        FileSystem fs = FileSystem.mount(dev, o);
        Counters c = fs.counters();
        byte[] data = new byte[(int) bytes];
        new Random(16).nextBytes(data);
        top.out.printf("defrag: %s, %s file in %s fragments, block size %d, fb_defrag_iomap=%s%n", p.shortName(),
                FioSize.format(bytes), FioSize.format(frag), blockSize, mode.value());
        int rc = Foliobench.EXIT_OK;
        try (File f = fs.open("file", p, StandardOpenOption.CREATE)) {
            writeFragmented(fs, f, data, frag);
            int before = f.fiemapExtents();
            long bios0 = coldReadBios(fs, f, data);
            try (File d = fs.open("donor", p, StandardOpenOption.CREATE_NEW)) {
                d.pwrite(ByteBuffer.wrap(new byte[(int) bytes]), 0);
                d.fsync();
                long blocks = bytes / blockSize;
                Map<String, Long> c0 = c.snapshot();
                long t0 = System.nanoTime();
                long moved;
                try {
                    moved = f.moveExtents(d, 0, 0, blocks);
                    f.fsync();
                } catch (ErrnoException e) {
                    top.out.println("EXT4_IOC_MOVE_EXT: " + e.getMessage() + " (here: --defrag-iomap fallback)");
                    top.out.printf("extents: %d (unchanged)%n", f.fiemapExtents());
                    verify(f, data, "after the refused move");
                    rc = Foliobench.EXIT_FAILED;
                    moved = -1;
                }
                if (moved < 0) {
                    d.close();
                    f.close();
                    fs.unmount();
                    dev.close();
                    return rc;
                }
                long ns = System.nanoTime() - t0;
                Map<String, Long> dc = Counters.delta(c0, c.snapshot());
                top.out.printf("EXT4_IOC_MOVE_EXT: moved %d blocks in %.1f ms (with the fsync), file now on the %s path%n",
                        moved, ns / 1e6, f.path().shortName());
                top.out.printf("extents: %d before, %d after%n", before, f.fiemapExtents());
                for (String k : List.of(CounterNames.VFS_DEFRAG_IOMAP_FALLBACKS, CounterNames.BUFFER_BH_ALLOC, CounterNames.BUFFER_BH_READS, CounterNames.JBD2_HANDLES,
                        CounterNames.JBD2_COMMITS, CounterNames.WRITEBACK_PAGES_WRITTEN)) {
                    top.out.printf("  %-28s %d%n", k, dc.getOrDefault(k, 0L));
                }
                verify(f, data, "from the cache after the move");
            }
            fs.unlink("donor");
            long bios1 = coldReadBios(fs, f, data);
            top.out.printf("cold read of the file: %d bios before, %d after (%.1f and %.1f per MiB)%n", bios0, bios1,
                    bios0 / (double) Math.max(1, bytes >> 20), bios1 / (double) Math.max(1, bytes >> 20));
        }
        fs.unmount();
        List<String> problems = Fsck.check(dev);
        fs = FileSystem.mount(dev, o);
        try (File f = fs.open("file", p)) {
            verify(f, data, "after remount");
        }
        fs.unmount();
        dev.close();
        top.out.println("fsck: " + (problems.isEmpty() ? "clean" : problems));
        top.out.println("data: verified from the cache, cold, and after remount");
        return problems.isEmpty() ? rc : Foliobench.EXIT_FAILED;
    }

    /**
     * Writes {@code data} one fragment at a time, each synced, interleaved with a filler file the
     * allocator places in the same region (found by trying: two fragments of the file with one
     * of the filler's written between them must be two extents), so no two fragments are adjacent.
     */
    private static void writeFragmented(FileSystem fs, File f, byte[] data, int frag) throws Exception {
        byte[] zeros = new byte[frag];
        for (int i = 0; i < 64; i++) {
            try (File g = fs.open("filler" + i, IoPath.BUFFER_HEAD, StandardOpenOption.CREATE_NEW)) {
                boolean apart = false;
                for (int pass = 0; pass < 2; pass++) {
                    for (int off = 0; off < (pass == 0 ? 2 * frag : data.length); off += frag) {
                        f.pwrite(ByteBuffer.wrap(data, off, frag), off);
                        f.fsync();
                        g.pwrite(ByteBuffer.wrap(zeros), off);
                        g.fsync();
                    }
                    if (pass == 0) {
                        apart = f.fiemapExtents() > 1;
                        if (!apart) {
                            break;
                        }
                        // found the filler: start again from empty files, fragment by fragment
                        f.truncate(0);
                        g.truncate(0);
                    }
                }
                if (!apart) {
                    f.truncate(0);
                    g.truncate(0);
                    continue;
                }
                return;
            }
        }
        throw new IllegalStateException("no filler file landed next to the file's blocks in 64 tries");
    }

    /** Drops the cache, reads the file cold, checks it; returns the bios the read submitted. */
    private long coldReadBios(FileSystem fs, File f, byte[] data) throws Exception {
        fs.dropCaches();
        long b0 = fs.counters().get(CounterNames.BIO_SUBMITTED);
        verify(f, data, "cold");
        return fs.counters().get(CounterNames.BIO_SUBMITTED) - b0;
    }

    private static void verify(File f, byte[] data, String when) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(data.length);
        int n = 0;
        while (n < data.length) {
            int r = f.pread(b, n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
        if (n != data.length || !java.util.Arrays.equals(b.array(), data)) {
            throw new IllegalStateException("data mismatch " + when + " (" + n + " of " + data.length + " bytes read)");
        }
    }
}
