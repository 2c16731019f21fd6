package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
)

// Replay sends spooled batches to InfluxDB, oldest first, until ctx ends: on success the
// batch leaves the spool, on a permanent refusal it goes to the dead letters, on a
// transient failure the replayer backs off (1 s doubling to 1 min). A batch spooled during
// a back-off does not cut it short: requests to a failing InfluxDB follow the schedule
// whatever the rate at which data arrive.
func (p *Pipeline) Replay(ctx context.Context) {
	if p.state == nil || p.sink == nil {
		return
	}
	var s replaySchedule
	for {
		wake := p.wake
		if s.failing {
			wake = nil
		}
		t := time.NewTimer(s.wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
		more, err := p.replayOne(ctx)
		s.next(more, err)
	}
}

// replaySchedule is when the replayer tries next: at once while batches replay, 1 s
// doubling to 1 min after a transient failure (arrivals do not cut a wait short then), and
// every 10 s when the spool is empty (a wake from a new spooled batch comes sooner).
type replaySchedule struct {
	backoff, wait time.Duration
	failing       bool
}

// next records the outcome of an attempt and sets the wait before the next one.
func (s *replaySchedule) next(more bool, err error) {
	if s.backoff == 0 {
		s.backoff = time.Second
	}
	switch {
	case err != nil:
		s.wait, s.failing = s.backoff, true
		s.backoff = min(2*s.backoff, time.Minute)
	case more:
		s.backoff, s.wait, s.failing = time.Second, 0, false
	default:
		s.wait, s.failing = 10*time.Second, false
	}
}

// retrier is a sink that counts a retry apart from a first attempt, so that a point that
// fails ten times during an outage is one failed point and ten failed retries.
type retrier interface {
	RetryLines(ctx context.Context, lines []byte) (int, error)
}

// Drain replays the whole spool now; it stops at the first transient failure.
func (p *Pipeline) Drain(ctx context.Context) error {
	if p.state == nil || p.sink == nil {
		return nil
	}
	for {
		more, err := p.replayOne(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// replayOne sends the oldest spooled batch. more is false when the spool was empty.
func (p *Pipeline) replayOne(ctx context.Context) (more bool, err error) {
	e, ok, err := p.state.SpoolOldest()
	if err != nil || !ok {
		return false, err
	}
	if r, ok := p.sink.(retrier); ok {
		_, err = r.RetryLines(ctx, e.Lines)
	} else {
		_, err = p.sink.WriteLines(ctx, e.Lines)
	}
	switch {
	case err == nil:
		p.spooled.WithLabelValues("replayed").Add(float64(e.Points))
		return true, p.state.SpoolDone(e.ID)
	case influx.Permanent(err):
		p.logger.Error("influxdb refused a spooled batch; kept as dead letter", "id", e.ID, "points", e.Points, "err", err)
		p.spooled.WithLabelValues("dead_lettered").Add(float64(e.Points))
		return true, p.state.SpoolDead(e.ID, err.Error())
	default:
		return true, fmt.Errorf("replaying spooled batch %d: %w", e.ID, err)
	}
}

// SpoolStats reports the spool (for the exposition).
func (p *Pipeline) SpoolStats() (store.SpoolStats, bool) {
	if p.state == nil {
		return store.SpoolStats{}, false
	}
	st, err := p.state.SpoolStats()
	return st, err == nil
}
