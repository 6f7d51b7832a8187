import CAllocator

/// How the process's allocator hands memory back to the system.
enum Allocator {
    /// Makes every block of 256 KiB or more a mapping of its own, given back the moment it is freed.
    ///
    /// glibc raises its threshold for such mappings each time one is freed, so the later, larger
    /// copies of a growing array (the file index's tables) come from the heap instead, and their
    /// pages stay resident once freed. A million-row import kept 60 MiB that it no longer used
    /// through its index builds and commit; with the threshold fixed it gives them back when
    /// validation ends.
    static func returnLargeBlocksToTheSystem() {
        callocator_map_blocks_from(256 * 1024)
    }
}
