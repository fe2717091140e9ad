package org.foliobench.mm;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A thread's context is handed out once at a time, comes back after put, and is the thread's own. */
class OnStackTest {
    @Test
    void theThreadsInstanceIsReusedAndNestedCallsGetNone() throws Exception {
        OnStack<Object> s = new OnStack<>();
        assertNull(s.take(), "nothing until a call put one");
        Object outer = new Object();
        s.put(outer);
        assertSame(outer, s.take());
        assertNull(s.take(), "in use by the outer call: a nested call constructs its own");
        s.put(outer);
        AtomicReference<Object> other = new AtomicReference<>(new Object());
        Thread t = new Thread(() -> other.set(s.take()));
        t.start();
        t.join();
        assertNull(other.get(), "another thread has its own");
        assertSame(outer, s.take());
    }
}
