package filetrack

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

type memState map[string][]byte

func (m memState) Get(k string) ([]byte, error) { return m[k], nil }
func (m memState) Put(k string, v []byte) error { m[k] = v; return nil }

// rows parses "site,value" lines, one reading per row, in groups.
func rows(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error {
	cr := csv.NewReader(r)
	var out []reading.Reading
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		v, _ := fixed.Parse(rec[1])
		out = append(out, reading.Reading{Kind: reading.Air, Site: rec[0], End: time.Unix(3600, 0),
			Values: []reading.Value{{Code: "pm2_5", V: v, Flag: "N"}}})
		if group > 0 && len(out) == group {
			if err := emit(out, nil); err != nil {
				return err
			}
			out = nil
		}
	}
	if len(out) > 0 {
		return emit(out, nil)
	}
	return nil
}

// A file over the size limit is refused from its size alone, reported once, and reported
// again only when it changes.
func TestOversizedFileRefusedOnceBySize(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.csv")
	os.WriteFile(big, []byte(strings.Repeat("S1,1\n", 1000)), 0o644) // 5,000 bytes
	os.WriteFile(filepath.Join(dir, "small.csv"), []byte("S1,2\n"), 0o644)
	st := memState{}
	tr := &Tracker{Dir: dir, Ext: ".csv", State: st, MaxSize: 1024}
	var failures []string
	var read []string
	walk := func() {
		failures, read = nil, nil
		err := tr.Walk(context.Background(), false, "", func(f File, _, _ int) error {
			read = append(read, f.Name)
			return nil
		}, func(err error) { failures = append(failures, err.Error()) })
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	walk()
	if len(failures) != 1 || !strings.Contains(failures[0], "big.csv: 5000 bytes, larger than the limit of 1024") {
		t.Errorf("first walk: failures %q", failures)
	}
	if strings.Join(read, ",") != "small.csv" {
		t.Errorf("first walk read %v", read)
	}
	walk()
	if len(failures) != 0 || len(read) != 0 {
		t.Errorf("second walk: failures %q read %v; the refusal is remembered, small.csv was processed", failures, read)
	}
	os.WriteFile(big, []byte(strings.Repeat("S1,1\n", 1100)), 0o644)
	walk()
	if len(failures) != 1 {
		t.Errorf("a changed oversized file is reported again: %q", failures)
	}
}

// A large new file reaches the pipeline in groups, in scheduled runs as in backfills; the
// last group carries the file's mark and the file is committed once it is handled.
func TestLargeFileStreamsInGroups(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 25000 {
		fmt.Fprintf(&b, "S1,%d\n", i%500)
	}
	os.WriteFile(filepath.Join(dir, "huge.csv"), []byte(b.String()), 0o644)
	st := memState{}
	src := &Source{Files: &Tracker{Dir: dir, Ext: ".csv", State: st}, Parse: rows, Group: 1000}
	h := &sizes{}
	job := &collector.Job{Name: "files", Source: src, Handler: h, Metrics: collector.NewMetrics(nil), Now: time.Now,
		Marks: marks{}, Logger: nil}
	sum, err := job.Range(context.Background(), collector.Window{From: time.Unix(0, 0), To: time.Unix(7200, 0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 25000 || len(h.sizes) != 25 {
		t.Fatalf("accepted %d in %d batches, want 25000 in 25", sum.Accepted, len(h.sizes))
	}
	for _, n := range h.sizes {
		if n > 1000 {
			t.Fatalf("a batch of %d readings, want ≤ 1000", n)
		}
	}
	if _, ok := st["file:huge.csv"]; !ok {
		t.Error("the file was not committed after its last group")
	}
	// A second run finds nothing new.
	h.sizes = nil
	if sum, _ := job.Range(context.Background(), collector.Window{From: time.Unix(0, 0), To: time.Unix(7200, 0)}, nil); sum.Read != 0 {
		t.Errorf("second run read %d", sum.Read)
	}
}

type sizes struct{ sizes []int }

func (s *sizes) Handle(_ context.Context, b *reading.Batch) (int, error) {
	s.sizes = append(s.sizes, len(b.Readings))
	return len(b.Readings), nil
}

type marks struct{}

func (marks) HighWater(string) (time.Time, bool, error) { return time.Time{}, false, nil }
func (marks) SetHighWater(string, time.Time) error      { return nil }

// samples parses "site,YYYY-MM-DD" water samples.
func samples(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error {
	cr := csv.NewReader(r)
	var out []reading.Reading
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		d, _ := time.ParseInLocation("2006-01-02", rec[1], time.FixedZone("CST", 8*3600))
		v, _ := fixed.Parse("0.3")
		out = append(out, reading.Reading{Kind: reading.Water, Site: rec[0], End: d.UTC(), Values: []reading.Value{{Code: "nh3n", V: v, Flag: "N"}}})
	}
	return emit(out, nil)
}

// A backfill keeps a date-only sample on its first day and counts what it leaves out.
func TestBackfillWindowKeepsFirstDaySamplesAndCountsTheRest(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lab.csv"), []byte("W1,2024-12-31\nW1,2025-01-01\nW1,2025-01-31\nW1,2025-02-01\n"), 0o644)
	src := &Source{Files: &Tracker{Dir: dir, Ext: ".csv", State: memState{}}, Parse: samples}
	bj := time.FixedZone("CST", 8*3600)
	w := collector.Window{From: time.Date(2025, 1, 1, 0, 0, 0, 0, bj), To: time.Date(2025, 2, 1, 0, 0, 0, 0, bj), Backfill: true}
	var kept []string
	outside := 0
	err := src.Stream(context.Background(), w, "", func(b *reading.Batch, _ string, _, _ int) error {
		for _, r := range b.Readings {
			kept = append(kept, r.End.In(bj).Format("2006-01-02"))
		}
		outside += b.OutsideWindow
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, ",") != "2025-01-01,2025-01-31" || outside != 2 {
		t.Errorf("kept %v, outside %d; want 2025-01-01 and 2025-01-31 kept, 2 counted outside", kept, outside)
	}
}
