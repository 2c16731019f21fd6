package collector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/envwatch/envwatch/reading"
)

// Stager is a Handler that can take a long history in stages (the pipeline): Stage
// validates a batch and applies it to the engines, returning the delivery of its raw
// points to storage; Checkpoint makes the engines' changes so far durable. Staging the
// next batch while earlier ones are delivered overlaps parsing, computing and the
// database's own work; checkpointing every few hundred thousand readings instead of after
// every batch writes each station-day about once. Deliveries may overlap unless revises
// is set: then the batch rewrites points of earlier ones and waits until they are written.
// Finish stages what the stager held back until the walk ended (the pipeline: the derived
// series of the last days); its delivery goes after every other, before the last
// checkpoint, also when the walk stopped early. Checkpoint is called with no delivery in
// flight and must leave nothing held back that the resume mark saved after it covers: a
// run killed after the save never stages those batches again.
type Stager interface {
	Stage(b *reading.Batch) (deliver func(context.Context) error, accepted int, revises bool)
	Finish() (deliver func(context.Context) error)
	Checkpoint(ctx context.Context) error
}

// maxDeliveries is how many staged groups may be in delivery at once: with one, the
// writer's requests drain at the end of every group and InfluxDB idles in between.
const maxDeliveries = 2

// finishTimeout bounds the last delivery of a backfill, made even after an interrupt.
const finishTimeout = time.Minute

// Defaults of Job.StreamBatch and Job.CheckpointEvery.
const (
	defaultStreamBatch     = 10000
	defaultCheckpointEvery = 500000
)

// handlerStager stages through a plain Handler, which makes every batch durable itself.
type handlerStager struct {
	ctx context.Context
	h   Handler
}

func (s handlerStager) Stage(b *reading.Batch) (func(context.Context) error, int, bool) {
	n, err := s.h.Handle(s.ctx, b)
	return func(context.Context) error { return err }, n, true
}

func (handlerStager) Finish() func(context.Context) error {
	return func(context.Context) error { return nil }
}

func (handlerStager) Checkpoint(context.Context) error { return nil }

// group is a run of files staged together; mark names the last whole file in it.
type group struct {
	b    *reading.Batch
	mark string
	i, n int
}

type staged struct {
	group    // b is nil once staged
	deliver  func(context.Context) error
	accepted int
	revises  bool
	read     int // records read (readings and rejects)
	outside  int // records outside the window
}

// stream runs a streamed backfill as three stages joined by one-slot channels: the walk
// reads and parses files into groups, the stager applies each group to the engines, and
// this goroutine delivers the groups in order, checkpoints, and saves the resume mark
// only after a checkpoint covers it (so a resumed run never skips data the engines lost).
func (j *Job) stream(ctx context.Context, s Streamer, w Window, after string, save func(mark string) error, report func(Progress)) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	streamBatch, checkpointEvery := j.StreamBatch, j.CheckpointEvery
	if streamBatch <= 0 {
		streamBatch = defaultStreamBatch
	}
	if checkpointEvery <= 0 {
		checkpointEvery = defaultCheckpointEvery
	}
	st, ok := j.Handler.(Stager)
	if !ok {
		st = handlerStager{ctx, j.Handler}
	}
	groups := make(chan group, 1)
	stagedc := make(chan staged, 1)
	var walkErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(groups)
		acc := group{b: &reading.Batch{Source: j.Name}}
		send := func() error {
			select {
			case groups <- acc:
				acc = group{b: &reading.Batch{Source: j.Name, Readings: make([]reading.Reading, 0, streamBatch+streamBatch/8)}}
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		walkErr = s.Stream(ctx, w, after, func(b *reading.Batch, m string, i, n int) error {
			acc.b.Parts = append(acc.b.Parts, len(acc.b.Readings)) // each file is a part
			acc.b.Readings = append(acc.b.Readings, b.Readings...)
			acc.b.Rejects = append(acc.b.Rejects, b.Rejects...)
			acc.b.OutsideWindow += b.OutsideWindow
			if m != "" {
				acc.mark, acc.i, acc.n = m, i, n
			}
			if len(acc.b.Readings) >= streamBatch {
				return send()
			}
			return nil
		})
		if walkErr == nil && (len(acc.b.Readings) > 0 || len(acc.b.Rejects) > 0 || acc.mark != "") {
			walkErr = send()
		}
	}()
	go func() {
		defer wg.Done()
		defer close(stagedc)
		for g := range groups {
			if ctx.Err() != nil {
				continue // the walk is stopping too
			}
			deliver, n, revises := st.Stage(g.b)
			// The delivery needs only the counts: the readings (a group's values, several
			// MB) go now rather than when the group's delivery finishes.
			sg := staged{group: g, deliver: deliver, accepted: n, revises: revises,
				read: len(g.b.Readings) + len(g.b.Rejects), outside: g.b.OutsideWindow}
			sg.b = nil
			select {
			case stagedc <- sg:
			case <-ctx.Done():
			}
		}
	}()

	var sum Summary
	var pending string // newest mark delivered but not yet covered by a checkpoint
	since := 0
	checkpoint := func() error {
		if err := st.Checkpoint(ctx); err != nil {
			return fmt.Errorf("checkpointing engines: %w", err)
		}
		since = 0
		if pending == "" {
			return nil
		}
		if err := save(pending); err != nil {
			return fmt.Errorf("saving progress: %w", err)
		}
		pending = ""
		return nil
	}
	// Deliveries run in goroutines, at most maxDeliveries at once, and are finished (their
	// results taken) in staging order, so progress only ever covers a delivered prefix.
	type flight struct {
		sg   staged
		done chan error
	}
	var inflight []flight
	var err error
	finishOne := func() {
		f := inflight[0]
		inflight = inflight[1:]
		derr := <-f.done
		switch {
		case err != nil:
		case derr != nil:
			err = fmt.Errorf("up to %s: %w", f.sg.mark, derr)
			cancel()
		default:
			if f.sg.mark != "" {
				pending = f.sg.mark
				report(Progress{Done: int64(f.sg.i + 1), Total: int64(f.sg.n), Label: f.sg.mark})
			}
			since += f.sg.accepted
		}
	}
	for sg := range stagedc {
		if err != nil {
			continue // draining after a failure
		}
		read := sg.read
		sum.Read += read
		sum.Accepted += sg.accepted
		sum.Rejected += read - sg.accepted
		j.Metrics.accepted.WithLabelValues(j.Name).Add(float64(sg.accepted))
		j.countOutside(sg.outside)
		for len(inflight) > 0 && (sg.revises || len(inflight) >= maxDeliveries) {
			finishOne()
		}
		if err == nil && since >= checkpointEvery {
			for len(inflight) > 0 { // the checkpoint writes what is held: after every delivery
				finishOne()
			}
			if err == nil {
				if err = checkpoint(); err != nil {
					cancel()
				}
			}
		}
		if err != nil {
			continue
		}
		f := flight{sg: sg, done: make(chan error, 1)}
		go func() { f.done <- f.sg.deliver(ctx) }()
		inflight = append(inflight, f)
	}
	for len(inflight) > 0 {
		finishOne()
	}
	wg.Wait()
	// What the stager held back goes out even when the walk stopped early (an interrupt, a
	// failed walk): the raw points it belongs to were delivered, and a resumed walk may
	// not touch those days again. The pipeline spools what InfluxDB refuses.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	if ferr := st.Finish()(fctx); ferr != nil && err == nil {
		err = fmt.Errorf("delivering the held-back series: %w", ferr)
	}
	fcancel()
	if err == nil && walkErr != nil {
		err = walkErr
	}
	if err != nil {
		// What was delivered is durable up to the last checkpoint; make the rest durable too
		// unless the state store itself failed.
		if cerr := checkpoint(); cerr != nil && !errors.Is(err, cerr) {
			j.Logger.Warn("checkpoint after a failed backfill", "source", j.Name, "err", cerr)
		}
		return sum, err
	}
	if err := checkpoint(); err != nil {
		return sum, err
	}
	if c, ok := j.Source.(Committer); ok {
		if err := c.Commit(ctx); err != nil {
			return sum, fmt.Errorf("committing source state: %w", err)
		}
	}
	return sum, nil
}
