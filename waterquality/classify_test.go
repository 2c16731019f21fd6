package waterquality

import (
	"fmt"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/fixed"
)

func dec(t testing.TB, s string) fixed.Dec {
	t.Helper()
	d, err := fixed.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sample parses "ph=6.5 do=8.5 …".
func sample(t testing.TB, spec string) Sample {
	t.Helper()
	var s Sample
	for _, kv := range strings.Fields(spec) {
		k, v, _ := strings.Cut(kv, "=")
		it, ok := ParseItem(k)
		if !ok {
			t.Fatalf("unknown item %q", k)
		}
		s.Set(it, dec(t, v))
	}
	return s
}

const w4a = "ph=7.5 do=7.0 codmn=3.0 nh3n=0.3 tp=0.08"

// docs/standards.md §6.5, vectors W1–W12.
func TestWaterVectors(t *testing.T) {
	cases := []struct {
		id       string
		body     Body
		spec     string
		class    Class
		deciding string
		main     string
	}{
		{"W1", River, "ph=6.5 do=8.5 codmn=2.0 cod=15 bod5=2.0 nh3n=0.15 tp=0.02 tn=0.5 cu=0.01 zn=0.05 f=1.0 se=0.01 as=0.01 hg=0.0001 cd=0.001 cr6=0.005 pb=0.01 cn=0.01 phenol=0.002 oil=0.05 las=0.5 sulfide=0.1 fc=1000",
			WorseThanV, "las", "las:1.5"},
		{"W2", River, "ph=8.33 do=10.15 codmn=4.102818 nh3n=0.09055002 tp=0 tn=3.563168", ClassIII, "codmn", ""},
		{"W3", River, "ph=7.2 do=5.5 codmn=5.0 cod=24 nh3n=2.3 tp=0.32", WorseThanV, "nh3n", "nh3n:1.3;tp:0.6;cod:0.2"},
		{"W4a", River, w4a, ClassII, "do,codmn,nh3n,tp", ""},
		{"W4b", Lake, w4a, ClassIV, "tp", "tp:0.6"},
		{"W5", River, "ph=7.0 do=8.0 codmn=1.5 cod=15 bod5=2 nh3n=0.1 tp=0.01", ClassI, "ph,do,codmn,cod,bod5,nh3n,tp", ""},
		{"W6a", River, "ph=7.5 do=5.0 codmn=3.0 nh3n=0.3 tp=0.08", ClassIII, "do", ""},
		{"W6b", River, "ph=7.5 do=4.99 codmn=3.0 nh3n=0.3 tp=0.08", ClassIV, "do", ""},
		{"W7", River, "ph=9.2 do=7.0 codmn=3.0 nh3n=0.3 tp=0.08", WorseThanV, "ph", ""},
		{"W8", River, w4a + " hg=0.00008", ClassIII, "hg", ""},
		{"W9", River, w4a + " cd=0.008", ClassV, "cd", "cd:0.6"},
		{"W10", River, w4a + " fc=30000 tn=5.0", ClassII, "do,codmn,nh3n,tp", ""},
		{"W11a", River, w4a[:strings.LastIndex(w4a, " ")] + " tp=0.40", ClassV, "tp", "tp:1"},
		{"W11b", River, w4a[:strings.LastIndex(w4a, " ")] + " tp=0.41", WorseThanV, "tp", "tp:1"},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			s := sample(t, c.spec)
			e := Evaluate(&s, c.body, Rules{})
			var dec, main []string
			for _, it := range e.Deciding {
				dec = append(dec, it.Code())
			}
			for _, m := range e.Main {
				main = append(main, m.Item.Code()+":"+trim(m.MultipleString()))
			}
			if e.Class != c.class || strings.Join(dec, ",") != c.deciding || strings.Join(main, ";") != c.main {
				t.Errorf("%s: class %s deciding %v main %v; want %s %s %s", c.id, e.Class, dec, main, c.class, c.deciding, c.main)
			}
		})
	}
}

func trim(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".") }

// W2 also checks the TN note: rivers ignore it, a lake would report TN as 劣V separately.
func TestTNSeparate(t *testing.T) {
	s := sample(t, "ph=8.33 do=10.15 codmn=4.102818 nh3n=0.09055002 tp=0 tn=3.563168")
	lake := Evaluate(&s, Lake, Rules{})
	if lake.ItemClass[TN] != WorseThanV || lake.Class != ClassIII {
		t.Errorf("lake: TN class %s, section class %s; want TN 劣V reported apart, section III", lake.ItemClass[TN], lake.Class)
	}
	p := PeriodValue([]Sample{s})
	if r, _ := p.Get(CODMn); r.String() != "4.1" {
		t.Errorf("CODMn period value %s, want 4.1", r)
	}
	if r, _ := p.Get(NH3N); r.String() != "0.09" {
		t.Errorf("NH3-N period value %s, want 0.09", r)
	}
}

// W5 under the other equal-limit reading gives Class II.
func TestEqualLimitSwitch(t *testing.T) {
	s := sample(t, "ph=7.0 do=8.0 codmn=1.5 cod=15 bod5=2 nh3n=0.1 tp=0.01")
	if e := Evaluate(&s, River, Rules{EqualLimits: EqualLimitsNotI}); e.Class != ClassII {
		t.Errorf("W5 with EqualLimitsNotI: %s, want II", e.Class)
	}
}

// Boundary tests: at every limit of every item the value is in that class (best class for
// equal limits); one unit of the item's rounding above it is in the next class with a
// different limit; for rivers and lakes.
func TestEveryLimitBoundary(t *testing.T) {
	for _, body := range []Body{River, Lake} {
		for it := Item(0); it < NumItems; it++ {
			r, ok := rowFor(it, body)
			if !ok || r.dir == band || r.dir == single {
				continue
			}
			for c := ClassI; c <= ClassV; c++ {
				l := r.limits[c-1]
				best := c
				for best > ClassI && r.limits[best-2] == l {
					best--
				}
				if got := ClassOf(it, body, l, Rules{}); got != best {
					t.Errorf("%s %s at Class %s limit %s: %s, want %s", body, it, c, l, got, best)
				}
				step := fixed.Dec(1)
				for d := items[it].decimals; d < fixed.Places; d++ {
					step *= 10
				}
				beyond := l + step
				if r.dir == atLeast {
					beyond = l - step
				}
				next := c + 1
				for next <= ClassV && r.limits[next-1] == l {
					next++
				}
				if got := ClassOf(it, body, Round(it, beyond), Rules{}); got != next {
					t.Errorf("%s %s just beyond Class %s limit (%s): %s, want %s", body, it, c, Round(it, beyond), got, next)
				}
			}
		}
	}
	for row, ph := range []struct {
		v    string
		want Class
	}{{"6", ClassI}, {"9", ClassI}, {"5.99", WorseThanV}, {"9.01", WorseThanV}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := ClassOf(PH, River, dec(t, ph.v), Rules{}); got != ph.want {
				t.Errorf("pH %s: %s, want %s", ph.v, got, ph.want)
			}
		})
	}
}

// W12: three monthly NH3-N values averaging exactly to the Class III limit classify as III.
func TestPeriodMeanExact(t *testing.T) {
	months := []Sample{sample(t, w4a+" nh3n=0.8"), sample(t, w4a+" nh3n=1.2"), sample(t, w4a+" nh3n=1.0")}
	for i := range months {
		months[i].Set(NH3N, []fixed.Dec{dec(t, "0.8"), dec(t, "1.2"), dec(t, "1.0")}[i])
	}
	m := PeriodValue(months)
	e := Evaluate(&m, River, Rules{})
	if e.Class != ClassIII || e.ItemClass[NH3N] != ClassIII {
		t.Errorf("W12: %s (NH3-N %s), want III", e.Class, e.ItemClass[NH3N])
	}
	// 0.1 + 0.2 + 0.3 style drift: 0.7, 1.1, 1.2 average to exactly 1.0 in decimal
	vals := []string{"0.7", "1.1", "1.2"}
	for i := range months {
		months[i].Set(NH3N, dec(t, vals[i]))
	}
	m = PeriodValue(months)
	if v, _ := m.Get(NH3N); v.String() != "1" {
		t.Errorf("mean of 0.7, 1.1, 1.2 = %s, want 1", v)
	}
	if e := Evaluate(&m, River, Rules{}); e.ItemClass[NH3N] != ClassIII {
		t.Errorf("NH3-N mean 1.0: %s, want III", e.ItemClass[NH3N])
	}
}

// pH mean through [H+] (docs/standards.md §3.4): {6.5, 7.9, 8.8, 9, 6.78, 8.87} → 7.08.
func TestPHMean(t *testing.T) {
	var ss []Sample
	for _, v := range []string{"6.5", "7.9", "8.8", "9", "6.78", "8.87"} {
		ss = append(ss, sample(t, "ph="+v))
	}
	m := Mean(ss)
	if v, _ := m.Get(PH); Round(PH, v).String() != "7.08" {
		t.Errorf("pH mean = %s, want 7.08", Round(PH, v))
	}
}

func TestRoundKeepsOneSignificantDigit(t *testing.T) {
	for row, c := range []struct {
		it   Item
		v    string
		want string
	}{{Cr6, "0.00005", "0.00005"}, {NH3N, "0.004", "0.004"}, {NH3N, "0.125", "0.12"}, {TP, "0.0035", "0.004"}, {TP, "0.0045", "0.004"}, {Hg, "0.000012", "0.00001"}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := Round(c.it, dec(t, c.v)).String(); got != c.want {
				t.Errorf("Round(%s, %s) = %s, want %s", c.it, c.v, got, c.want)
			}
		})
	}
}

func TestHJ212Codes(t *testing.T) {
	c, err := LookupCode("w20111")
	if err != nil || c.Item != Hg || c.Unit != "µg/L" {
		t.Fatalf("w20111 = %+v %v", c, err)
	}
	v, err := ToItemUnit(Hg, c.Unit, dec(t, "0.08"))
	if err != nil || v.String() != "0.00008" {
		t.Errorf("0.08 µg/L Hg = %s mg/L %v, want 0.00008", v, err)
	}
	if _, err := LookupCode("w99999"); err == nil {
		t.Error("unknown code accepted")
	}
	if _, err := ToItemUnit(NH3N, "g/L", dec(t, "1")); err == nil {
		t.Error("unknown unit accepted")
	}
}

func BenchmarkEvaluateSample(b *testing.B) {
	s := sample(b, "ph=6.5 do=8.5 codmn=2.0 cod=15 bod5=2.0 nh3n=0.15 tp=0.02 tn=0.5 cu=0.01 zn=0.05 f=1.0 se=0.01 as=0.01 hg=0.0001 cd=0.001 cr6=0.005 pb=0.01 cn=0.01 phenol=0.002 oil=0.05 las=0.5 sulfide=0.1 fc=1000")
	b.ReportAllocs()
	for b.Loop() {
		_ = Evaluate(&s, River, Rules{})
	}
}

func ExampleEvaluate() {
	var s Sample
	for it, v := range map[Item]string{PH: "7.2", DO: "5.5", CODMn: "5.0", COD: "24", NH3N: "2.3", TP: "0.32"} {
		d, _ := fixed.Parse(v)
		s.Set(it, d)
	}
	e := Evaluate(&s, River, Rules{})
	fmt.Println(e.Class, e.Class.Status())
	for _, m := range e.Main {
		fmt.Println(m.Item.Name(), m.MultipleString())
	}
	// Output:
	// 劣V 重度污染
	// 氨氮 1.3
	// 总磷 0.6
	// 化学需氧量 0.2
}
