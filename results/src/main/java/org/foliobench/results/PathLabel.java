package org.foliobench.results;

import java.util.List;
import java.util.Locale;
import org.foliobench.iopath.IoPath;

/**
 * The two columns of a table: the model's buffer_head path and iomap + large folio (the published
 * tables' columns), or, for a run of the machine's own kernel ({@code foliobench kernel},
 * {@code import-fio}), ext4 and xfs. The model's names are the engine's ({@link IoPath}). A run has one {@linkplain #pair() pair}; the first of a pair is
 * the base of the speedup, the second the test ({@code iomap/bh}, {@code xfs/ext4}).
 */
public enum PathLabel {
    /** the legacy buffer_head path ({@code path=bh}). */
    BH(IoPath.BH_NAME, "buffer head"),
    /** iomap with large folios ({@code path=iomap}). */
    IOMAP(IoPath.IOMAP_NAME, "iomap + large folio"),
    /**
     * ext4 on the machine's kernel: buffer_head with order-0 folios up to 6.15 (the model's bh),
     * buffer_head with large folios since 6.16 (the model's bhlf).
     */
    EXT4("ext4", "ext4 (kernel)"),
    /** xfs on the machine's kernel: iomap, with large folios since 5.18 (the model's iomap). */
    XFS("xfs", "xfs (kernel)"),
    /**
     * buffer_head with large folios ({@code path=bhlf}, ext4 since 6.16): a third column beside the
     * model's pair, its speedup taken against bh like iomap's ({@link ThreeWayTable}).
     */
    BHLF(IoPath.BHLF_NAME, "bh + large folio");

    /** The model's pair: buffer_head against iomap + large folios. */
    public static final List<PathLabel> MODEL = List.of(BH, IOMAP);
    /** The kernel's pair: ext4 against xfs. */
    public static final List<PathLabel> KERNEL = List.of(EXT4, XFS);

    private final String param;
    private final String title;

    PathLabel(String param, String title) {
        this.param = param;
        this.title = title;
    }

    /** The pass log's {@code path} and file-name prefix: {@code bh}, {@code iomap}, {@code ext4}, {@code xfs}. */
    public String param() {
        return param;
    }

    /** The table's column title: {@code buffer head}, {@code iomap + large folio}, {@code ext4 (kernel)}. */
    public String title() {
        return title;
    }

    /** The model's three columns of a three-way run, base first (the 2024-11 mail's order). */
    public static final List<PathLabel> MODEL3 = List.of(BH, IOMAP, BHLF);

    /** The pair this column belongs to, base first (bhlf: the model's, beside which it is a third column). */
    public List<PathLabel> pair() {
        return MODEL3.contains(this) ? MODEL : KERNEL;
    }

    /** 0 for the base of the speedup (bh, ext4), 1 for the test (iomap, xfs), 2 for the third column (bhlf). */
    public int side() {
        return this == BHLF ? 2 : pair().indexOf(this);
    }

    /** A kernel filesystem rather than a model path. */
    public boolean kernel() {
        return KERNEL.contains(this);
    }

    /**
     * The model path this kernel filesystem runs on a kernel release ({@code uname -r}): ext4 is
     * {@link #BHLF} since 6.16 and {@link #BH} before (and when the release is unknown), xfs is
     * {@link #IOMAP}; a model path is itself.
     */
    public PathLabel modelPath(String kernelRelease) {
        switch (this) {
            case EXT4:
                return atLeast(version(kernelRelease), 6, 16) ? BHLF : BH;
            case XFS:
                return IOMAP;
            default:
                return this;
        }
    }

    /**
     * What the model runs of this kernel filesystem on a kernel release ({@code uname -r}, e.g.
     * {@code 6.18.4}): ext4 is buffer_head with large folios since 6.16 (ext4's large folio series),
     * order-0 buffer_head before; xfs is iomap with large folios since 5.18. Empty for model paths.
     */
    public String modelCounterpart(String kernelRelease) {
        int[] v = version(kernelRelease);
        boolean known = v[0] > 0;
        switch (this) {
            case EXT4:
                if (!known) {
                    return "bh (order-0 folios, ext4 up to 6.15) or bhlf (large folios, ext4 since 6.16)";
                }
                return modelPath(kernelRelease) == BHLF ? "bhlf (buffer_head + large folios, ext4 since 6.16)"
                        : "bh (buffer_head, order-0 folios, ext4 up to 6.15)";
            case XFS:
                if (!known) {
                    return "iomap (large folios since 5.18)";
                }
                return atLeast(v, 5, 18) ? "iomap (iomap + large folios, xfs since 5.18)" : "iomap with order-0 folios (xfs before 5.18)";
            default:
                return "";
        }
    }

    private static int[] version(String release) {
        int[] v = {0, 0};
        if (release == null) {
            return v;
        }
        String[] p = release.split("[^0-9]+", 3);
        try {
            v[0] = Integer.parseInt(p[0]);
            v[1] = p.length > 1 ? Integer.parseInt(p[1]) : 0;
        } catch (NumberFormatException e) {
            v[0] = 0;
        }
        return v;
    }

    private static boolean atLeast(int[] v, int major, int minor) {
        return v[0] > major || v[0] == major && v[1] >= minor;
    }

    /** From the pass log's {@code path}. */
    public static PathLabel of(String param) {
        for (PathLabel p : values()) {
            if (p.param.equals(param.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("path is bh, iomap, bhlf, ext4 or xfs, not \"" + param + "\"");
    }
}
