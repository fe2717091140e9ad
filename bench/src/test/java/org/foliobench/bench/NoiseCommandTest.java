package org.foliobench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NoiseCommandTest {
    @Test
    void abbaBlocksCancelALinearDrift() {
        // identical variants on a machine slowing by 5% per chunk: the block ratio stays exactly 1
        double[] chunks = new double[8];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = 100 * (1 + 0.05 * i);
        }
        assertEquals(0, NoiseCommand.Abba.variant(0));
        assertEquals(1, NoiseCommand.Abba.variant(1));
        assertEquals(1, NoiseCommand.Abba.variant(2));
        assertEquals(0, NoiseCommand.Abba.variant(3));
        assertEquals(0, NoiseCommand.Abba.logRatio(chunks, 0), 1e-12);
        assertEquals(0, NoiseCommand.Abba.logRatio(chunks, 1), 1e-12);
        // A twice as slow as B in a block: log 2
        assertEquals(Math.log(2), NoiseCommand.Abba.logRatio(new double[] {2, 1, 1, 2}, 0), 1e-12);
    }

    @Test
    void blocksForAHalfWidth() {
        assertEquals(28, NoiseCommand.Abba.blocksFor(0.08, 0.03), "(1.96 x 8 / 3)^2 = 27.3");
        assertEquals(3, NoiseCommand.Abba.blocksFor(0.08, 0.10));
        assertEquals(0.1, NoiseCommand.Abba.sd(new double[] {0.9, 1.0, 1.1}), 1e-12);
    }
}
