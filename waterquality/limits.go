package waterquality

import "github.com/envwatch/envwatch/fixed"

// Class is a water-quality class: 1…5 for Classes I–V and 6 for 劣V (worse than V);
// 0 means not classified.
type Class int

// Classes of GB 3838.
const (
	Unclassified Class = 0
	ClassI       Class = 1
	ClassII      Class = 2
	ClassIII     Class = 3
	ClassIV      Class = 4
	ClassV       Class = 5
	WorseThanV   Class = 6
)

var classNames = [7]string{"", "I", "II", "III", "IV", "V", "劣V"}

func (c Class) String() string {
	if c < 0 || c > 6 {
		return ""
	}
	return classNames[c]
}

// ParseClass reads "I" … "V" or "劣V" (also roman numerals Ⅰ…Ⅴ and 1…6).
func ParseClass(s string) (Class, bool) {
	switch s {
	case "I", "Ⅰ", "1":
		return ClassI, true
	case "II", "Ⅱ", "2":
		return ClassII, true
	case "III", "Ⅲ", "3":
		return ClassIII, true
	case "IV", "Ⅳ", "4":
		return ClassIV, true
	case "V", "Ⅴ", "5":
		return ClassV, true
	case "劣V", "劣Ⅴ", "6":
		return WorseThanV, true
	}
	return 0, false
}

// Status is the qualitative status of a class (2011 method): I–II 优, III 良好, IV 轻度污染,
// V 中度污染, 劣V 重度污染.
func (c Class) Status() string {
	switch c {
	case ClassI, ClassII:
		return "优"
	case ClassIII:
		return "良好"
	case ClassIV:
		return "轻度污染"
	case ClassV:
		return "中度污染"
	case WorseThanV:
		return "重度污染"
	}
	return ""
}

// StatusEN is the English status.
func (c Class) StatusEN() string {
	switch c {
	case ClassI, ClassII:
		return "excellent"
	case ClassIII:
		return "good"
	case ClassIV:
		return "lightly polluted"
	case ClassV:
		return "moderately polluted"
	case WorseThanV:
		return "heavily polluted"
	}
	return ""
}

// Body is the kind of water body, which selects the TP column and whether TN is reported.
type Body int

// Water bodies.
const (
	River Body = iota
	Lake       // lakes and reservoirs (湖、库)
)

func (b Body) String() string {
	if b == Lake {
		return "lake"
	}
	return "river"
}

// ParseBody reads "river" or "lake" (also "reservoir").
func ParseBody(s string) (Body, bool) {
	switch s {
	case "river", "":
		return River, true
	case "lake", "reservoir":
		return Lake, true
	}
	return River, false
}

type direction int

const (
	atMost  direction = iota // value ≤ limit
	atLeast                  // DO: value ≥ limit
	band                     // pH: 6 ≤ value ≤ 9 in every class
	single                   // Table 2: one limit for drinking-water sources
)

type limitRow struct {
	dir    direction
	limits [5]fixed.Dec // Classes I–V
}

func lim(dir direction, vals ...string) limitRow {
	var r limitRow
	r.dir = dir
	for i, v := range vals {
		d, err := fixed.Parse(v)
		if err != nil {
			panic("waterquality: bad limit literal " + v) // compile-time table, not input
		}
		r.limits[i] = d
	}
	if len(vals) == 1 {
		for i := 1; i < 5; i++ {
			r.limits[i] = r.limits[0]
		}
	}
	return r
}

// GB 3838-2002 Table 1 (docs/standards.md §3.1, [2] for every limit), mg/L unless noted.
var table1 = map[Item]limitRow{
	PH:      {dir: band},
	DO:      lim(atLeast, "7.5", "6", "5", "3", "2"),
	CODMn:   lim(atMost, "2", "4", "6", "10", "15"),
	COD:     lim(atMost, "15", "15", "20", "30", "40"),
	BOD5:    lim(atMost, "3", "3", "4", "6", "10"),
	NH3N:    lim(atMost, "0.15", "0.5", "1.0", "1.5", "2.0"),
	TP:      lim(atMost, "0.02", "0.1", "0.2", "0.3", "0.4"),
	TN:      lim(atMost, "0.2", "0.5", "1.0", "1.5", "2.0"),
	Cu:      lim(atMost, "0.01", "1.0", "1.0", "1.0", "1.0"),
	Zn:      lim(atMost, "0.05", "1.0", "1.0", "2.0", "2.0"),
	F:       lim(atMost, "1.0", "1.0", "1.0", "1.5", "1.5"),
	Se:      lim(atMost, "0.01", "0.01", "0.01", "0.02", "0.02"),
	As:      lim(atMost, "0.05", "0.05", "0.05", "0.1", "0.1"),
	Hg:      lim(atMost, "0.00005", "0.00005", "0.0001", "0.001", "0.001"),
	Cd:      lim(atMost, "0.001", "0.005", "0.005", "0.005", "0.01"),
	Cr6:     lim(atMost, "0.01", "0.05", "0.05", "0.05", "0.1"),
	Pb:      lim(atMost, "0.01", "0.01", "0.05", "0.05", "0.1"),
	CN:      lim(atMost, "0.005", "0.05", "0.2", "0.2", "0.2"),
	Phenol:  lim(atMost, "0.002", "0.002", "0.005", "0.01", "0.1"),
	Oil:     lim(atMost, "0.05", "0.05", "0.05", "0.5", "1.0"),
	LAS:     lim(atMost, "0.2", "0.2", "0.2", "0.3", "0.3"),
	Sulfide: lim(atMost, "0.05", "0.1", "0.2", "0.5", "1.0"),
	FC:      lim(atMost, "200", "2000", "10000", "20000", "40000"),
}

// Lakes and reservoirs use their own TP column.
var tpLake = lim(atMost, "0.01", "0.025", "0.05", "0.1", "0.2")

// GB 3838-2002 Table 2, supplementary items of drinking-water sources (single limits,
// mg/L; Fe and Mn [1], sulfate, chloride, nitrate [U]).
var table2 = map[Item]limitRow{
	Sulfate:  lim(single, "250"),
	Chloride: lim(single, "250"),
	Nitrate:  lim(single, "10"),
	Fe:       lim(single, "0.3"),
	Mn:       lim(single, "0.1"),
}

var phLow, phHigh = fixed.Int(6), fixed.Int(9)

func rowFor(it Item, body Body) (limitRow, bool) {
	if it == TP && body == Lake {
		return tpLake, true
	}
	if r, ok := table1[it]; ok {
		return r, true
	}
	r, ok := table2[it]
	return r, ok
}

// Limit returns the Class c limit of an item for a body (false when there is none).
func Limit(it Item, body Body, c Class) (fixed.Dec, bool) {
	r, ok := rowFor(it, body)
	if !ok || r.dir == band || c < ClassI || c > ClassV {
		return 0, false
	}
	return r.limits[c-1], true
}
