package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/api"
)

// A backfill the API cannot run is refused at once with 400 (or 404 for a source it does
// not know) — missing, malformed, reversed or future days — and no job is started.
func TestBackfillRefusedBeforeStarting(t *testing.T) {
	s := fixtureStack(t, t.TempDir())
	defer s.Close()
	v := &answers{s: s, jobs: api.NewJobs(context.Background())}
	tomorrow := time.Now().In(s.loc).AddDate(0, 0, 1).Format(time.DateOnly)
	for row, c := range []struct {
		q      api.BackfillQuery
		status int
		want   string
	}{
		{api.BackfillQuery{Source: "x", From: "2026-01-01"}, 400, "from and to are required"},
		{api.BackfillQuery{Source: "x", From: "2026-1-1", To: "2026-01-02"}, 400, "want YYYY-MM-DD"},
		{api.BackfillQuery{Source: "x", From: "2026-01-02", To: "2026-01-01"}, 400, "from 2026-01-02 is after to 2026-01-01"},
		{api.BackfillQuery{Source: "x", From: "2026-01-01", To: tomorrow}, 400, "is in the future"},
		{api.BackfillQuery{Source: "nosuch", From: "2026-01-01", To: "2026-01-02"}, 404, "nosuch"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			j, err := v.StartBackfill(c.q)
			var e *api.Error
			if j != nil || !errors.As(err, &e) || e.Status != c.status || !strings.Contains(e.Msg, c.want) {
				t.Errorf("%+v: job %v, err %v; want %d %q", c.q, j, err, c.status, c.want)
			}
		})
	}
	if n := len(v.jobs.List()); n != 0 {
		t.Errorf("%d jobs started", n)
	}
}

// A year outside 2000–2100 is a typing slip: the report and the rebuild refuse it (400)
// whether asked over the API or by the CLI.
func TestYearsChecked(t *testing.T) {
	s := fixtureStack(t, t.TempDir())
	defer s.Close()
	for _, y := range []int{-1, 0, 1, 1999, 2101, 99999999999} {
		_, err := s.Report(context.Background(), &strings.Builder{}, api.ReportQuery{Area: "luoyang", Year: y}, time.Now())
		var e *api.Error
		if !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("report year %d: %v, want 400", y, err)
		}
		if err := s.Rebuild(context.Background(), &strings.Builder{}, y); !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("rebuild year %d: %v, want 400", y, err)
		}
	}
}
