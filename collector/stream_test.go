package collector

import (
	"context"
	"errors"
	"fmt"
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

// recStager records what was staged, delivered and checkpointed; delivery failAt fails.
type recStager struct {
	mu          sync.Mutex
	staged      []string
	parts       [][]int
	delivered   []string
	checkpoints []int // len(delivered) at each checkpoint
	failAt      int
}

func (r *recStager) Handle(context.Context, *reading.Batch) (int, error) {
	return 0, errors.New("the staged path must be used")
}

func (r *recStager) Stage(b *reading.Batch) (func(context.Context) error, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := b.Readings[len(b.Readings)-1].Site
	r.staged = append(r.staged, last)
	r.parts = append(r.parts, b.Parts)
	return func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if len(r.delivered)+1 == r.failAt {
			return errors.New("influxdb: 503")
		}
		r.delivered = append(r.delivered, last)
		return nil
	}, len(b.Readings)
}

func (r *recStager) Checkpoint() error {
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
		st, state := &recStager{}, memState{}
		sum, err := newJob(st).Backfill(context.Background(), w, state, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := "f002 f005 f008 f011 f014 f017 f019"
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
		// After 2 groups (60 readings), 4, 6, and the final one.
		if got := fmt.Sprint(st.checkpoints); got != "[2 4 6 7]" {
			t.Errorf("checkpoints after deliveries %s, want [2 4 6 7]", got)
		}
		if got := string(state[key]); got != "f019" {
			t.Errorf("resume mark %q, want f019", got)
		}
	})
	t.Run("failed delivery", func(t *testing.T) {
		st, state := &recStager{failAt: 4}, memState{}
		_, err := newJob(st).Backfill(context.Background(), w, state, nil)
		if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "f011") {
			t.Fatalf("err = %v, want the failed delivery up to f011", err)
		}
		// Delivered f002 … f008; the resume mark may say so only after a checkpoint, and
		// never past the failed group.
		if got := string(state[key]); got != "f008" {
			t.Errorf("resume mark %q, want f008", got)
		}
		// A re-run resumes after f008 and completes.
		st2 := &recStager{}
		if _, err := newJob(st2).Backfill(context.Background(), w, state, nil); err != nil {
			t.Fatal(err)
		}
		if st2.delivered[0] != "f011" || string(state[key]) != "f019" {
			t.Errorf("resumed run delivered %v, mark %q", st2.delivered, state[key])
		}
	})
}
