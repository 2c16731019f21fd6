package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envwatch/envwatch/reading"
)

// fileStream emits files f000 … of perFile readings each, skipping those ≤ after.
type fileStream struct{ files, perFile int }

func (f fileStream) Fetch(context.Context, Window) (*reading.Batch, error) { return nil, nil }

func (f fileStream) Stream(ctx context.Context, _ Window, after string, emit func(*reading.Batch, string, int, int) error) error {
	for i := 0; i < f.files; i++ {
		name := fmt.Sprintf("f%03d", i)
		if name <= after {
			continue
		}
		b := &reading.Batch{}
		for k := 0; k < f.perFile; k++ {
			b.Readings = append(b.Readings, reading.Reading{Site: name})
		}
		if err := emit(b, name, i, f.files); err != nil {
			return err
		}
	}
	return nil
}

// recStager records what was staged, delivered (in completion order: deliveries may
// overlap) and checkpointed; the delivery of the failAt-th staged group fails.
type recStager struct {
	mu          sync.Mutex
	staged      []string
	parts       [][]int
	delivered   []string
	checkpoints []int // len(delivered) at each checkpoint
	failAt      int
	finishedAt  int // len(delivered) when Finish was delivered, -1 before
}

func (r *recStager) Handle(context.Context, *reading.Batch) (int, error) {
	return 0, errors.New("the staged path must be used")
}

func (r *recStager) Stage(b *reading.Batch) (func(context.Context) error, int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := len(r.staged)
	last := b.Readings[len(b.Readings)-1].Site
	r.staged = append(r.staged, last)
	r.parts = append(r.parts, b.Parts)
	return func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if k+1 == r.failAt {
			return errors.New("influxdb: 503")
		}
		r.delivered = append(r.delivered, last)
		return nil
	}, len(b.Readings), false
}

func (r *recStager) Finish() func(context.Context) error {
	return func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.finishedAt = len(r.delivered)
		r.checkpoints = append(r.checkpoints, -1) // marks where Finish came among checkpoints
		return nil
	}
}

func (r *recStager) Checkpoint(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checkpoints = append(r.checkpoints, len(r.delivered))
	return nil
}

type memState map[string][]byte

func (m memState) Get(k string) ([]byte, error) { return m[k], nil }
func (m memState) Put(k string, v []byte) error { m[k] = v; return nil }

func TestStreamedBackfillStagesInOrderAndCheckpoints(t *testing.T) {
	w := Window{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}
	key := fmt.Sprintf("backfill:%d-%d", w.From.Unix(), w.To.Unix())
	// 20 files of 10 readings, groups of ≥ 30 readings (3 files), a checkpoint every ≥ 60.
	newJob := func(st *recStager) *Job {
		return &Job{Name: "files", Source: fileStream{files: 20, perFile: 10}, Handler: st, StreamBatch: 30,
			CheckpointEvery: 60, Metrics: NewMetrics(nil), Logger: quiet}
	}
	t.Run("complete", func(t *testing.T) {
		st, state := &recStager{finishedAt: -1}, memState{}
		sum, err := newJob(st).Backfill(context.Background(), w, state, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := "f002 f005 f008 f011 f014 f017 f019"
		if got := strings.Join(st.staged, " "); got != want {
			t.Errorf("staged groups %s, want %s", got, want)
		}
		slices.Sort(st.delivered)
		if got := strings.Join(st.delivered, " "); got != want {
			t.Errorf("delivered groups %s, want %s", got, want)
		}
		// Each file is a part of its group, so a revised file can supersede an earlier one.
		if got := fmt.Sprint(st.parts[0]); got != "[0 10 20]" {
			t.Errorf("parts of the first group %s, want [0 10 20]", got)
		}
		if sum.Read != 200 || sum.Accepted != 200 {
			t.Errorf("summary %+v", sum)
		}
		// Every ≥ 60 delivered readings (two groups) while deliveries overlap — so the exact
		// points depend on scheduling — and a final one after all 7 groups.
		// Finish is delivered after every group and before the last checkpoint.
		cp := st.checkpoints
		if len(cp) < 2 || cp[len(cp)-2] != -1 || st.finishedAt != 7 {
			t.Errorf("checkpoints %v, Finish after %d deliveries: want Finish after all 7, then the last checkpoint", cp, st.finishedAt)
		} else {
			cp = slices.Delete(slices.Clone(cp), len(cp)-2, len(cp)-1)
		}
		if len(cp) < 3 || len(cp) > 4 || cp[len(cp)-1] != 7 || !slices.IsSorted(cp) {
			t.Errorf("checkpoints after deliveries %v, want 3 or 4 ending with 7", cp)
		}
		if got := string(state[key]); got != "f019" {
			t.Errorf("resume mark %q, want f019", got)
		}
	})
	t.Run("failed delivery", func(t *testing.T) {
		st, state := &recStager{failAt: 4, finishedAt: -1}, memState{}
		_, err := newJob(st).Backfill(context.Background(), w, state, nil)
		if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "f011") {
			t.Fatalf("err = %v, want the failed delivery up to f011", err)
		}
		// f002 … f008 were delivered before the failed group; the resume mark covers them
		// (after a checkpoint) and never goes past the failed group, whatever was in flight.
		if got := string(state[key]); got != "f008" {
			t.Errorf("resume mark %q, want f008", got)
		}
		// What was held back is delivered even though the backfill failed.
		if st.finishedAt < 0 {
			t.Error("Finish was not delivered after the failure")
		}
		// A re-run resumes after f008 and completes.
		st2 := &recStager{}
		if _, err := newJob(st2).Backfill(context.Background(), w, state, nil); err != nil {
			t.Fatal(err)
		}
		if st2.staged[0] != "f011" || len(st2.delivered) != 4 || string(state[key]) != "f019" {
			t.Errorf("resumed run staged %v, delivered %v, mark %q; want f011 … f019", st2.staged, st2.delivered, state[key])
		}
	})
}

// overlapStager checks the delivery schedule: group 0's delivery finishes only once
// group 1's has started (so they must overlap), and a revising group starts only after
// every earlier group finished.
type overlapStager struct {
	mu       sync.Mutex
	started  map[int]chan struct{}
	finished map[int]bool
	n        int
	problems []string
}

func (o *overlapStager) Handle(context.Context, *reading.Batch) (int, error) { return 0, nil }
func (o *overlapStager) Checkpoint(context.Context) error                    { return nil }
func (o *overlapStager) Finish() func(context.Context) error {
	return func(context.Context) error { return nil }
}

func (o *overlapStager) Stage(b *reading.Batch) (func(context.Context) error, int, bool) {
	o.mu.Lock()
	k := o.n
	o.n++
	o.mu.Unlock()
	revises := k == 3
	return func(context.Context) error {
		o.mu.Lock()
		close(o.started[k])
		if revises {
			for e := 0; e < k; e++ {
				if !o.finished[e] {
					o.problems = append(o.problems, fmt.Sprintf("revising group %d started before group %d finished", k, e))
				}
			}
		}
		o.mu.Unlock()
		if k == 0 {
			select {
			case <-o.started[1]:
			case <-time.After(10 * time.Second):
				o.mu.Lock()
				o.problems = append(o.problems, "group 1 was not delivered while group 0 was")
				o.mu.Unlock()
			}
		}
		o.mu.Lock()
		o.finished[k] = true
		o.mu.Unlock()
		return nil
	}, len(b.Readings), revises
}

func TestStreamedBackfillOverlapsDeliveriesUnlessRevising(t *testing.T) {
	o := &overlapStager{started: map[int]chan struct{}{}, finished: map[int]bool{}}
	for k := 0; k < 6; k++ {
		o.started[k] = make(chan struct{})
	}
	j := &Job{Name: "files", Source: fileStream{files: 6, perFile: 10}, Handler: o, StreamBatch: 10,
		Metrics: NewMetrics(nil), Logger: quiet}
	w := Window{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := j.Backfill(context.Background(), w, memState{}, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range o.problems {
		t.Error(p)
	}
	if len(o.finished) != 6 {
		t.Errorf("%d groups delivered, want 6", len(o.finished))
	}
}
