package store

import (
	"errors"
	"testing"
	"time"
)

func TestOpenSchemaAndHighWater(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d %v", v, err)
	}
	if _, ok, _ := s.HighWater("demo"); ok {
		t.Fatal("fresh store has a high-water mark")
	}
	t1 := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	if err := s.SetHighWater("demo", t1); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHighWater("demo", t1.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := s.HighWater("demo"); !ok || !got.Equal(t1) {
		t.Errorf("high-water %v %v, want %v (marks never move back)", got, ok, t1)
	}
	if s.Size() <= 0 {
		t.Error("size not reported")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen: the mark survives.
	s, err = Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, ok, _ := s.HighWater("demo"); !ok || !got.Equal(t1) {
		t.Errorf("after reopen %v %v", got, ok)
	}
}

func TestLockedByAnother(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Open(dir, 100*time.Millisecond)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}
