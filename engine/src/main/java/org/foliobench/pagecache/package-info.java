/**
 * The page cache shared by both buffered IO paths (mm/filemap.c, mm/readahead.c,
 * mm/page-writeback.c, mm/truncate.c, fs/fs-writeback.c, lib/xarray.c).
 *
 * <ul>
 * <li>{@link org.foliobench.pagecache.PageCache}: the global state (arena, LRU, dirty counts and
 * thresholds, flusher); creates one {@link org.foliobench.pagecache.AddressSpace} per inode.</li>
 * <li>{@link org.foliobench.pagecache.Folio}: off-heap folios of order 0..9 from the buddy
 * {@link org.foliobench.pagecache.PageArena}, indexed in an
 * {@link org.foliobench.pagecache.XArray} with multi-order entries and DIRTY / WRITEBACK /
 * TOWRITE marks.</li>
 * <li>{@link org.foliobench.pagecache.AddressSpaceOperations}: what an IO path implements.</li>
 * <li>{@link org.foliobench.pagecache.Filemap}: {@code filemap_read} and
 * {@code generic_perform_write}; {@link org.foliobench.pagecache.Readahead}: on-demand
 * readahead; {@link org.foliobench.pagecache.Writeback}: {@code writeback_iter} and
 * {@code balance_dirty_pages_ratelimited}.</li>
 * </ul>
 *
 * <p>Threading: {@code xa_lock} (per mapping) and the LRU lock are leaf locks, never held while
 * calling an aops method or waiting. Folio locks are taken before waiting on anything else. The
 * flusher thread ({@code BdiWriteback}) calls {@code ->writepages}; so do fsync/sync callers and,
 * indirectly (by waking the flusher), reclaim. Bio completions run where the device completes
 * them: in the submitter on the RamDisk, on the device's IO thread on a device with a request
 * queue; {@link org.foliobench.pagecache.Folio#endRead} there, and
 * {@link org.foliobench.pagecache.Folio#endWriteback()} there too or, after an unwritten conversion,
 * on ext4's completion worker. Both wake whoever waits on the folio (a reader on the lock, fsync on
 * writeback, throttled writers on writeback progress).
 */
package org.foliobench.pagecache;
