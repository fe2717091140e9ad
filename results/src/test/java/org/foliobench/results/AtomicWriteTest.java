package org.foliobench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriteTest {

    @TempDir
    Path tmp;

    @Test
    void createsOverwritesAndLeavesNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("a/b/tables.md");
        AtomicWrite.write(f, "one");
        assertEquals("one", Files.readString(f));
        AtomicWrite.write(f, "two, longer");
        assertEquals("two, longer", Files.readString(f));
        AtomicWrite.write(f, new byte[0]);
        assertEquals(0, Files.size(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void filesGetTheModeOfAnyNewFileNotAPrivateOne() throws IOException {
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path f = AtomicWrite.write(tmp.resolve("index.html"), "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f), "the umask decides, as for any file");
    }

    @Test
    void aFailureNamesTheFile() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicWrite.write(notADir.resolve("tables.md"), "x"));
        assertTrue(e.getMessage().startsWith("cannot write " + notADir.resolve("tables.md") + ": "), e.getMessage());
    }
}
