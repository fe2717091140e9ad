package org.foliobench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TunableTest {

    @Test
    void parsesTheJobFileSyntaxAndValidates() {
        assertEquals(2048, Tunables.BLOCK_SIZE.parse("2k"));
        assertEquals(4096, Tunables.BLOCK_SIZE.parse(" 4096 "));
        assertEquals(0, Tunables.MAX_FOLIO_ORDER.parse("0"));
        assertEquals(4L << 30, Tunables.MEM.parse("4g"));
        assertEquals(Boolean.TRUE, Tunables.DIOREAD_NOLOCK.parse("1"));
        assertEquals(BhPartialWalk.RANGE, Tunables.BH_PARTIAL_WALK.parse("range"));
        assertEquals(0L, Tunables.DIRTY_BYTES.parse("0"));
    }

    @Test
    void aBadValueGetsOneMessageWhetherItDoesNotParseOrIsOutOfRange() {
        InvalidValue range = assertThrows(InvalidValue.class, () -> Tunables.BLOCK_SIZE.parse("3000"));
        assertEquals("bad value \"3000\" for mke2fs -b", range.problem());
        assertEquals("use 1k, 2k or 4k: 1024, 2048 or 4096 bytes", range.fix());
        InvalidValue syntax = assertThrows(InvalidValue.class, () -> Tunables.BLOCK_SIZE.parse("4x"));
        assertEquals("bad value \"4x\" for mke2fs -b", syntax.problem());
        assertEquals(range.fix(), syntax.fix());
        assertEquals("bad value \"12\" for MAX_PAGECACHE_ORDER (use a whole number 0..9)",
                assertThrows(InvalidValue.class, () -> Tunables.MAX_FOLIO_ORDER.parse("12")).getMessage());
        assertThrows(InvalidValue.class, () -> Tunables.DIRTY_RATIO.parse("-1"));
        assertThrows(InvalidValue.class, () -> Tunables.DIRTY_RATIO.parse("99999999999"));
        assertThrows(InvalidValue.class, () -> Tunables.DIRTY_BYTES.parse("4k"));
        assertThrows(InvalidValue.class, () -> Tunables.MEM.parse("1m+1"));
        assertThrows(InvalidValue.class, () -> Tunables.DIOREAD_NOLOCK.parse("yes"));
    }

    @Test
    void checkOfATypedValue() {
        assertEquals(1024, Tunables.BLOCK_SIZE.check(1024));
        InvalidValue e = assertThrows(InvalidValue.class, () -> Tunables.BLOCK_SIZE.check(3000));
        assertEquals(assertThrows(InvalidValue.class, () -> Tunables.BLOCK_SIZE.parse("3000")).getMessage(), e.getMessage());
        assertNull(Tunables.DIOREAD_NOLOCK.check(null), "null is dioread_nolock's default (per block size)");
        assertThrows(InvalidValue.class, () -> Tunables.MAX_FOLIO_ORDER.check(null));
    }

    @Test
    void formatAndParamRoundTrip() {
        for (Tunable<?> t : Tunables.ALL) {
            roundTrip(t);
        }
        assertEquals(Tunable.DEFAULT_PARAM, Tunables.DIOREAD_NOLOCK.toParam(null));
        assertNull(Tunables.DIOREAD_NOLOCK.fromParam(Tunable.DEFAULT_PARAM));
        assertEquals(Defaults.BH_PARTIAL_WALK, Tunables.BH_PARTIAL_WALK.fromParam(Tunable.DEFAULT_PARAM));
        assertEquals("4g", Tunables.MEM.format(4L << 30));
    }

    private static <T> void roundTrip(Tunable<T> t) {
        if (t.defaultValue() != null) {
            assertEquals(t.defaultValue(), t.parse(t.format(t.defaultValue())), t.name());
            assertEquals(t.defaultValue(), t.fromParam(t.toParam(t.defaultValue())), t.name());
        }
    }

    @Test
    void everyNameIsDeclaredOnceAndDefaultsComeFromDefaults() {
        Set<String> names = new HashSet<>();
        for (Tunable<?> t : Tunables.ALL) {
            assertTrue(names.add(t.key()), t.key());
            assertTrue(names.add(t.option()), t.option());
            assertTrue(t.option().startsWith("fb_"), t.option());
            assertEquals("tunable." + t.key(), t.metadataKey());
            if (t.flag() != null) {
                assertTrue(names.add(t.flag()), t.flag());
                assertTrue(t.flag().startsWith("--"), t.flag());
            }
            if (t.param() != null) {
                assertTrue(names.add(t.param()), t.param());
            }
        }
        assertEquals(Defaults.MAX_PAGECACHE_ORDER, Tunables.MAX_FOLIO_ORDER.defaultValue());
        assertEquals(Defaults.BLOCK_SIZE, Tunables.BLOCK_SIZE.defaultValue());
        assertEquals(Defaults.DIRTY_RATIO, Tunables.DIRTY_RATIO.defaultValue());
        assertEquals(Defaults.PAGECACHE_ARENA_BYTES, Tunables.MEM.defaultValue());
    }
}
