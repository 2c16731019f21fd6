package collector

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/envwatch/envwatch/config"
)

// Scheduler runs jobs on cron schedules in the configured zone. Each job runs once at
// start (catch-up), then on its schedule; a run still going when the next tick comes is
// skipped (and counted), and a panicking run is recovered without blocking later runs
// (SkipIfStillRunning wraps Recover: robfig/cron v3.0.1 otherwise loses the skip token
// on a panic, ecosystem.md D2).
type Scheduler struct {
	cron    *cron.Cron
	logger  *slog.Logger
	metrics *Metrics
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// NewScheduler creates a scheduler evaluating schedules in loc.
func NewScheduler(loc *time.Location, metrics *Metrics, logger *slog.Logger) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	l := cronLogger{logger}
	return &Scheduler{
		cron: cron.New(cron.WithLocation(loc), cron.WithParser(config.CronParser), cron.WithLogger(l),
			cron.WithChain(cron.Recover(l))),
		logger: logger, metrics: metrics, ctx: ctx, cancel: cancel,
	}
}

// Add schedules a job; an empty spec means "once at start only".
func (s *Scheduler) Add(spec string, j *Job) error {
	var running sync.Mutex
	run := func() {
		if !running.TryLock() {
			s.metrics.skipped.WithLabelValues(j.Name).Inc()
			s.logger.Warn("skipping run: previous run still going", "source", j.Name)
			return
		}
		defer running.Unlock()
		s.wg.Add(1)
		defer s.wg.Done()
		_ = j.Run(s.ctx)
	}
	if spec != "" {
		if _, err := s.cron.AddFunc(spec, run); err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", j.Name, spec, err)
		}
	}
	s.wg.Add(1)
	go func() { // catch-up now, not at the first tick
		defer s.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.logger.Error("source run panicked", "source", j.Name, "panic", r)
			}
		}()
		run()
	}()
	return nil
}

// Serve runs a push source until Stop; its up metric follows whether it is serving.
func (s *Scheduler) Serve(name string, src Push, h Handler) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for s.ctx.Err() == nil {
			s.metrics.up.WithLabelValues(name).Set(1)
			err := src.Serve(s.ctx, h)
			s.metrics.up.WithLabelValues(name).Set(0)
			if s.ctx.Err() != nil {
				return
			}
			s.metrics.failures.WithLabelValues(name).Inc()
			s.logger.Error("push source stopped; restarting in 5 s", "source", name, "err", err)
			select {
			case <-s.ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}()
}

// Start starts the cron loop.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running jobs and waits for them up to the deadline.
func (s *Scheduler) Stop(deadline time.Duration) error {
	cctx := s.cron.Stop()
	s.cancel()
	done := make(chan struct{})
	go func() { <-cctx.Done(); s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-time.After(deadline):
		return fmt.Errorf("jobs still running after %s", deadline)
	}
}

// cronLogger adapts slog to cron's logger; cron's Info is our Debug (it logs every tick).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
