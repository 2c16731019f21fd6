package waterquality

import (
	"fmt"
	"math/big"

	"github.com/envwatch/envwatch/fixed"
)

// Code is an HJ 212-2017 water pollutant code (Table B.1) with the unit its values are
// sent in.
type Code struct {
	Item Item
	Unit string // "mg/L", "µg/L", "个/L", "°C", "", "µS/cm", "NTU"
}

// hj212Codes maps HJ 212 codes to items. Several metal codes default to µg/L while GB 3838
// limits are mg/L (docs/standards.md §3.1 note a, §4.10): they are converted explicitly.
var hj212Codes = map[string]Code{
	"w01001": {PH, ""}, "w01009": {DO, "mg/L"}, "w01010": {Temp, "°C"}, "w01014": {Conductivity, "µS/cm"},
	"w01003": {Turbidity, "NTU"}, "w01017": {BOD5, "mg/L"}, "w01018": {COD, "mg/L"}, "w01019": {CODMn, "mg/L"},
	"w21003": {NH3N, "mg/L"}, "w21011": {TP, "mg/L"}, "w21001": {TN, "mg/L"}, "w02003": {FC, "个/L"},
	"w21016": {CN, "mg/L"}, "w21017": {F, "mg/L"}, "w21019": {Sulfide, "mg/L"}, "w22001": {Oil, "mg/L"},
	"w23002": {Phenol, "mg/L"}, "w19002": {LAS, "mg/L"},
	"w20111": {Hg, "µg/L"}, "w20115": {Cd, "µg/L"}, "w20117": {Cr6, "µg/L"}, "w20119": {As, "µg/L"},
	"w20120": {Pb, "µg/L"}, "w20128": {Se, "µg/L"}, "w20122": {Cu, "mg/L"}, "w20123": {Zn, "mg/L"},
	"w20138": {Cu, "mg/L"}, "w20139": {Zn, "mg/L"}, "w20140": {Se, "mg/L"}, "w20141": {As, "mg/L"},
	"w20142": {Hg, "µg/L"}, "w20143": {Cd, "µg/L"}, "w20144": {Pb, "mg/L"},
	"w21038": {Sulfate, "mg/L"}, "w21022": {Chloride, "mg/L"}, "w21007": {Nitrate, "mg/L"},
	"w20125": {Fe, "mg/L"}, "w20124": {Mn, "mg/L"},
}

// LookupCode returns the item and unit of an HJ 212 water code; an unknown code is an error.
func LookupCode(code string) (Code, error) {
	c, ok := hj212Codes[code]
	if !ok {
		return Code{}, fmt.Errorf("unknown HJ 212 water code %q", code)
	}
	return c, nil
}

// ToItemUnit converts a value in unit to the item's unit (mg/L for concentrations). Only
// exact conversions are done; any other unit is an error rather than a guess.
func ToItemUnit(it Item, unit string, v fixed.Dec) (fixed.Dec, error) {
	want := it.Unit()
	switch {
	case unit == want:
		return v, nil
	case want == "mg/L" && (unit == "µg/L" || unit == "ug/L" || unit == "μg/L"):
		r := v.Rat()
		r.Quo(r, fixedThousand)
		d, ok := fixed.FromRat(r)
		if !ok {
			return 0, fmt.Errorf("%s %s out of range", v, unit)
		}
		return d, nil
	}
	return 0, fmt.Errorf("item %s: unit %q cannot be converted to %q", it.Code(), unit, want)
}

var fixedThousand = big.NewRat(1000, 1)

// Codes lists the known HJ 212 water codes.
func Codes() []string {
	out := make([]string, 0, len(hj212Codes))
	for c := range hj212Codes {
		out = append(out, c)
	}
	return out
}
