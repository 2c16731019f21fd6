package airquality

// iaqiRows are the IAQI values of the rows of HJ 633 Table 1.
var iaqiRows = [8]int64{0, 50, 100, 150, 200, 300, 400, 500}

// table is one column of HJ 633 Table 1: the concentration (in the indicator's unit,
// µg/m³ or CO mg/m³) at which each IAQI row is reached. Columns that stop early (SO2 1 h
// at 800, O3 8 h at 800) have n < 8.
type table struct {
	bp [8]int64
	n  int
}

// Breakpoints of HJ 633-2012 Table 1 (docs/standards.md §1.1, [P][2]).
var tables2012 = [NumIndicators]table{
	SO2_24h:  {[8]int64{0, 50, 150, 475, 800, 1600, 2100, 2620}, 8},
	SO2_1h:   {[8]int64{0, 150, 500, 650, 800}, 5},
	NO2_24h:  {[8]int64{0, 40, 80, 180, 280, 565, 750, 940}, 8},
	NO2_1h:   {[8]int64{0, 100, 200, 700, 1200, 2340, 3090, 3840}, 8},
	PM10_24h: {[8]int64{0, 50, 150, 250, 350, 420, 500, 600}, 8},
	CO_24h:   {[8]int64{0, 2, 4, 14, 24, 36, 48, 60}, 8},
	CO_1h:    {[8]int64{0, 5, 10, 35, 60, 90, 120, 150}, 8},
	O3_1h:    {[8]int64{0, 160, 200, 300, 400, 800, 1000, 1200}, 8},
	O3_8h:    {[8]int64{0, 100, 160, 215, 265, 800}, 6},
	PM25_24h: {[8]int64{0, 35, 75, 115, 150, 250, 350, 500}, 8},
}

// tables2026 differ from 2012 only in the IAQI-100 breakpoints of PM2.5 (75→60) and
// PM10 (150→120) (HJ 633-2026 Table 1, docs/standards.md §0.1 [P]).
var tables2026 = func() [NumIndicators]table {
	t := tables2012
	t[PM25_24h].bp[2] = 60
	t[PM10_24h].bp[2] = 120
	return t
}()

func tableFor(v Version, ind Indicator) *table {
	if v == V2026 {
		return &tables2026[ind]
	}
	return &tables2012[ind]
}

// Breakpoints returns the concentration breakpoints of an indicator's column and the IAQI
// of each, for documentation and tests.
func Breakpoints(v Version, ind Indicator) (conc []int64, iaqi []int64) {
	t := tableFor(v, ind)
	return append([]int64(nil), t.bp[:t.n]...), append([]int64(nil), iaqiRows[:t.n]...)
}
