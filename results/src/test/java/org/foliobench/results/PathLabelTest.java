package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathLabelTest {
    @Test
    void pairsAndSides() {
        assertEquals(List.of(PathLabel.BH, PathLabel.IOMAP), PathLabel.IOMAP.pair());
        assertEquals(List.of(PathLabel.EXT4, PathLabel.XFS), PathLabel.EXT4.pair());
        assertEquals(0, PathLabel.EXT4.side());
        assertEquals(1, PathLabel.XFS.side());
        assertTrue(PathLabel.XFS.kernel());
        assertEquals(PathLabel.XFS, PathLabel.of("XFS"));
        assertThrows(IllegalArgumentException.class, () -> PathLabel.of("btrfs"));
    }

    @Test
    void bhlfIsAThirdColumnBesideTheModelPair() {
        assertEquals(PathLabel.BHLF, PathLabel.of("bhlf"));
        assertEquals(PathLabel.MODEL, PathLabel.BHLF.pair(), "its base is the model's bh");
        assertEquals(2, PathLabel.BHLF.side());
        assertEquals(List.of(PathLabel.BH, PathLabel.IOMAP, PathLabel.BHLF), PathLabel.MODEL3);
        assertTrue(!PathLabel.BHLF.kernel());
    }

    @Test
    void whichModelPathAFilesystemRunsDependsOnTheKernel() {
        assertTrue(PathLabel.EXT4.modelCounterpart("6.18.44-fc-v1045").startsWith("bhlf"));
        assertTrue(PathLabel.EXT4.modelCounterpart("6.16").startsWith("bhlf"));
        assertTrue(PathLabel.EXT4.modelCounterpart("6.15.9-arch1").startsWith("bh ("));
        assertTrue(PathLabel.EXT4.modelCounterpart("5.10.0-28-amd64").startsWith("bh ("));
        assertTrue(PathLabel.EXT4.modelCounterpart("").contains("or bhlf"), "unknown release: both named");
        assertTrue(PathLabel.XFS.modelCounterpart("6.1.0").startsWith("iomap (iomap + large folios"));
        assertTrue(PathLabel.XFS.modelCounterpart("5.17.1").contains("order-0"));
        assertEquals("", PathLabel.BH.modelCounterpart("6.18"));
        assertEquals(PathLabel.BHLF, PathLabel.EXT4.modelPath("6.16.0-rc1"));
        assertEquals(PathLabel.BH, PathLabel.EXT4.modelPath("6.15.9-arch1"));
        assertEquals(PathLabel.BH, PathLabel.EXT4.modelPath(""), "unknown release: the order-0 path");
        assertEquals(PathLabel.IOMAP, PathLabel.XFS.modelPath("6.18.44"));
        assertEquals(PathLabel.BHLF, PathLabel.BHLF.modelPath("5.10"), "a model path is itself");
    }
}
