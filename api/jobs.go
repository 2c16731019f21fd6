package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/envwatch/envwatch/airquality"
)

// Progress is how far a job is: Done of Total units (files or hours) and the last one.
type Progress struct {
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	Label string `json:"label"`
}

// Stamp is a moment as every answer of the API writes it: Beijing time, to the second
// (2026-12-06T11:12:13+08:00).
type Stamp time.Time

// MarshalJSON implements json.Marshaler.
func (s Stamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(s).In(airquality.Shanghai).Format(time.RFC3339) + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *Stamp) UnmarshalJSON(b []byte) error {
	t, err := time.Parse(`"`+time.RFC3339+`"`, string(b))
	*s = Stamp(t)
	return err
}

// JobStatus is a job as the API shows it.
type JobStatus struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Args     any      `json:"args"`
	State    string   `json:"state"` // running, done, failed, cancelled
	Started  Stamp    `json:"started"`
	Finished *Stamp   `json:"finished,omitempty"`
	Progress Progress `json:"progress"`
	// Summary is the job's report, the same text the offline command prints.
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Job is a long task running inside the service (a backfill).
type Job struct {
	ID     string
	cancel context.CancelFunc
	mu     sync.Mutex
	status JobStatus
	done   chan struct{}
}

// Status returns a copy of the job's status.
func (j *Job) Status() JobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

// Wait blocks until the job ends or ctx does.
func (j *Job) Wait(ctx context.Context) error {
	select {
	case <-j.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Jobs runs one job of a kind at a time and keeps the recent ones for their status.
type Jobs struct {
	mu   sync.Mutex
	next int
	all  []*Job
	base context.Context
}

// maxKept is how many finished jobs stay listed.
const maxKept = 20

// NewJobs returns a job runner whose jobs end when base does (the service's lifetime).
func NewJobs(base context.Context) *Jobs { return &Jobs{base: base} }

// Start runs fn in the background unless a job of the same kind is running (409).
func (js *Jobs) Start(kind string, args any, fn func(ctx context.Context, progress func(Progress)) (summary string, err error)) (*Job, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, j := range js.all {
		if st := j.Status(); st.Kind == kind && st.State == "running" {
			return nil, Errorf(http.StatusConflict, "a %s is already running (job %s)", kind, j.ID)
		}
	}
	js.next++
	ctx, cancel := context.WithCancel(js.base)
	j := &Job{ID: strconv.Itoa(js.next), cancel: cancel, done: make(chan struct{}),
		status: JobStatus{ID: strconv.Itoa(js.next), Kind: kind, Args: args, State: "running", Started: Stamp(time.Now())}}
	js.all = append(js.all, j)
	if len(js.all) > maxKept {
		for i, old := range js.all {
			if old.Status().State != "running" {
				js.all = append(js.all[:i:i], js.all[i+1:]...)
				break
			}
		}
	}
	go func() {
		defer close(j.done)
		defer cancel()
		summary, err := fn(ctx, func(p Progress) {
			j.mu.Lock()
			j.status.Progress = p
			j.mu.Unlock()
		})
		now := Stamp(time.Now())
		j.mu.Lock()
		defer j.mu.Unlock()
		j.status.Finished, j.status.Summary = &now, summary
		switch {
		case err != nil && ctx.Err() != nil:
			j.status.State, j.status.Error = "cancelled", err.Error()
		case err != nil:
			j.status.State, j.status.Error = "failed", err.Error()
		default:
			j.status.State = "done"
		}
	}()
	return j, nil
}

// WaitAll waits for every job to end (after their base context was cancelled).
func (js *Jobs) WaitAll() {
	js.mu.Lock()
	all := append([]*Job(nil), js.all...)
	js.mu.Unlock()
	for _, j := range all {
		<-j.done
	}
}

// Get finds a job by id.
func (js *Jobs) Get(id string) (*Job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, j := range js.all {
		if j.ID == id {
			return j, true
		}
	}
	return nil, false
}

// Cancel stops a running job; false when there is none with that id.
func (js *Jobs) Cancel(id string) bool {
	j, ok := js.Get(id)
	if !ok || j.Status().State != "running" {
		return false
	}
	j.cancel()
	<-j.done
	return true
}

// List returns every kept job's status, oldest first.
func (js *Jobs) List() []JobStatus {
	js.mu.Lock()
	defer js.mu.Unlock()
	out := make([]JobStatus, 0, len(js.all))
	for _, j := range js.all {
		out = append(out, j.Status())
	}
	return out
}
