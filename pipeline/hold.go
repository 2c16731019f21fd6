package pipeline

import "github.com/envwatch/envwatch/airquality"

// derivedHold keeps a backfill's station-days out of the derived series until the walk has
// passed them. A day of 1,900 stations arrives in about five groups of 10,000 readings;
// writing its air_daily (and area day and month) points with each group wrote them five
// times, and derived points were most of what InfluxDB spent its time on
// (docs/performance.md). A day is released — written once — by the first batch after the
// walk reached a later day; a day touched again later (a revision) is held and written
// again. Bulk.Finish writes what is still held at the end.
//
// A batch that releases days reports revises, so that its delivery starts after every
// earlier one finished: a day written by two deliveries in flight at once could otherwise
// land older-last.
type derivedHold struct {
	days   map[airKey]bool
	months map[areaMonth]bool // area months whose days were written, waiting for the month's end
	newest airquality.Day     // the newest day any staged batch reached
	// released is what the last take and takeMonths let go: the days and months whose
	// points travel in that batch's delivery (Bulk tracks them until it is delivered).
	released release
}

// release is the derived series one staged batch carries.
type release struct {
	days   []airKey
	months []areaMonth
}

func newDerivedHold() *derivedHold {
	return &derivedHold{days: map[airKey]bool{}, months: map[areaMonth]bool{}}
}

// takeMonths moves the area months of the days just released into the hold and returns
// the held ones the walk has passed (all of them when final): an area's month is assessed
// once rather than with each of its days (365 × 190 assessments of a month for a national
// year, a sixth of the backfill's CPU).
func (h *derivedHold) takeMonths(months map[areaMonth]bool, final bool) map[areaMonth]bool {
	for am := range months {
		h.months[am] = true
	}
	y, m, _ := h.newest.Date()
	out := map[areaMonth]bool{}
	for am := range h.months {
		if final || am.year < y || (am.year == y && am.month < int(m)) {
			out[am] = true
			delete(h.months, am)
			h.released.months = append(h.released.months, am)
		}
	}
	return out
}

// take moves the batch's days into the hold and leaves in ds the held days the walk has
// passed; it reports whether any was released.
func (h *derivedHold) take(ds *derivedSet) bool {
	for k := range ds.days {
		h.days[k] = true
		h.newest = max(h.newest, k.day)
	}
	clear(ds.days)
	h.released = release{}
	for k := range h.days {
		if k.day < h.newest {
			ds.days[k] = true
			delete(h.days, k)
			h.released.days = append(h.released.days, k)
		}
	}
	return len(ds.days) > 0 || len(ds.months) > 0
}

// flush releases every held day into ds (the months follow in appendDerived, final).
func (h *derivedHold) flush(ds *derivedSet) {
	for k := range h.days {
		ds.days[k] = true
	}
	clear(h.days)
}
