package org.foliobench.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.foliobench.layout.RowKey;
import org.foliobench.layout.RunLayout;

/**
 * The fio options of each row's measured job as it ran, {@code jobs/<rowfile>.json} in a run folder:
 * a JSON object of strings, fio's option names and values (what fio's JSON lists as
 * {@code "job options"}), with the sizes the run used (divided for a quick run) and the device it
 * resolved. The bench writes it ({@link #write}), the fio export reads it ({@link #read}).
 */
public final class JobOptions {
    private JobOptions() {
    }

    /** {@code jobs/<rowfile>.json} of a row (a table row key, or {@code job:<section>}). */
    static Path file(Path runDir, String row) {
        return RunLayout.jobOptions(runDir, row);
    }

    /** Writes the options of {@code row}'s job, in their order. */
    public static void write(Path runDir, String row, Map<String, String> options) throws IOException {
        AtomicWrite.write(file(runDir, row), Json.write(new LinkedHashMap<>(options)) + "\n");
    }

    /**
     * The options of {@code row}'s job; empty when the run folder has none for it (a run from before
     * this file, or one that did not record it).
     *
     * @throws RunFolderException when the file is there but not an object of strings
     */
    static Map<String, String> read(Path runDir, RowKey row) throws RunFolderException {
        Path f = file(runDir, row.key());
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(f)) {
            return out;
        }
        Object o;
        try {
            o = Json.parse(RunFolder.readString(f));
        } catch (Json.ParseException e) {
            throw new RunFolderException(f + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!(o instanceof Map)) {
            throw new RunFolderException(f + ": expected an object of fio options, found " + RunFolder.kind(o));
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new RunFolderException(f + ": \"" + e.getKey() + "\" is " + RunFolder.kind(e.getValue())
                        + "; fio options are strings");
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }
}
