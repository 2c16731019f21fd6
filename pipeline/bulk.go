package pipeline

import (
	"context"

	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/store"
)

// Bulk is the pipeline's staged path for a long history (collector.Stager): Stage applies
// a batch to the engines and returns its delivery to InfluxDB, and the engines' changes
// become durable at each Checkpoint rather than after every batch. Deliveries may overlap
// (see Stage for the one exception), and the caller records a resume position only after a
// Checkpoint that follows the deliveries it covers. A failed write is
// spooled at once, together with everything not yet checkpointed, so the spool never
// holds points whose engine state is less durable than they are.
type Bulk struct {
	p *Pipeline
	// Guarded by p.mu: station-days and water samples changed since the last checkpoint.
	touched *touchSet
	hold    *derivedHold
	// undelivered are the derived series released into staged batches whose delivery has
	// not finished, by staging number: a checkpoint writes them again, since the resume
	// mark saved after it may pass those batches' files.
	undelivered map[int]release
	staged      int
	water       []store.WaterSample
	free        chan []byte // line buffers of delivered batches, for reuse
}

// lineBytes is about the size of one station-hour's line (6 values with their flags).
const lineBytes = 224

// Bulk starts a staged load. One Bulk serves one backfill.
func (p *Pipeline) Bulk() *Bulk {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &Bulk{p: p, touched: p.newTouchSet(), hold: newDerivedHold(), undelivered: map[int]release{}, free: make(chan []byte, 4)}
}

// Stage validates b and applies it to the engines. deliver writes its points. Deliveries
// may overlap, except that one with revises set must start only after every earlier one
// finished: its batch rewrites points an earlier batch wrote (a revision, or data filling
// in behind), and the last write must be the newest value.
func (bk *Bulk) Stage(b *reading.Batch) (deliver func(context.Context) error, accepted int, revises bool) {
	var buf []byte
	select {
	case buf = <-bk.free:
	default:
	}
	p := bk.p
	if want := len(b.Readings) * lineBytes; p.sink != nil && cap(buf) < want {
		buf = make([]byte, 0, want) // once, rather than doubling through 10 MB
	}
	p.mu.Lock()
	a := p.apply(b, buf[:0], bk.touched, bk.hold)
	bk.water = append(bk.water, a.water...)
	id := bk.staged
	bk.staged++
	if len(a.released.days) > 0 || len(a.released.months) > 0 {
		bk.undelivered[id] = a.released
	}
	p.mu.Unlock()
	source := b.Source // not b: the readings may go before the delivery
	return func(ctx context.Context) error {
		if err := bk.deliver(ctx, source, a.lines); err != nil {
			return err
		}
		p.mu.Lock()
		delete(bk.undelivered, id)
		p.mu.Unlock()
		return nil
	}, a.accepted, a.revises
}

// Finish stages the derived series held back for the days the walk had not yet passed
// (the last ones); its delivery must start after every earlier one finished.
func (bk *Bulk) Finish() (deliver func(context.Context) error) {
	p := bk.p
	p.mu.Lock()
	ds := p.newDerivedSet()
	if ds != nil {
		bk.hold.flush(ds)
	}
	lines := p.appendDerived(nil, ds, bk.hold, true)
	p.mu.Unlock()
	return func(ctx context.Context) error { return bk.deliver(ctx, "backfill", lines) }
}

func (bk *Bulk) deliver(ctx context.Context, source string, lines []byte) error {
	p := bk.p
	if p.sink == nil || len(lines) == 0 {
		bk.recycle(lines)
		return nil
	}
	direct := p.state == nil || p.state.SpoolEmpty()
	var err error
	if direct {
		if _, err = p.sink.WriteLines(ctx, lines); err == nil {
			bk.recycle(lines)
			return nil
		}
	}
	if p.state == nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := bk.pending()
	c.Spool = p.spoolEntry(source, lines, err)
	if err := p.commit(source, c); err != nil {
		return err
	}
	bk.reset()
	return nil
}

// Checkpoint makes the engines' changes since the last checkpoint durable. It first
// delivers the derived series held back (derivedHold) and those released into staged
// batches not yet delivered: the resume mark saved after a checkpoint may pass the files
// of those days, so a run killed later would never write them (a day written again when
// its batch is delivered or the walk passes it again costs one more write of that day).
// The caller has no delivery in flight.
func (bk *Bulk) Checkpoint(ctx context.Context) error {
	p := bk.p
	if p.state == nil {
		return nil
	}
	p.mu.Lock()
	var lines []byte
	if ds := p.newDerivedSet(); ds != nil {
		bk.hold.flush(ds)
		for _, r := range bk.undelivered {
			for _, k := range r.days {
				ds.days[k] = true
			}
			for _, am := range r.months {
				bk.hold.months[am] = true // released with final below
			}
		}
		lines = p.appendDerived(nil, ds, bk.hold, true)
	}
	p.mu.Unlock()
	if err := bk.deliver(ctx, "backfill", lines); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(bk.touched.m) == 0 && len(bk.water) == 0 {
		return nil
	}
	if err := p.commit("", bk.pending()); err != nil {
		return err
	}
	bk.reset()
	p.compact()
	return nil
}

// pending is the commit of everything changed since the last checkpoint. The caller
// holds p.mu.
func (bk *Bulk) pending() store.Commit {
	return store.Commit{Air: bk.p.airDays(bk.touched.m), Water: bk.water, SpoolMax: bk.p.spoolMax}
}

func (bk *Bulk) reset() {
	bk.touched.reset(bk.p)
	bk.water = nil
}

func (bk *Bulk) recycle(lines []byte) {
	if cap(lines) == 0 {
		return
	}
	select {
	case bk.free <- lines[:0]:
	default:
	}
}
