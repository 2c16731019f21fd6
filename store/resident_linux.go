package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// DropResident tells the kernel the process no longer needs the state file's pages that a
// full read (restoring the engines) brought into its address space. They stay in the page
// cache and fault back in when read; until then they no longer count in the process's RSS
// — after restoring a national year that was ≈ 190 MB (docs/performance.md). It is advice:
// an error is returned for the log, never a reason to stop.
func (s *Store) DropResident() error {
	// A read transaction holds bbolt's mmap lock: the mapping cannot move while we advise.
	return s.db.View(func(tx *bolt.Tx) error {
		info := s.db.Info()
		n := int(tx.Size())
		if info.Data == 0 || n <= 0 {
			return nil
		}
		// The raw call: bbolt gives the mapping's address as a uintptr, and turning that back
		// into a pointer is what unsafe's rules forbid.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, info.Data, uintptr(n), unix.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("madvise: %w", errno)
		}
		return nil
	})
}
