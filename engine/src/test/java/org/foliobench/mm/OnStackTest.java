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

    @Test
    void manyKindsKeepTheirOwnSlots() {
        java.util.List<OnStack<Object>> kinds = new java.util.ArrayList<>();
        java.util.List<Object> objs = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) { // more kinds than the thread's first array holds
            kinds.add(new OnStack<>());
            objs.add(new Object());
        }
        for (int i = 0; i < kinds.size(); i++) {
            kinds.get(i).put(objs.get(i));
        }
        for (int i = kinds.size() - 1; i >= 0; i--) {
            assertSame(objs.get(i), kinds.get(i).take(), "kind " + i);
            assertNull(kinds.get(i).take(), "kind " + i + " is in use");
        }
    }
}
