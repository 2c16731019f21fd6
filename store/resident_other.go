//go:build !linux

package store

// DropResident is a no-op where the process cannot advise the kernel (see the Linux version).
func (s *Store) DropResident() error { return nil }
