package store

import (
	"errors"
	"testing"
	"time"
)

func TestSpoolLifecycle(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, lines := range []string{"a 1\n", "b 2\n", "c 3\n"} {
		err := s.CommitBatch(Commit{Spool: &SpoolEntry{Spooled: now.Add(time.Duration(i) * time.Minute), Points: 1, Lines: []byte(lines)},
			Marks: map[string]time.Time{"src": now.Add(time.Duration(i) * time.Hour)}, SpoolMax: 100})
		if err != nil {
			t.Fatal(err)
		}
	}
	st, _ := s.SpoolStats()
	if st.Entries != 3 || st.Points != 3 || !st.Oldest.Equal(now) || st.Bytes == 0 {
		t.Fatalf("stats %+v", st)
	}
	if mark, _, _ := s.HighWater("src"); !mark.Equal(now.Add(2 * time.Hour)) {
		t.Errorf("mark committed with the batch: %v", mark)
	}
	// Full: the batch and its mark are refused together; nothing already spooled is lost.
	err = s.CommitBatch(Commit{Spool: &SpoolEntry{Spooled: now, Points: 50, Lines: make([]byte, 80)},
		Marks: map[string]time.Time{"src": now.Add(10 * time.Hour)}, SpoolMax: 100})
	if !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("err %v, want ErrSpoolFull", err)
	}
	if mark, _, _ := s.HighWater("src"); !mark.Equal(now.Add(2 * time.Hour)) {
		t.Errorf("a refused batch moved the mark to %v", mark)
	}
	e, ok, _ := s.SpoolOldest()
	if !ok || string(e.Lines) != "a 1\n" {
		t.Fatalf("oldest %+v", e)
	}
	if err := s.SpoolDone(e.ID); err != nil {
		t.Fatal(err)
	}
	e, _, _ = s.SpoolOldest()
	if err := s.SpoolDead(e.ID, "partial write: field type conflict"); err != nil {
		t.Fatal(err)
	}
	dead, _ := s.DeadLetters()
	if len(dead) != 1 || string(dead[0].Lines) != "b 2\n" || dead[0].Error != "partial write: field type conflict" {
		t.Fatalf("dead %+v", dead)
	}
	if n, _ := s.DeadRetry(0); n != 1 {
		t.Errorf("retried %d", n)
	}
	e, _, _ = s.SpoolOldest()
	if string(e.Lines) != "c 3\n" {
		t.Errorf("order after retry: %q first", e.Lines)
	}
	st, _ = s.SpoolStats()
	if st.Entries != 2 || st.DeadEntries != 0 {
		t.Errorf("stats %+v", st)
	}
	s.SpoolDead(e.ID, "x")
	if n, _ := s.DeadDrop(0); n != 1 {
		t.Errorf("dropped %d", n)
	}
}

// BenchmarkSpoolPath measures the spool's cost per point: committing 5,000-point batches
// (a failed write) and replaying them (read + delete). Figures in docs/performance.md.
func BenchmarkSpoolPath(b *testing.B) {
	line := []byte("air_hourly,station=1812A,area=xigong,source=demo pm2_5=21,pm2_5_flag=\"N\",pm10=59,pm10_flag=\"N\",so2=10,so2_flag=\"N\",no2=25,no2_flag=\"N\",co=0.5,co_flag=\"N\",o3=78,o3_flag=\"N\" 1654012800\n")
	const points = 5000
	batch := make([]byte, 0, len(line)*points)
	for i := 0; i < points; i++ {
		batch = append(batch, line...)
	}
	b.Run("spool", func(b *testing.B) {
		s, _ := Open(b.TempDir(), time.Second)
		defer s.Close()
		b.SetBytes(int64(len(batch)))
		for b.Loop() {
			if err := s.CommitBatch(Commit{Spool: &SpoolEntry{Spooled: time.Now(), Points: points, Lines: batch}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
	})
	b.Run("replay", func(b *testing.B) {
		s, _ := Open(b.TempDir(), time.Second)
		defer s.Close()
		for i := 0; i < b.N; i++ {
			s.CommitBatch(Commit{Spool: &SpoolEntry{Spooled: time.Now(), Points: points, Lines: batch}})
		}
		b.SetBytes(int64(len(batch)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e, ok, err := s.SpoolOldest()
			if err != nil || !ok {
				b.Fatal(err)
			}
			if err := s.SpoolDone(e.ID); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
	})
}
