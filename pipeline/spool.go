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
	backoff, wait, failing := time.Second, time.Duration(0), false
	for {
		wake := p.wake
		if failing {
			wake = nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
		switch more, err := p.replayOne(ctx); {
		case err != nil:
			wait, failing = backoff, true
			backoff = min(2*backoff, time.Minute)
		case more:
			backoff, wait, failing = time.Second, 0, false
		default:
			wait, failing = 10*time.Second, false
		}
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
