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
		walkErr = j.walk(ctx, s, w, after, streamBatch, groups)
	}()
	go func() {
		defer wg.Done()
		defer close(stagedc)
		stage(ctx, st, groups, stagedc)
	}()
	d := &deliveries{j: j, ctx: ctx, cancel: cancel, st: st, save: save, report: report}
	for sg := range stagedc {
		d.take(sg, checkpointEvery)
	}
	d.drain()
	wg.Wait()
	return d.finish(walkErr)
}

// walk reads the source's files into groups of about streamBatch readings, each file a
// part of its group.
func (j *Job) walk(ctx context.Context, s Streamer, w Window, after string, streamBatch int, groups chan<- group) error {
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
	err := s.Stream(ctx, w, after, func(b *reading.Batch, m string, i, n int) error {
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
	if err == nil && (len(acc.b.Readings) > 0 || len(acc.b.Rejects) > 0 || acc.mark != "") {
		err = send()
	}
	return err
}

// stage applies each group to the engines and passes on its delivery.
func stage(ctx context.Context, st Stager, groups <-chan group, stagedc chan<- staged) {
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
}

// deliveries runs the staged groups' deliveries in goroutines, at most maxDeliveries at
// once, and finishes them (takes their results) in staging order, so that progress only
// ever covers a delivered prefix; it checkpoints every checkpointEvery readings.
type deliveries struct {
	j        *Job
	ctx      context.Context
	cancel   context.CancelFunc
	st       Stager
	save     func(mark string) error
	report   func(Progress)
	sum      Summary
	pending  string // newest mark delivered but not yet covered by a checkpoint
	since    int    // readings delivered since the last checkpoint
	inflight []flight
	err      error
}

type flight struct {
	sg   staged
	done chan error
}

func (d *deliveries) checkpoint() error {
	if err := d.st.Checkpoint(d.ctx); err != nil {
		return fmt.Errorf("checkpointing engines: %w", err)
	}
	d.since = 0
	if d.pending == "" {
		return nil
	}
	if err := d.save(d.pending); err != nil {
		return fmt.Errorf("saving progress: %w", err)
	}
	d.pending = ""
	return nil
}

func (d *deliveries) finishOne() {
	f := d.inflight[0]
	d.inflight = d.inflight[1:]
	derr := <-f.done
	switch {
	case d.err != nil:
	case derr != nil:
		d.err = fmt.Errorf("up to %s: %w", f.sg.mark, derr)
		d.cancel()
	default:
		if f.sg.mark != "" {
			d.pending = f.sg.mark
			d.report(Progress{Done: int64(f.sg.i + 1), Total: int64(f.sg.n), Label: f.sg.mark})
		}
		d.since += f.sg.accepted
	}
}

// take counts a staged group and starts its delivery: after every earlier one when it
// revises their points, and after a checkpoint when one is due.
func (d *deliveries) take(sg staged, checkpointEvery int) {
	if d.err != nil {
		return // draining after a failure
	}
	d.sum.Read += sg.read
	d.sum.Accepted += sg.accepted
	d.sum.Rejected += sg.read - sg.accepted
	d.j.Metrics.accepted.WithLabelValues(d.j.Name).Add(float64(sg.accepted))
	d.j.countOutside(sg.outside)
	for len(d.inflight) > 0 && (sg.revises || len(d.inflight) >= maxDeliveries) {
		d.finishOne()
	}
	if d.err == nil && d.since >= checkpointEvery {
		d.drain() // the checkpoint writes what is held: after every delivery
		if d.err == nil {
			if d.err = d.checkpoint(); d.err != nil {
				d.cancel()
			}
		}
	}
	if d.err != nil {
		return
	}
	f := flight{sg: sg, done: make(chan error, 1)}
	go func() { f.done <- f.sg.deliver(d.ctx) }()
	d.inflight = append(d.inflight, f)
}

func (d *deliveries) drain() {
	for len(d.inflight) > 0 {
		d.finishOne()
	}
}

// finish delivers what the stager held back, then makes everything durable and commits
// the source's state when the walk completed.
func (d *deliveries) finish(walkErr error) (Summary, error) {
	// What the stager held back goes out even when the walk stopped early (an interrupt, a
	// failed walk): the raw points it belongs to were delivered, and a resumed walk may
	// not touch those days again. The pipeline spools what InfluxDB refuses.
	err := d.err
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(d.ctx), finishTimeout)
	if ferr := d.st.Finish()(fctx); ferr != nil && err == nil {
		err = fmt.Errorf("delivering the held-back series: %w", ferr)
	}
	fcancel()
	if err == nil && walkErr != nil {
		err = walkErr
	}
	if err != nil {
		// What was delivered is durable up to the last checkpoint; make the rest durable too
		// unless the state store itself failed.
		if cerr := d.checkpoint(); cerr != nil && !errors.Is(err, cerr) {
			d.j.Logger.Warn("checkpoint after a failed backfill", "source", d.j.Name, "err", cerr)
		}
		return d.sum, err
	}
	if err := d.checkpoint(); err != nil {
		return d.sum, err
	}
	if c, ok := d.j.Source.(Committer); ok {
		if err := c.Commit(d.ctx); err != nil {
			return d.sum, fmt.Errorf("committing source state: %w", err)
		}
	}
	return d.sum, nil
}
