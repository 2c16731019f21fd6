package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/hj212recv"
	"github.com/envwatch/envwatch/reading"
)

// Receivers keeps the HJ 212 receivers of `run` across reloads: a reload that leaves a
// receiver's configuration as it was keeps its listener and its stations' connections
// (a data logger reconnecting after every reload resends its backlog and may alarm), and
// only hands its packets to the new generation's pipeline. Packets arriving while no
// generation is attached (the reload's few hundred milliseconds) wait for the next one.
type Receivers struct {
	logger  *slog.Logger
	metrics *hj212recv.Metrics // registered once, in the process registry
	mu      sync.Mutex
	running map[string]*receiver
}

// NewReceivers returns an empty set whose receivers count into reg.
func NewReceivers(reg prometheus.Registerer, logger *slog.Logger) *Receivers {
	return &Receivers{logger: logger, metrics: hj212recv.NewMetrics(reg), running: map[string]*receiver{}}
}

type receiver struct {
	srv    *hj212recv.Server
	hand   *handoff
	stop   context.CancelFunc
	done   chan struct{}
	gen    *Running // the generation attached, nil between generations
	upMu   sync.Mutex
	up     func(bool)
	status bool
}

// attach serves src for the generation r into h: by the running receiver of that name when
// its configuration is the same, else by src, started now (a changed one is replaced).
func (rs *Receivers) attach(name string, src *hj212recv.Server, r *Running, h collector.Handler, up func(bool)) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rc := rs.running[name]
	if rc != nil && !rc.srv.SameConfig(src) {
		rs.logger.Info("hj212 receiver configuration changed; restarting it", "source", name)
		rc.shut()
		rc = nil
	}
	if rc == nil {
		ctx, cancel := context.WithCancel(context.Background())
		rc = &receiver{srv: src, hand: newHandoff(), stop: cancel, done: make(chan struct{})}
		rs.running[name] = rc
		go rc.serve(ctx, name, rs.logger)
	} else {
		rs.logger.Info("hj212 receiver kept with its connections", "source", name)
	}
	rc.gen = r
	rc.setUp(up)
	rc.hand.attach(h)
}

// detach takes r's pipeline away from its receivers, waiting for the packets being handled.
func (rs *Receivers) detach(r *Running) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, rc := range rs.running {
		if rc.gen == r {
			rc.gen = nil
			rc.hand.detach()
		}
	}
}

// retain stops the receivers the generation r did not attach (its configuration dropped them).
func (rs *Receivers) retain(r *Running) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for name, rc := range rs.running {
		if rc.gen != r {
			rc.shut()
			delete(rs.running, name)
		}
	}
}

// Stop stops every receiver (at shutdown, or when no configuration runs).
func (rs *Receivers) Stop() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for name, rc := range rs.running {
		rc.shut()
		delete(rs.running, name)
	}
}

func (rc *receiver) shut() {
	rc.stop()
	<-rc.done
}

func (rc *receiver) setUp(up func(bool)) {
	rc.upMu.Lock()
	defer rc.upMu.Unlock()
	rc.up = up
	up(rc.status)
}

func (rc *receiver) report(ok bool) {
	rc.upMu.Lock()
	defer rc.upMu.Unlock()
	rc.status = ok
	if rc.up != nil {
		rc.up(ok)
	}
}

// serve runs the receiver until stopped, restarting it after a failure (a port taken).
func (rc *receiver) serve(ctx context.Context, name string, logger *slog.Logger) {
	defer close(rc.done)
	for ctx.Err() == nil {
		rc.report(true)
		err := rc.srv.Serve(ctx, rc.hand)
		rc.report(false)
		if ctx.Err() != nil {
			return
		}
		logger.Error("push source stopped; restarting in 5 s", "source", name, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// errNoGeneration answers a packet that found no generation to take it within
// handoffWait: not acknowledged, so the logger sends it again.
var errNoGeneration = errors.New("no configuration is running (reload failed)")

// handoffWait bounds how long a packet waits for the next generation: a reload takes
// well under a second; a failed one leaves nothing to wait for.
const handoffWait = 15 * time.Second

// handoff is the Handler a kept receiver serves into: the current generation's pipeline.
type handoff struct {
	mu    sync.RWMutex // held for reading while a packet is handled: detach waits for it
	h     collector.Handler
	ready chan struct{} // closed when h is set
}

func newHandoff() *handoff { return &handoff{ready: make(chan struct{})} }

func (x *handoff) Handle(ctx context.Context, b *reading.Batch) (int, error) {
	deadline := time.NewTimer(handoffWait)
	defer deadline.Stop()
	for {
		x.mu.RLock()
		h, ready := x.h, x.ready
		if h != nil {
			defer x.mu.RUnlock()
			return h.Handle(ctx, b)
		}
		x.mu.RUnlock()
		select {
		case <-ready:
		case <-deadline.C:
			return 0, errNoGeneration
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (x *handoff) attach(h collector.Handler) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.h = h
	close(x.ready)
}

func (x *handoff) detach() {
	x.mu.Lock() // waits for the packets in hand
	defer x.mu.Unlock()
	x.h = nil
	x.ready = make(chan struct{})
}
