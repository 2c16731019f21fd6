package fixed

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// GB/T 8170 vectors of docs/standards.md §6.4 (decimal strings, not floats).
func TestRoundHalfEvenVectors(t *testing.T) {
	cases := []struct {
		in     string
		places int
		want   string
	}{
		{"0.0035", 3, "0.004"}, {"0.0045", 3, "0.004"}, {"2.5", 0, "2"}, {"3.5", 0, "4"},
		{"0.225", 2, "0.22"}, {"0.275", 2, "0.28"}, {"1.25", 1, "1.2"}, {"1.35", 1, "1.4"},
		{"148.5", 0, "148"}, {"150.5", 0, "150"}, {"75.50001", 0, "76"}, {"-2.5", 0, "-2"},
		{"-3.5", 0, "-4"}, {"-0.0045", 3, "-0.004"}, {"7.0849", 2, "7.08"},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			d, err := Parse(c.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if got := d.Round(c.places).String(); got != c.want {
				t.Errorf("Round(%s, %d) = %s, want %s", c.in, c.places, got, c.want)
			}
			r, _ := new(big.Rat).SetString(c.in)
			if got := FormatRat(r, c.places); trimZeros(got) != c.want {
				t.Errorf("FormatRat(%s, %d) = %s, want %s", c.in, c.places, got, c.want)
			}
		})
	}
}

func trimZeros(s string) string {
	d, _ := Parse(s)
	return d.String()
}

func TestParse(t *testing.T) {
	good := map[string]string{
		"12": "12", "-0.427": "-0.427", "+3.": "3", ".5": "0.5", "0.09055002": "0.09055002",
		"1e-5": "0.00001", "0.1234567894": "0.123456789", "0.1234567895": "0.12345679",
		"0.0000000005": "0", "1E3": "1000",
	}
	for in, want := range good {
		d, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if d.String() != want {
			t.Errorf("Parse(%q) = %s, want %s", in, d, want)
		}
	}
	for _, bad := range []string{"", "-", ".", "abc", "1.2.3", "NaN", "Inf", "-inf", "1e400", "0x10", "1/2", "1 2", "12a"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", bad)
		}
	}
}

func TestFromFloat(t *testing.T) {
	for f, want := range map[float64]string{0.427: "0.427", 0.1 + 0.2: "0.3", 75: "75", 1e-5: "0.00001"} {
		d, ok := FromFloat(f)
		if !ok || d.String() != want {
			t.Errorf("FromFloat(%v) = %s %v, want %s", f, d, ok, want)
		}
	}
}

func TestUnits(t *testing.T) {
	d, _ := Parse("1.25")
	if u := d.Units(1); u != 12 {
		t.Errorf("Units(1) of 1.25 = %d, want 12", u)
	}
	d, _ = Parse("0.45")
	if u := d.Units(1); u != 4 {
		t.Errorf("Units(1) of 0.45 = %d, want 4", u)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "-0.5", "1e-9", "99999999.999999999", ".", "1e9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d > Max || d < -Max {
			t.Fatalf("Parse(%q) = %d outside range", s, d)
		}
		back, err := Parse(d.String())
		if err != nil || back != d {
			t.Fatalf("round trip of %q: %s -> %v %v", s, d, back, err)
		}
	})
}

// Append writes the same text String always did: shortest decimal, no trailing zeros,
// right down to the extremes of the range.
func TestAppend(t *testing.T) {
	for row, tc := range []struct {
		d    Dec
		want string
	}{
		{0, "0"}, {Int(75), "75"}, {Dec(427_000_000), "0.427"}, {-Dec(1_500_000_000), "-1.5"},
		{1, "0.000000001"}, {-1, "-0.000000001"}, {Dec(10_000_000_010), "10.00000001"},
		{Dec(math.MaxInt64), "9223372036.854775807"}, {Dec(math.MinInt64), "-9223372036.854775808"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := string(tc.d.Append([]byte("x="))); got != "x="+tc.want {
				t.Errorf("Append(%d) = %q, want %q", int64(tc.d), got, "x="+tc.want)
			}
			if got := tc.d.String(); got != tc.want {
				t.Errorf("String(%d) = %q, want %q", int64(tc.d), got, tc.want)
			}
			if tc.d > -Dec(1e15) && tc.d < Dec(1e15) { // Parse keeps a narrower range
				if back, err := Parse(tc.want); err != nil || back != tc.d {
					t.Errorf("Parse(%q) = %d, %v", tc.want, int64(back), err)
				}
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = Dec(123_456_789_000).Append(make([]byte, 0, 32)) }); n > 1 {
		t.Errorf("Append allocates %v times", n)
	}
}

// The 64-bit path of RoundRatDec gives what the exact big.Rat path gives, for values of
// every sign, halves that round to even, and denominators of means and percentiles.
func TestRoundRatDecFastPathMatchesExact(t *testing.T) {
	exact := func(r *big.Rat, places int) (Dec, bool) { return FromRat(RoundRat(r, places)) }
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []*big.Rat{big.NewRat(65, 2), big.NewRat(-65, 2), big.NewRat(5, 2), big.NewRat(15, 2), big.NewRat(1, 3),
		big.NewRat(-1, 3), big.NewRat(0, 1), big.NewRat(1234567, 1000), big.NewRat(math.MaxInt64, 7), big.NewRat(-math.MaxInt64, 3)}
	for range 5000 {
		cases = append(cases, big.NewRat(rng.Int64N(2_000_000_000_000)-1_000_000_000_000, rng.Int64N(10_000)+1))
	}
	for row, r := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			for places := 0; places <= Places; places++ {
				got, gok := RoundRatDec(r, places)
				want, wok := exact(r, places)
				if got != want || gok != wok {
					t.Fatalf("RoundRatDec(%s, %d) = %v %v, want %v %v", r.RatString(), places, got, gok, want, wok)
				}
			}
		})
	}
}
