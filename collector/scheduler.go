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
// skipped (and counted: a per-job TryLock, released by a deferred Unlock so that a
// panicking run, recovered by cron.Recover, cannot keep later runs out — cron's own
// SkipIfStillRunning loses its token on a panic).
//
// Push sources and pull jobs stop differently: a push source serves until told to stop
// and is stopped at once; a running pull job gets the grace period to finish, then is
// cancelled.
type Scheduler struct {
	cron    *cron.Cron
	logger  *slog.Logger
	metrics *Metrics
	jobs    context.Context // pull runs: cancelled after the grace period
	stopJob context.CancelFunc
	serve   context.Context // push sources: cancelled at Stop
	stopSrv context.CancelFunc
	jobsWG  sync.WaitGroup
	srvWG   sync.WaitGroup
	mu      sync.Mutex
	stopped bool
}

// NewScheduler creates a scheduler evaluating schedules in loc.
func NewScheduler(loc *time.Location, metrics *Metrics, logger *slog.Logger) *Scheduler {
	jobs, stopJob := context.WithCancel(context.Background())
	serve, stopSrv := context.WithCancel(context.Background())
	l := cronLogger{logger}
	return &Scheduler{
		cron: cron.New(cron.WithLocation(loc), cron.WithParser(config.CronParser), cron.WithLogger(l),
			cron.WithChain(cron.Recover(l))),
		logger: logger, metrics: metrics, jobs: jobs, stopJob: stopJob, serve: serve, stopSrv: stopSrv,
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
		if !s.enter() {
			return // stopping: no new runs
		}
		defer s.jobsWG.Done()
		_ = j.Run(s.jobs)
	}
	if spec != "" {
		if _, err := s.cron.AddFunc(spec, run); err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", j.Name, spec, err)
		}
	}
	go func() { // catch-up now, not at the first tick
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
	s.srvWG.Add(1)
	go func() {
		defer s.srvWG.Done()
		for s.serve.Err() == nil {
			s.metrics.up.WithLabelValues(name).Set(1)
			err := src.Serve(s.serve, h)
			s.metrics.up.WithLabelValues(name).Set(0)
			if s.serve.Err() != nil {
				return
			}
			s.metrics.failures.WithLabelValues(name).Inc()
			s.logger.Error("push source stopped; restarting in 5 s", "source", name, "err", err)
			select {
			case <-s.serve.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}()
}

// Start starts the cron loop.
func (s *Scheduler) Start() { s.cron.Start() }

// enter registers a starting run; false once Stop has begun.
func (s *Scheduler) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.jobsWG.Add(1)
	return true
}

// cancelWait is how long cancelled jobs get to return after the grace period: a fetch
// honours its context at once, a state-store commit finishes first.
const cancelWait = 5 * time.Second

// Stop stops scheduling and the push sources at once, gives running pull jobs the grace
// period to finish, then cancels them and waits a little more (what a cancelled job had
// accepted is in InfluxDB or the spool).
func (s *Scheduler) Stop(grace time.Duration) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cron.Stop()
	s.stopSrv()
	jobsDone := make(chan struct{})
	go func() { s.jobsWG.Wait(); close(jobsDone) }()
	srvDone := make(chan struct{})
	go func() { s.srvWG.Wait(); close(srvDone) }()
	defer s.stopJob()
	select {
	case <-jobsDone:
	case <-time.After(grace):
		s.stopJob()
		select {
		case <-jobsDone:
		case <-time.After(cancelWait):
			return fmt.Errorf("jobs still running %s after they were cancelled (grace period %s)", cancelWait, grace)
		}
	}
	select {
	case <-srvDone:
		return nil
	case <-time.After(cancelWait):
		return fmt.Errorf("push sources still serving %s after they were stopped", cancelWait)
	}
}

// cronLogger adapts slog to cron's logger; cron's Info is our Debug (it logs every tick).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
