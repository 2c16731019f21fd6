package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// doc is one answer of the API, decoded as it was sent (numbers keep their published
// text: "35.0" stays 35.0). Every figure a page shows is read from a doc by a path, and
// the path goes into the page beside the figure (data-api, data-path), so that anyone can
// check a page against the API — the browser test does.
type doc struct {
	src  string // the API answer's name: report, now, assessment, daily, sites
	path string // where this doc sits inside its answer ("" at the top)
	v    any
}

// keyFields name an array element in a path, in this order of preference: an indicator's
// row is "indicators/pm2_5_mean", a station's "stations/1812A", a day's "…/2026-11-28".
var keyFields = []string{"indicator", "code", "unit", "month", "date"}

// elementKey is the path segment of an array element: its key field or its index.
func elementKey(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		for _, k := range keyFields {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return strconv.Itoa(i)
}

// at returns the doc at a relative path ("" is d itself); ok is false when it is absent.
func (d doc) at(path string) (doc, bool) {
	cur := d
	if path == "" {
		return cur, true
	}
	for _, seg := range strings.Split(path, "/") {
		next, ok := child(cur.v, seg)
		if !ok {
			return doc{}, false
		}
		p := seg
		if cur.path != "" {
			p = cur.path + "/" + seg
		}
		cur = doc{src: d.src, path: p, v: next}
	}
	return cur, true
}

func child(v any, seg string) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		c, ok := x[seg]
		return c, ok
	case []any:
		for i, e := range x {
			if elementKey(e, i) == seg {
				return e, true
			}
		}
	}
	return nil, false
}

// each returns the elements of the array (or the values of the object, in key order) at path.
func (d doc) each(path string) []doc {
	a, ok := d.at(path)
	if !ok {
		return nil
	}
	var out []doc
	join := func(k string) string {
		if a.path == "" {
			return k
		}
		return a.path + "/" + k
	}
	switch x := a.v.(type) {
	case []any:
		for i, e := range x {
			out = append(out, doc{src: d.src, path: join(elementKey(e, i)), v: e})
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			out = append(out, doc{src: d.src, path: join(k), v: x[k]})
		}
	}
	return out
}

// text is the published text of a scalar: numbers as sent, "" for null or absent.
func (d doc) text(path string) string {
	c, ok := d.at(path)
	if !ok {
		return ""
	}
	switch x := c.v.(type) {
	case json.Number:
		return x.String()
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func (d doc) bool(path string) bool { return d.text(path) == "true" }

func (d doc) int(path string) (int, bool) {
	n, err := strconv.Atoi(d.text(path))
	return n, err == nil
}

func (d doc) float(path string) (float64, bool) {
	f, err := strconv.ParseFloat(d.text(path), 64)
	return f, err == nil
}

// has reports whether the path holds a value other than null.
func (d doc) has(path string) bool {
	c, ok := d.at(path)
	return ok && c.v != nil
}

// cell is the figure at path as a page cell, tagged with where it came from.
func (d doc) cell(path string) Cell {
	c := Cell{Text: d.text(path), Src: d.src, Path: path, Num: true}
	if d.path != "" {
		c.Path = d.path + "/" + path
	}
	if c.Text == "" {
		c.Text, c.Missing = "—", true
	}
	if _, ok := d.at(path); !ok {
		// Absent from the answer (not even null): nothing to point at.
		c.Src, c.Path = "", ""
	}
	return c
}

// apiError is an answer of the API that is not a document: the page says it.
type apiError struct {
	Status int
	Msg    string
}

func (e *apiError) Error() string { return e.Msg }

// fetcher asks the API in-process, under the page request's context.
type fetcher struct {
	api  http.Handler
	ctx  context.Context
	used *[]Source // every answer read, in order
}

func (f fetcher) get(src, path string, q url.Values) (doc, error) {
	switch path {
	case "/api/v1/report", "/api/v1/daily", "/api/v1/assessment":
		q.Set("format", "json") // the others answer JSON only and take no format
	}
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, path+"?"+q.Encode(), nil)
	if err != nil {
		return doc{}, fmt.Errorf("request %s: %w", path, err)
	}
	rec := &answer{header: http.Header{}, code: http.StatusOK}
	f.api.ServeHTTP(rec, req)
	if rec.code != http.StatusOK {
		return doc{}, &apiError{Status: rec.code, Msg: strings.TrimSpace(rec.body.String())}
	}
	dec := json.NewDecoder(bytes.NewReader(rec.body.Bytes()))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return doc{}, fmt.Errorf("decode %s: %w", path, err)
	}
	// Listed as a source of the page only when it answered: a page that does without
	// an answer (a district has no assessment of its own) must not point to a 404.
	if f.used != nil && src != "sites" {
		*f.used = append(*f.used, Source{Name: src, URL: path + "?" + q.Encode()})
	}
	return doc{src: src, v: v}, nil
}

// answer is the API's in-process answer to a page (an http.ResponseWriter into memory).
type answer struct {
	header  http.Header
	code    int
	written bool // the status is set by the first WriteHeader or Write, as in net/http
	body    bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) Write(b []byte) (int, error) {
	a.written = true
	return a.body.Write(b)
}

func (a *answer) WriteHeader(code int) {
	if !a.written {
		a.code, a.written = code, true
	}
}

// tcell is a text figure of the API (a code, a date, a class): shown as sent, never a number.
func (d doc) tcell(path string) Cell {
	c := d.cell(path)
	c.Num = false
	return c
}

// sortedKeys are an object's keys in order, so that a page lists them the same way each time.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
