// Package pipeline is the one path every batch takes: validate each value once at the
// boundary, update the engines, write raw readings to the sink. A batch is applied to the
// engines idempotently (a repeated hour overwrites), so a batch that failed to reach the
// sink can simply be fetched and handled again.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
	"github.com/envwatch/envwatch/waterquality"
)

// Sink is where raw readings go (InfluxDB).
type Sink interface {
	WriteLines(ctx context.Context, lines []byte) (int, error)
}

// Site is a configured station or section.
type Site struct {
	Kind reading.SiteKind
	Code string
	Area string
	// Water sites: how the derived period series classifies them.
	Body   waterquality.Body
	Target waterquality.Class
	Source bool // a drinking-water source (Class III and Table 2)
}

// Rejection reasons (label values of envwatch_readings_rejected_total).
const (
	ReasonUnknownSite  = "unknown_site"
	ReasonUnknownCode  = "unknown_code"
	ReasonNegative     = "negative"
	ReasonAboveMaximum = "above_maximum"
	ReasonInvalidFlag  = "invalid_flag"
	ReasonDuplicate    = "duplicate"
	ReasonBadTime      = "bad_time"
)

// Physical maxima: values above are instrument faults, not air (µg/m³; CO mg/m³). PM10
// reaches several thousand µg/m³ in sand storms.
var airMax = [airquality.NumPollutants]fixed.Dec{
	airquality.SO2: fixed.Int(10000), airquality.NO2: fixed.Int(5000), airquality.PM10: fixed.Int(10000),
	airquality.CO: fixed.Int(500), airquality.O3: fixed.Int(3000), airquality.PM25: fixed.Int(5000),
}

// HJ 212 data flags (docs/standards.md §4.7); only N counts for statistics.
// "/" is not an HJ 212 flag: it is CNEMC's "not monitored" (reading.FlagNotMonitored).
var validFlags = map[string]bool{"": true, "N": true, "F": true, "M": true, "S": true, "D": true, "C": true, "T": true, "B": true,
	reading.FlagNotMonitored: true}

// StateStore persists the engines, high-water marks and the InfluxDB spool (the state store).
type StateStore interface {
	CommitBatch(store.Commit) error
	HighWater(source string) (time.Time, bool, error)
	LoadAir(fn func(store.AirDay) error) error
	LoadWater(fn func(store.WaterSample) error) error
	SpoolEmpty() bool
	SpoolOldest() (store.SpoolEntry, bool, error)
	SpoolDone(id uint64) error
	SpoolDead(id uint64, reason string) error
	SpoolStats() (store.SpoolStats, error)
}

// Latest is the newest hourly observation of a station.
type Latest struct {
	End    time.Time
	Values [airquality.NumPollutants]airquality.Value
}

// Pipeline validates batches and applies them. Safe for concurrent use.
type Pipeline struct {
	mu           sync.Mutex
	sites        map[siteKey]*siteEntry
	folded       map[siteKey]*siteEntry // by trimmed upper-case code: "1812a " is 1812A
	unknown      map[string]bool        // unknown codes already logged (bounded)
	air          *airquality.Network
	latest       map[string]*Latest
	water        *waterquality.Store
	state        StateStore
	spoolMax     int64
	wake         chan struct{}
	spooled      *prometheus.CounterVec
	sink         Sink
	logger       *slog.Logger
	rejected     *prometheus.CounterVec
	revised      *prometheus.CounterVec
	derived      *Derived         // nil: no derived series
	stationAreas map[int][]string // station index → the areas it enters (derived series)
	aqiFields    []influx.Field   // scratch for a station hour's AQI fields
	primaryNames map[airquality.ItemSet]string
	newestHour   int64         // newest air hour applied (Unix), flagged or not; kept as markNewestHour
	version      atomic.Uint64 // changes whenever the engines' data may have (see Version)
	now          func() time.Time
	buf          []byte
	newest       airquality.Day // newest day applied: days hotDays before it are frozen
	frozenTo     airquality.Day
	entries      []*siteEntry // apply's per-reading scratch
	epochs       uint64       // of touch sets
}

// hotDays is how far behind the newest day station-days stay unfrozen. CNEMC revises
// within a day or two; an older revision (an audit weeks later) thaws its 32-day block,
// ~0.1 ms, and the block is frozen again when the newest day next moves on.
const hotDays = 7

// New builds a pipeline over the configured sites. sink may be nil (no InfluxDB).
func New(sites []Site, air *airquality.Network, sink Sink, reg prometheus.Registerer, logger *slog.Logger) *Pipeline {
	p := &Pipeline{sites: map[siteKey]*siteEntry{}, folded: map[siteKey]*siteEntry{}, unknown: map[string]bool{}, air: air, latest: map[string]*Latest{}, water: waterquality.NewStore(),
		sink: sink, logger: logger, now: time.Now, wake: make(chan struct{}, 1),
		spooled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_spool_points_total",
			Help: "Points through the InfluxDB spool by event: spooled (a write failed or a backlog existed), replayed, dead_lettered (refused permanently), refused (spool full)."}, []string{"event"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_readings_rejected_total",
			Help: "Values rejected at validation, by source and reason."}, []string{"source", "reason"}),
		revised: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_water_values_revised_total",
			Help: "Water-quality items of a sample sent again (a later value replaces the earlier; the sample's other items stay), by source."}, []string{"source"})}
	for _, s := range sites {
		e := &siteEntry{Site: s, station: -1}
		if s.Kind == reading.Air {
			air.AddStation(s.Code)
			e.station, _ = air.Station(s.Code)
		}
		p.sites[key(s.Kind, s.Code)] = e
		p.folded[key(s.Kind, foldCode(s.Code))] = e
	}
	if reg != nil {
		reg.MustRegister(p.rejected, p.spooled, p.revised)
	}
	return p
}

type siteKey struct {
	kind reading.SiteKind
	code string
}

func key(k reading.SiteKind, code string) siteKey { return siteKey{k, code} }

// siteEntry is what one look-up per reading finds: the site, its station index in the
// air network and its latest observation, so the per-reading path hashes one string.
type siteEntry struct {
	Site
	station int // -1 for a section
	latest  *Latest
	// The day this site last added to the touch set of epoch touchedIn.
	touchedDay airquality.Day
	touchedIn  uint64
	maxEnd     int64 // newest period end applied (Unix), to tell new data from rewrites
}

// touchSet is the station-days a batch (or a bulk load between checkpoints) changed. Its
// epoch lets a site remember that it is already in the set.
type touchSet struct {
	m     map[airKey]bool
	epoch uint64
}

// newTouchSet returns an empty set with a fresh epoch. The caller holds p.mu.
func (p *Pipeline) newTouchSet() *touchSet {
	p.epochs++
	return &touchSet{m: map[airKey]bool{}, epoch: p.epochs}
}

// reset empties the set under a fresh epoch. The caller holds p.mu.
func (t *touchSet) reset(p *Pipeline) {
	clear(t.m)
	p.epochs++
	t.epoch = p.epochs
}

func (p *Pipeline) reject(source, reason string, r *reading.Reading, v *reading.Value) {
	p.rejected.WithLabelValues(source, reason).Inc()
	if v != nil {
		p.logger.Debug("value rejected", "source", source, "reason", reason, "site", r.Site, "end", r.End, "code", v.Code, "value", v.V.String(), "flag", v.Flag)
	} else {
		p.logger.Debug("reading rejected", "source", source, "reason", reason, "site", r.Site, "end", r.End)
	}
}

// Reasons lists every rejection reason a source's readings can be counted under: the
// pipeline's own and the sources'.
var Reasons = []string{ReasonUnknownSite, ReasonUnknownCode, ReasonNegative, ReasonAboveMaximum, ReasonInvalidFlag, ReasonDuplicate,
	ReasonBadTime, "parse_error", "bad_file", "unreadable_file", "fetch_error"}

// Prepare exports the counters of the configured sources at 0, so that the first event is
// an increase that rate() and alerts see.
func (p *Pipeline) Prepare(sources []string) {
	for _, src := range sources {
		for _, r := range Reasons {
			p.rejected.WithLabelValues(src, r)
		}
		p.revised.WithLabelValues(src)
	}
	for _, e := range []string{"spooled", "replayed", "dead_lettered", "refused"} {
		p.spooled.WithLabelValues(e)
	}
}

// maxUnknownLogged bounds the codes remembered as logged: a feed of the whole country
// names ~1,900 stations a bureau does not configure.
const maxUnknownLogged = 4096

// unknownSite rejects a reading for an unconfigured site, counted always and logged at
// warn once per code (a new station in a national file is news, not noise).
func (p *Pipeline) unknownSite(source string, r *reading.Reading) {
	p.reject(source, ReasonUnknownSite, r, nil)
	k := source + "\x00" + r.Site
	if p.unknown[k] || len(p.unknown) >= maxUnknownLogged {
		return
	}
	p.unknown[k] = true
	p.logger.Warn("readings for an unconfigured site rejected (logged once per code)", "source", source, "site", r.Site, "kind", r.Kind.String())
}

// foldCode is the form site codes are matched in when the exact code is not configured.
func foldCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// Handle validates a batch, applies the valid values to the engines and writes them to
// the sink. It returns the number of readings accepted; an error means the sink did not
// take the batch (the engines did; re-handling it is harmless).
func (p *Pipeline) Handle(ctx context.Context, b *reading.Batch) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	touched := p.newTouchSet()
	a := p.apply(b, p.buf[:0], touched, nil)
	p.buf = a.lines
	// To InfluxDB now, unless earlier batches still wait in the spool (order matters: a
	// revision must not be overwritten by an older replayed value).
	var writeErr error
	direct := p.sink != nil && len(a.lines) > 0 && (p.state == nil || p.state.SpoolEmpty())
	if direct {
		_, writeErr = p.sink.WriteLines(ctx, a.lines)
	}
	if p.state == nil {
		return a.accepted, writeErr // no state store: nothing to spool into
	}
	c := store.Commit{Air: p.airDays(touched.m), Water: a.water, SpoolMax: p.spoolMax}
	if !b.Mark.IsZero() {
		c.Marks = map[string]time.Time{b.Source: b.Mark}
	}
	if p.sink != nil && len(a.lines) > 0 && (!direct || writeErr != nil) {
		c.Spool = p.spoolEntry(b.Source, a.lines, writeErr)
	}
	if err := p.commit(b.Source, c); err != nil {
		return a.accepted, err
	}
	p.compact()
	return a.accepted, nil
}

// compact freezes the station-days that fell out of the hot window, once they are
// durable (the caller holds p.mu; without a state store nothing is frozen, so a pipeline
// used as a calculator keeps everything at hand).
func (p *Pipeline) compact() {
	if p.state == nil || p.newest-hotDays <= p.frozenTo {
		return
	}
	p.frozenTo = p.newest - hotDays
	p.air.Compact(p.frozenTo)
}

// applied is what apply did with a batch.
type applied struct {
	accepted int
	lines    []byte // line protocol of the accepted readings (none without a sink)
	revises  bool   // some reading is not newer than what earlier batches applied for its site
	water    []store.WaterSample
	released release // with a hold: the derived series this batch's lines carry
}

// apply validates a batch, updates the engines and renders the line protocol into buf,
// adding the station-days it changed to touched. With hold (a backfill), the derived
// series of a day wait in it until the walk has passed the day. The caller holds p.mu.
func (p *Pipeline) apply(b *reading.Batch, buf []byte, touched *touchSet, hold *derivedHold) applied {
	for _, rj := range b.Rejects {
		p.rejected.WithLabelValues(b.Source, rj.Reason).Inc()
		p.logger.Debug("record rejected by source", "source", b.Source, "reason", rj.Reason, "detail", rj.Detail)
	}
	n := len(b.Readings)
	if cap(p.entries) < n {
		p.entries = make([]*siteEntry, n)
	}
	entries := p.entries[:n] // nil: the reading is left out
	clear(entries)
	// Pass 1: validate, and settle repeats of a (site, period end) by the one rule that
	// holds whatever separates them — the same file, the next group of a large file, a
	// later file or batch: the later reading updates the values it carries and the others
	// stay, as the engine merges a later batch. Within a batch the two are merged here, so
	// that only the merged reading reaches the engines and InfluxDB (where, written in the
	// same request set, the older value could land last). A repeat within one part (one
	// file or delivery) is counted as a duplicate.
	type dupKey struct {
		site   *siteEntry
		end    int64
		period reading.Period
	}
	type seenAt struct{ i, part int }
	seen := make(map[dupKey]seenAt, n)
	now := p.now()
	part, superseded, revises := 0, 0, false
	for i := range b.Readings {
		for part+1 < len(b.Parts) && i >= b.Parts[part+1] {
			part++
		}
		r := &b.Readings[i]
		site, ok := p.sites[key(r.Kind, r.Site)]
		if !ok {
			if site, ok = p.folded[key(r.Kind, foldCode(r.Site))]; ok {
				r.Site = site.Code // a stray space or lower case is the same station
			} else {
				p.unknownSite(b.Source, r)
				continue
			}
		}
		if !reading.TimeOK(r.End, now) || (r.Kind == reading.Air && r.Period == reading.Hour && r.End.Unix()%3600 != 0) {
			p.reject(b.Source, ReasonBadTime, r, nil)
			continue
		}
		k := dupKey{site, r.End.Unix(), r.Period}
		if k.end <= site.maxEnd {
			revises = true // rewrites (or fills in behind) what an earlier batch applied
		}
		prev, repeat := seen[k]
		if r.Values = p.validValues(b.Source, r); len(r.Values) == 0 {
			continue
		}
		if repeat {
			if prev.part == part {
				p.reject(b.Source, ReasonDuplicate, r, nil)
			} else {
				superseded++ // a revision: the earlier reading was accepted, then replaced
			}
			r.Values = waterquality.MergeValues(b.Readings[prev.i].Values, r.Values, nil)
			entries[prev.i] = nil
		}
		seen[k] = seenAt{i, part}
		entries[i] = site
	}
	// Pass 2: apply what stands, in order.
	ds := p.newDerivedSet()
	var newSamples []store.WaterSample
	accepted := superseded // valid, accepted, then replaced by their revision
	for i := range b.Readings {
		site := entries[i]
		if site == nil {
			continue
		}
		r := &b.Readings[i]
		// Nothing of this station at or after this hour was applied (or restored), so no
		// point of it can be in InfluxDB: an empty flags field may be left out. (Water
		// samples, few and merged item by item, always carry theirs.)
		first := r.Kind == reading.Air && r.End.Unix() > site.maxEnd
		site.maxEnd = max(site.maxEnd, r.End.Unix())
		clean := reading.Reading{Kind: r.Kind, Period: r.Period, Site: r.Site, End: r.End.UTC(), Values: r.Values}
		switch {
		case r.Kind == reading.Air && r.Period == reading.Hour:
			p.applyAir(site, &clean)
			day, _, _ := airquality.HourSlot(clean.End)
			// Most readings repeat the previous day of their station: skip the map then.
			if site.touchedDay != day || site.touchedIn != touched.epoch {
				touched.m[airKey{site, day}] = true
				site.touchedDay, site.touchedIn = day, touched.epoch
			}
			p.newest = max(p.newest, day)
			p.newestHour = max(p.newestHour, clean.End.Unix())
			if ds != nil {
				ds.days[airKey{site, day}] = true
			}
		case r.Kind == reading.Water:
			merged, revised := p.applyWater(&clean)
			if revised > 0 {
				p.revised.WithLabelValues(b.Source).Add(float64(revised))
			}
			// The store keeps the merged sample, as InfluxDB does (it merges fields of a point).
			newSamples = append(newSamples, store.WaterSample{Section: clean.Site, Unix: clean.End.Unix(), Data: waterquality.EncodeValues(merged)})
			if ds != nil {
				local := clean.End.In(airquality.Shanghai)
				ds.months[monthKey{site, local.Year(), local.Month()}] = true
			}
		}
		if p.sink != nil { // no sink (compute only): no line protocol to build
			extra := influx.Extra{First: first}
			if ds != nil && r.Kind == reading.Air && r.Period == reading.Hour {
				extra.Fields = p.hourAQIFields(p.aqiFields[:0], site, clean.End)
			}
			buf = influx.AppendReadingWith(buf, &clean, influx.Tags{Area: site.Area}, extra)
		}
		accepted++
	}
	clear(entries) // drop the references until the next batch
	if accepted > 0 {
		p.version.Add(1)
	}
	if hold != nil {
		hold.released = release{}
	}
	if hold != nil && ds != nil && hold.take(ds) {
		revises = true // see derivedHold
	}
	buf = p.appendDerived(buf, ds, hold, false)
	a := applied{accepted: accepted, lines: buf, water: newSamples, revises: revises}
	if hold != nil {
		a.released = hold.released
	}
	return a
}

// spoolEntry wraps lines that could not be written now.
func (p *Pipeline) spoolEntry(source string, lines []byte, writeErr error) *store.SpoolEntry {
	points := bytes.Count(lines, []byte{'\n'})
	if writeErr != nil {
		p.logger.Warn("influxdb write failed; batch spooled", "source", source, "points", points, "err", writeErr)
	}
	return &store.SpoolEntry{Spooled: p.now().UTC(), Points: points, Lines: lines}
}

// Version changes whenever a batch changed the engines' data or state was restored: what
// is computed from the data alone (the exposition, per day) can be kept while it stays.
func (p *Pipeline) Version() uint64 { return p.version.Load() }

// markNewestHour is the high-water mark under which the state store keeps the newest air
// hour ever applied. A source name cannot contain ':', so it cannot collide with one.
const markNewestHour = "pipeline:newest-hour"

// commit stores c and accounts for its spool entry. The caller holds p.mu.
func (p *Pipeline) commit(source string, c store.Commit) error {
	if p.newestHour > 0 {
		if c.Marks == nil {
			c.Marks = map[string]time.Time{}
		}
		c.Marks[markNewestHour] = time.Unix(p.newestHour, 0).UTC()
	}
	if err := p.state.CommitBatch(c); err != nil {
		if errors.Is(err, store.ErrSpoolFull) && c.Spool != nil {
			p.spooled.WithLabelValues("refused").Add(float64(c.Spool.Points))
			p.logger.Error("spool full: batch refused", "source", source, "points", c.Spool.Points)
			return err
		}
		return fmt.Errorf("committing batch: %w", err)
	}
	if c.Spool != nil {
		p.spooled.WithLabelValues("spooled").Add(float64(c.Spool.Points))
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// validValues returns the values of r that pass check. The common case, all valid,
// returns r.Values itself; a copy is made only when something is left out.
func (p *Pipeline) validValues(source string, r *reading.Reading) []reading.Value {
	for j := range r.Values {
		if p.check(r.Kind, &r.Values[j]) == "" {
			continue
		}
		good := append(make([]reading.Value, 0, len(r.Values)-1), r.Values[:j]...)
		for k := j; k < len(r.Values); k++ {
			v := &r.Values[k]
			if reason := p.check(r.Kind, v); reason != "" {
				p.reject(source, reason, r, v)
				continue
			}
			good = append(good, *v)
		}
		return good
	}
	return r.Values
}

func (p *Pipeline) check(kind reading.SiteKind, v *reading.Value) string {
	if !validFlags[v.Flag] || (v.NotMonitored() && (kind != reading.Air || v.V != 0)) {
		return ReasonInvalidFlag
	}
	switch kind {
	case reading.Air:
		pol, ok := airquality.ParsePollutant(v.Code)
		if !ok {
			return ReasonUnknownCode
		}
		if v.V < 0 {
			return ReasonNegative
		}
		if v.V > airMax[pol] {
			return ReasonAboveMaximum
		}
	case reading.Water:
		it, ok := waterquality.ParseItem(v.Code)
		if !ok {
			return ReasonUnknownCode
		}
		if v.V < 0 && it != waterquality.Temp {
			return ReasonNegative
		}
		if (it == waterquality.PH && v.V > fixed.Int(14)) || v.V > fixed.Int(100_000_000) {
			return ReasonAboveMaximum
		}
	}
	return ""
}

func (p *Pipeline) applyAir(e *siteEntry, r *reading.Reading) {
	s := p.air.Series(e.station)
	end := r.End.Unix()
	l := e.latest
	if l == nil {
		l = &Latest{}
		e.latest = l
		p.latest[r.Site] = l
	}
	newer := r.End.After(l.End)
	if newer {
		*l = Latest{End: r.End}
	}
	for _, v := range r.Values {
		pol, _ := airquality.ParsePollutant(v.Code)
		switch {
		case v.Valid():
			_ = s.Set(end, pol, v.V) // validated above: cannot fail
		case v.NotMonitored():
			_ = s.SetNotMonitored(end, pol)
		default:
			_ = s.Clear(end, pol)
		}
		if newer || r.End.Equal(l.End) {
			l.Values[pol] = airquality.Value{C: v.V, OK: v.Valid(), NotMonitored: v.NotMonitored()}
		}
	}
}
