/**
 * Deferred work (kernel/workqueue.c): {@link org.foliobench.workqueue.Workqueue} is a
 * {@code workqueue_struct} served by a kernel worker thread, {@link org.foliobench.workqueue.WorkStruct}
 * a {@code work_struct}. ext4 queues its IO-completion work (unwritten extent conversion, the
 * iomap ioend completion) to its {@code ext4-rsv-conversion} queue from the bio completion.
 */
package org.foliobench.workqueue;
