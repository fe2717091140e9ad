/**
 * The buffered IO path of a regular file as one choice per inode: {@link org.foliobench.iopath.IoPath}
 * names the paths ({@code bh}, {@code iomap}, {@code bhlf}), {@link org.foliobench.iopath.IoPathOps} is
 * what each implements (the {@code address_space_operations} of {@code ext4_set_aops} or the series'
 * {@code ext4_set_iomap_aops}, plus its half of {@code ext4_buffered_write_iter}, truncate and punch).
 *
 * <p>The kernel has no directory for this: the choice lives in fs/ext4/inode.c and the contract is
 * {@code struct address_space_operations} (include/linux/fs.h). It is a package of its own so that the
 * layers stay one-way: {@code buffer} (fs/buffer.c) and {@code iomap} (fs/iomap/) implement it, {@code vfs}
 * picks one per open and calls it; it sits above {@code pagecache} and {@code fs}, whose
 * {@code AddressSpace} and {@code Inode} its methods take, and below both paths and the vfs.
 */
package org.foliobench.iopath;
