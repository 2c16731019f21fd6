package pipeline

import (
	"errors"
	"testing"
	"time"
)

// The replayer's schedule (docs/operations.md): 1 s doubling to 1 min while InfluxDB
// fails, at once again after a success, every 10 s when the spool is empty.
func TestReplaySchedule(t *testing.T) {
	var s replaySchedule
	down := errors.New("connection refused")
	var waits []time.Duration
	for range 9 {
		s.next(false, down)
		if !s.failing {
			t.Fatal("not failing after a failure: a new batch would cut the back-off short")
		}
		waits = append(waits, s.wait)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i := range want {
		if waits[i] != want[i]*time.Second {
			t.Fatalf("back-off %v, want %v seconds", waits, want)
		}
	}
	s.next(true, nil)
	if s.wait != 0 || s.failing {
		t.Errorf("after a success with more to replay: wait %v, failing %v", s.wait, s.failing)
	}
	s.next(false, down)
	if s.wait != time.Second {
		t.Errorf("the back-off did not start again at 1 s: %v", s.wait)
	}
	s.next(false, nil)
	if s.wait != 10*time.Second || s.failing {
		t.Errorf("empty spool: wait %v, failing %v", s.wait, s.failing)
	}
}
