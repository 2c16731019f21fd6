// Package waterquality implements surface-water assessment: GB 3838-2002 class limits,
// the 2011 evaluation method (环办〔2011〕22号) for sections, rivers and basins, the 2020
// statistical rounding rules, drinking-water source compliance and the HJ 212 water codes.
// It is pure: no I/O, no clock.
package waterquality

import "github.com/envwatch/envwatch/fixed"

// Item is a water-quality item (GB 3838 Table 1 and Table 2, plus reference items).
type Item uint8

// GB 3838-2002 Table 1 (basic items) in the order of the table, Table 2 (supplementary
// items for drinking-water sources) and two reference items stations report.
const (
	Temp Item = iota
	PH
	DO
	CODMn
	COD
	BOD5
	NH3N
	TP
	TN
	Cu
	Zn
	F
	Se
	As
	Hg
	Cd
	Cr6
	Pb
	CN
	Phenol
	Oil
	LAS
	Sulfide
	FC
	// Table 2
	Sulfate
	Chloride
	Nitrate
	Fe
	Mn
	// reference items, never classified
	Conductivity
	Turbidity
	NumItems
)

type itemInfo struct {
	code, name string
	unit       string
	decimals   int // 2020 statistical rounding (docs/standards.md §3.4)
}

var items = [NumItems]itemInfo{
	Temp: {"temp", "水温", "°C", 1}, PH: {"ph", "pH", "", 2}, DO: {"do", "溶解氧", "mg/L", 1},
	CODMn: {"codmn", "高锰酸盐指数", "mg/L", 1}, COD: {"cod", "化学需氧量", "mg/L", 1},
	BOD5: {"bod5", "五日生化需氧量", "mg/L", 1}, NH3N: {"nh3n", "氨氮", "mg/L", 2},
	TP: {"tp", "总磷", "mg/L", 3}, TN: {"tn", "总氮", "mg/L", 2}, Cu: {"cu", "铜", "mg/L", 3},
	Zn: {"zn", "锌", "mg/L", 3}, F: {"f", "氟化物", "mg/L", 3}, Se: {"se", "硒", "mg/L", 4},
	As: {"as", "砷", "mg/L", 4}, Hg: {"hg", "汞", "mg/L", 5}, Cd: {"cd", "镉", "mg/L", 5},
	Cr6: {"cr6", "铬(六价)", "mg/L", 3}, Pb: {"pb", "铅", "mg/L", 3}, CN: {"cn", "氰化物", "mg/L", 3},
	Phenol: {"phenol", "挥发酚", "mg/L", 4}, Oil: {"oil", "石油类", "mg/L", 2},
	LAS: {"las", "阴离子表面活性剂", "mg/L", 2}, Sulfide: {"sulfide", "硫化物", "mg/L", 3},
	FC:      {"fc", "粪大肠菌群", "个/L", 0},
	Sulfate: {"sulfate", "硫酸盐", "mg/L", 1}, Chloride: {"chloride", "氯化物", "mg/L", 1},
	Nitrate: {"nitrate", "硝酸盐", "mg/L", 2}, Fe: {"fe", "铁", "mg/L", 2}, Mn: {"mn", "锰", "mg/L", 2},
	Conductivity: {"conductivity", "电导率", "µS/cm", 1}, Turbidity: {"turbidity", "浑浊度", "NTU", 1},
}

// Code is the short name used in CSV headers, metrics and InfluxDB fields.
func (it Item) Code() string { return items[it].code }

func (it Item) String() string { return items[it].code }

// Name is the Chinese name of the item.
func (it Item) Name() string { return items[it].name }

// Unit is the unit values of the item are expressed in.
func (it Item) Unit() string { return items[it].unit }

// Decimals returns the decimals the item's period values are published with (2020 rules).
func (it Item) Decimals() int { return items[it].decimals }

// ParseItem maps a short name to an item.
func ParseItem(code string) (Item, bool) {
	for i := Item(0); i < NumItems; i++ {
		if items[i].code == code {
			return i, true
		}
	}
	return 0, false
}

// Round applies the 2020 statistical rounding (《地表水环境质量监测数据统计技术规定》,
// docs/standards.md §3.4 [1]): half to even at the item's decimals, and when that gives 0 for a
// non-zero value, one significant digit instead. pH is kept at two decimals, not the
// "0" of the single source: rounding pH to an integer would pass pH 9.4 as 9 (vector W7).
func Round(it Item, v fixed.Dec) fixed.Dec {
	r := v.Round(items[it].decimals)
	if r != 0 || v == 0 {
		return r
	}
	// keep one significant digit rather than report a detected value as zero
	for places := items[it].decimals + 1; places <= fixed.Places; places++ {
		if r := v.Round(places); r != 0 {
			return r
		}
	}
	return v
}
