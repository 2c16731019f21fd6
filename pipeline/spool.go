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
// transient failure the replayer backs off (1 s doubling to 1 min).
func (p *Pipeline) Replay(ctx context.Context) {
	if p.state == nil || p.sink == nil {
		return
	}
	backoff, wait := time.Second, time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-time.After(wait):
		}
		switch more, err := p.replayOne(ctx); {
		case err != nil:
			wait = backoff
			backoff = min(2*backoff, time.Minute)
		case more:
			backoff, wait = time.Second, 0
		default:
			wait = 10 * time.Second
		}
	}
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
	_, err = p.sink.WriteLines(ctx, e.Lines)
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
