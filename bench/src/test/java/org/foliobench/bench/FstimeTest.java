package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.foliobench.IomapDirtyCheck;
import org.foliobench.iopath.IoPath;
import org.junit.jupiter.api.Test;

/**
 * {@link Fstime}: the copies copy (the destinations are verified inside), and only iomap without
 * patch 33 takes the journal state lock, once per block copied: the write's mapping (the reads
 * hit cached, uptodate folios, which {@code filemap_read} copies without mapping). No timing is
 * asserted.
 */
class FstimeTest {
    @Test
    void onlyIomapWithoutPatch33TakesTheJournalLockPerMapping() throws Exception {
        Fstime.Test t = Fstime.TESTS.get(0);
        assertEquals("File Copy 1024 bufsize 2000 maxblocks", t.toString());
        Fstime.Result without = Fstime.run(t, IoPath.IOMAP, IomapDirtyCheck.ALL, 2, 0.2);
        Fstime.Result with = Fstime.run(t, IoPath.IOMAP, IomapDirtyCheck.DIRECT, 2, 0.2);
        Fstime.Result bh = Fstime.run(t, IoPath.BUFFER_HEAD, IomapDirtyCheck.ALL, 1, 0.2);
        assertTrue(without.bytes() > 0 && with.bytes() > 0 && bh.bytes() > 0);
        // each 1 KiB write maps once (iomap_begin): one check per block, 1024 per MiB
        double perBlock = without.lockChecks() / (double) (without.bytes() / t.bufsize());
        assertTrue(perBlock >= 0.99 && perBlock <= 1.05, perBlock + " checks per block copied");
        assertEquals(0, with.lockChecks(), "patch 33: none");
        assertEquals(0, bh.lockChecks(), "buffer_head: none");
        String md = FstimeCommand.markdown(List.of(bh, without, with));
        assertTrue(md.contains("| File Copy 1024 bufsize 2000 maxblocks | 1 |"), md);
        org.foliobench.plots.Charts.NamedChart ch = FstimeCommand.chart(t, List.of(bh, without, with));
        assertEquals("fstime-fstime", ch.name());
        assertTrue(ch.png().length > 1000 && new String(ch.svg(), java.nio.charset.StandardCharsets.UTF_8).contains("<svg"));
    }
}
