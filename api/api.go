// Package api is envwatch's HTTP API, versioned under /api/v1/: reports, daily values and
// the configured sites for reading; backfill jobs, the spool and rebuilds for changing
// state. Read endpoints are always on; mutating ones answer only to POST and only when
// enabled (--web.enable-admin-api, Prometheus' convention). The web configuration's TLS
// and basic auth cover every route, as they cover /metrics. docs/api.md is the contract.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Error is a refusal with its HTTP status and a message for people.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Errorf makes an Error.
func Errorf(status int, format string, args ...any) error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// ReportQuery is a report request: the same options as `envwatch report`.
type ReportQuery struct {
	Area, AsOf, Format, Lang, Table string
	Year                            int
	Daily, Stations                 bool
}

// AssessQuery asks for an area's monthly assessment.
type AssessQuery struct {
	Area, Month, Format, Lang, Table string
	// From and To (YYYY-MM-DD), instead of Month, rank the units over those days.
	From, To string
}

// DailyQuery asks for the daily values of an area or a station over [From, To].
type DailyQuery struct {
	Area, Station, From, To, Format string
}

// BackfillQuery starts a backfill.
type BackfillQuery struct {
	Source string `json:"source"`
	From   string `json:"from"`
	To     string `json:"to"`
	Force  bool   `json:"force"`
}

// Service is what the API serves from (the running generation of envwatch).
type Service interface {
	// Report writes a report; warning is said beside it (a header in HTTP).
	Report(ctx context.Context, w io.Writer, q ReportQuery) (warning string, err error)
	Daily(ctx context.Context, w io.Writer, q DailyQuery) error
	Assess(ctx context.Context, w io.Writer, q AssessQuery) error
	// Now writes an area's real-time AQI, provisional day and station states as JSON.
	Now(ctx context.Context, w io.Writer, area, lang string) error
	Sites() *Sites
	StartBackfill(q BackfillQuery) (*Job, error)
	Jobs() *Jobs
	Spool(w io.Writer, action string, id uint64) error
	Rebuild(ctx context.Context, w io.Writer, year int) error
	// DryRun writes the line protocol the next run of a pull source would write, and
	// returns the note that sums it up; it records nothing.
	DryRun(ctx context.Context, w io.Writer, source string) (note string, err error)
}

// maxDryRun bounds a dry run's answer, which is held until the run is over so that a
// failure is answered as one.
const maxDryRun = 64 << 20

// Handler serves /api/v1/.
type Handler struct {
	Svc Service
	// Admin enables the mutating endpoints.
	Admin bool
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v1")
	switch {
	case path == "/report":
		h.get(w, r, h.report)
	case path == "/daily":
		h.get(w, r, h.daily)
	case path == "/assessment":
		h.get(w, r, h.assessment)
	case path == "/now":
		h.get(w, r, func(w http.ResponseWriter, r *http.Request) error {
			q := r.URL.Query()
			if q.Get("area") == "" {
				return Errorf(http.StatusBadRequest, "give area")
			}
			var buf bytes.Buffer
			if err := h.Svc.Now(r.Context(), &buf, q.Get("area"), q.Get("lang")); err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/json")
			_, err := buf.WriteTo(w)
			return err
		})
	case path == "/dryrun":
		h.get(w, r, h.dryRun)
	case path == "/sites":
		h.get(w, r, func(w http.ResponseWriter, _ *http.Request) error { return writeJSON(w, h.Svc.Sites()) })
	case path == "/backfills":
		if r.Method == http.MethodGet {
			if len(r.URL.Query()) > 0 {
				fail(w, Errorf(http.StatusBadRequest, "GET /backfills takes no parameters (POST starts one)"))
				return
			}
			writeJSON(w, h.Svc.Jobs().List())
			return
		}
		h.admin(w, r, h.startBackfill)
	case strings.HasPrefix(path, "/backfills/"):
		id, action, _ := strings.Cut(strings.TrimPrefix(path, "/backfills/"), "/")
		switch {
		case action == "" && r.Method == http.MethodGet:
			if j, ok := h.Svc.Jobs().Get(id); ok {
				writeJSON(w, j.Status())
				return
			}
			fail(w, Errorf(http.StatusNotFound, "no backfill job %q", id))
		case action == "cancel":
			h.admin(w, r, func(w http.ResponseWriter, _ *http.Request) error {
				if !h.Svc.Jobs().Cancel(id) {
					return Errorf(http.StatusNotFound, "no running backfill job %q", id)
				}
				j, _ := h.Svc.Jobs().Get(id)
				return writeJSON(w, j.Status())
			})
		default:
			fail(w, Errorf(http.StatusNotFound, "no such endpoint"))
		}
	case path == "/spool":
		h.get(w, r, func(w http.ResponseWriter, r *http.Request) error { return h.spool(w, r, "list") })
	case path == "/spool/retry", path == "/spool/drop":
		action := strings.TrimPrefix(path, "/spool/")
		h.admin(w, r, func(w http.ResponseWriter, r *http.Request) error { return h.spool(w, r, action) })
	case path == "/rebuild":
		h.admin(w, r, func(w http.ResponseWriter, r *http.Request) error {
			year, err := checkYear(r.URL.Query().Get("year"))
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			return h.Svc.Rebuild(r.Context(), w, year)
		})
	default:
		fail(w, Errorf(http.StatusNotFound, "no such endpoint (docs/api.md lists them)"))
	}
}

// dryRun answers GET /dryrun: text/plain line protocol, the note in X-Envwatch-Note.
func (h *Handler) dryRun(w http.ResponseWriter, r *http.Request) error {
	source := r.URL.Query().Get("source")
	if source == "" {
		return Errorf(http.StatusBadRequest, "give source")
	}
	buf := &capped{max: maxDryRun}
	note, err := h.Svc.DryRun(r.Context(), buf, source)
	if err != nil {
		return err
	}
	if buf.over {
		return Errorf(http.StatusRequestEntityTooLarge, "the dry run of %s writes more than %d MiB; run it offline (envwatch run --once with the service stopped)", source, maxDryRun>>20)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Envwatch-Note", note)
	_, err = buf.b.WriteTo(w)
	return err
}

// capped is a buffer that stops growing at max bytes and says so.
type capped struct {
	b    bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.b.Len()+len(p) > c.max {
		c.over = true
		return len(p), nil
	}
	return c.b.Write(p)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, fn func(http.ResponseWriter, *http.Request) error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		fail(w, Errorf(http.StatusMethodNotAllowed, "use GET"))
		return
	}
	if err := checkParams(strings.TrimPrefix(r.URL.Path, "/api/v1"), r.URL.Query()); err != nil {
		fail(w, err)
		return
	}
	if err := fn(w, r); err != nil {
		fail(w, err)
	}
}

// admin guards a mutating endpoint: enabled by the flag, and POST only.
func (h *Handler) admin(w http.ResponseWriter, r *http.Request, fn func(http.ResponseWriter, *http.Request) error) {
	if !h.Admin {
		fail(w, Errorf(http.StatusForbidden, "admin API is not enabled (start envwatch run with --web.enable-admin-api)"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		fail(w, Errorf(http.StatusMethodNotAllowed, "use POST"))
		return
	}
	if err := checkParams(strings.TrimPrefix(r.URL.Path, "/api/v1"), r.URL.Query()); err != nil {
		fail(w, err)
		return
	}
	if err := fn(w, r); err != nil {
		fail(w, err)
	}
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var e *Error
	if errors.As(err, &e) {
		status = e.Status
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, err.Error())
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// contentType of a report format.
func contentType(format string) string {
	switch format {
	case "", "json":
		return "application/json"
	case "csv":
		return "text/csv; charset=utf-8"
	case "markdown":
		return "text/markdown; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := ReportQuery{Area: v.Get("area"), AsOf: v.Get("as_of"), Format: v.Get("format"), Lang: v.Get("lang"), Table: v.Get("table"),
		Daily: v.Get("daily") == "true", Stations: v.Get("stations") == "true"}
	if q.Format == "" {
		q.Format = "json"
	}
	if q.Lang == "" {
		q.Lang = "zh"
	}
	year, err := checkYear(v.Get("year"))
	if err != nil {
		return err
	}
	q.Year = year
	// Rendered into memory first: a refusal must not follow a half-written 200.
	var b strings.Builder
	warning, err := h.Svc.Report(r.Context(), &b, q)
	if err != nil {
		return err
	}
	if warning != "" {
		w.Header().Set("X-Envwatch-Warning", warning)
	}
	ct := contentType(q.Format)
	if q.Daily {
		ct = contentType("csv")
	}
	w.Header().Set("Content-Type", ct)
	_, err = io.WriteString(w, b.String())
	return err
}

func (h *Handler) assessment(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := AssessQuery{Area: v.Get("area"), Month: v.Get("month"), Format: v.Get("format"), Lang: v.Get("lang"), Table: v.Get("table"),
		From: v.Get("from"), To: v.Get("to")}
	if q.Format == "" {
		q.Format = "json"
	}
	var b strings.Builder
	if err := h.Svc.Assess(r.Context(), &b, q); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType(q.Format))
	_, err := io.WriteString(w, b.String())
	return err
}

func (h *Handler) daily(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := DailyQuery{Area: v.Get("area"), Station: v.Get("station"), From: v.Get("from"), To: v.Get("to"), Format: v.Get("format")}
	if q.Format == "" {
		q.Format = "json"
	}
	if q.Area != "" && q.Station != "" {
		return Errorf(http.StatusBadRequest, "give area or station, not both")
	}
	var b strings.Builder
	if err := h.Svc.Daily(r.Context(), &b, q); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType(q.Format))
	_, err := io.WriteString(w, b.String())
	return err
}

func (h *Handler) startBackfill(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := BackfillQuery{Source: v.Get("source"), From: v.Get("from"), To: v.Get("to"), Force: v.Get("force") == "true"}
	j, err := h.Svc.StartBackfill(q)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/backfills/"+j.ID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j.Status())
}

func (h *Handler) spool(w http.ResponseWriter, r *http.Request, action string) error {
	var id uint64
	if s := r.URL.Query().Get("id"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return Errorf(http.StatusBadRequest, "id %q: want a positive number from the spool list", s)
		}
		id = n
	}
	var b strings.Builder
	if err := h.Svc.Spool(&b, action, id); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, b.String())
	return err
}
