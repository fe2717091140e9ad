/**
 * The iomap buffered IO path with large folios (fs/iomap/buffered-io.c, iter.c, ioend.c) and
 * ext4's side of it as the series "ext4: use iomap for regular file's buffered IO path and enable
 * large folio" (v4) implements it.
 *
 * <ul>
 * <li>{@link org.foliobench.iomap.IomapPath}: the public face, one per mounted filesystem
 * ({@code ext4_iomap_aops}, the read, delalloc write and writeback ops, end_io conversion).</li>
 * <li>{@code Iomap}, {@code IomapIter}, {@code IomapOps}: {@code struct iomap},
 * {@code iomap_iter()} with the begin/end contract, stale mappings looked up again.</li>
 * <li>{@code IomapFolioState}: uptodate and dirty bits per block, pending read/write bytes.</li>
 * <li>{@code BufferedIo}: write ({@code iomap_write_iter}), read and readahead, zero range,
 * delalloc punch after a short write.</li>
 * <li>{@code Writepages}, {@code IomapIoend}, {@code WritepageCtx}, {@code WritebackOps}:
 * writeback through ioends.</li>
 * </ul>
 *
 * <p>Counters (per filesystem, {@code Ext4.counters()}): {@code path.map_calls} (iomap_begin
 * calls), {@code bio.submitted}/{@code bio.segments}/{@code bio.bytes} (bios this path built),
 * {@code iomap.folio_state_alloc}, {@code iomap.ioends}, {@code iomap.ioend_merges} (ranges
 * appended to an open ioend), {@code iomap.ioend_completion_merges}, {@code iomap.stale},
 * {@code iomap.short_copies}, {@code iomap.write_begin_reads} (partial blocks read before a write),
 * {@code iomap.read_zeroed_bytes} (holes and unwritten ranges zero-filled on read),
 * {@code iomap.writepages_calls}, {@code iomap.writeback_map_calls} ({@code ->map_blocks} lookups), {@code iomap.delalloc_alloc_calls}
 * (delayed extents allocated under a folio lock), {@code iomap.writeback_enospc_retries},
 * {@code iomap.delalloc_punched_blocks}, {@code iomap.end_io_handles}, and the completion worker's
 * {@code iomap.end_io_queued}, {@code iomap.end_io_queue_depth_sum} (ioends pending that each
 * queued one found, itself included) and {@code iomap.end_io_latency_ns_sum} (last bio end to
 * writeback end, conversion included).
 */
package org.foliobench.iomap;
