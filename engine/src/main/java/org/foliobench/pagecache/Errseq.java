package org.foliobench.pagecache;

import java.util.concurrent.atomic.AtomicInteger;
import org.foliobench.Errno;

/**
 * {@code errseq_t} (lib/errseq.c): a mapping's writeback error as an errno, a "seen" flag and a
 * change counter in one int. Every opener samples it ({@link #sample}); its next fsync reports an
 * error set after that sample once ({@link #checkAndAdvance}), whichever opener looked first.
 */
public final class Errseq {
    static final int MAX_ERRNO = 4095;
    static final int ERRSEQ_SEEN = 1 << 12;
    static final int ERRSEQ_CTR_INC = 1 << 13;

    /** {@code struct file}'s {@code f_wb_err}: one opener's sample. */
    public static final class Since {
        int value;

        Since(int value) {
            this.value = value;
        }
    }

    private final AtomicInteger value = new AtomicInteger();

    /** {@code errseq_set}. */
    void set(Errno err) {
        int old = value.get();
        for (;;) {
            int nv = (old & ~(MAX_ERRNO | ERRSEQ_SEEN)) | err.number();
            if ((old & ERRSEQ_SEEN) != 0) {
                nv += ERRSEQ_CTR_INC;
            }
            if (nv == old) {
                return;
            }
            if (value.compareAndSet(old, nv)) {
                return;
            }
            old = value.get();
        }
    }

    /** {@code errseq_sample}: 0 when the current error was never seen, so this opener reports it. */
    Since sample() {
        int old = value.get();
        if ((old & ERRSEQ_SEEN) == 0) {
            old = 0;
        }
        return new Since(old);
    }

    /** {@code errseq_check}: the errno set since {@code since}, or null. */
    Errno check(Since since) {
        int cur = value.get();
        if ((cur & ~ERRSEQ_SEEN) == (since.value & ~ERRSEQ_SEEN) || cur == since.value) {
            return null;
        }
        return toErrno(cur & MAX_ERRNO);
    }

    /** {@code errseq_check_and_advance}: reports an unseen error once to this opener. */
    Errno checkAndAdvance(Since since) {
        int old = value.get();
        if (old == since.value) {
            return null;
        }
        int nv = old | ERRSEQ_SEEN;
        if (nv != old) {
            value.compareAndSet(old, nv);
        }
        since.value = nv;
        return toErrno(nv & MAX_ERRNO);
    }

    private static Errno toErrno(int n) {
        if (n == 0) {
            return null;
        }
        for (Errno e : Errno.values()) {
            if (e.number() == n) {
                return e;
            }
        }
        return Errno.EIO;
    }
}
