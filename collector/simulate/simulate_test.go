package simulate

import (
	"context"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
)

func TestDeterministicAndWindowIndependent(t *testing.T) {
	s := New(7, []string{"A", "B"}, []string{"W"}, 10)
	from := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	all, err := s.Readings(context.Background(), from, from.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	half1, _ := s.Readings(context.Background(), from, from.Add(24*time.Hour))
	half2, _ := s.Readings(context.Background(), from.Add(24*time.Hour), from.Add(48*time.Hour))
	joined := append(half1, half2...)
	if len(all) != len(joined) || len(all) < 90 {
		t.Fatalf("readings: %d vs %d", len(all), len(joined))
	}
	for i := range all {
		if all[i].Site != joined[i].Site || !all[i].End.Equal(joined[i].End) || all[i].Values[0].V != joined[i].Values[0].V {
			t.Fatalf("reading %d differs between one window and two", i)
		}
	}
	other, _ := New(8, []string{"A", "B"}, nil, 10).Readings(context.Background(), from, from.Add(48*time.Hour))
	same := 0
	for i := range other {
		if i < len(all) && other[i].Values[0].V == all[i].Values[0].V {
			same++
		}
	}
	if same == len(other) {
		t.Error("a different seed gives the same data")
	}
}

// Shapes: winter PM2.5 above summer; summer afternoon O3 above summer night O3.
func TestSeasonalAndDiurnalShapes(t *testing.T) {
	s := New(1, []string{"A", "B", "C"}, nil, 10)
	mean := func(from time.Time, hours int, code string, hourFilter func(int) bool) float64 {
		rs, _ := s.Readings(context.Background(), from, from.Add(time.Duration(hours)*time.Hour))
		sum, n := 0.0, 0
		for _, r := range rs {
			if !hourFilter(r.End.In(airquality.Shanghai).Hour()) {
				continue
			}
			for _, v := range r.Values {
				if v.Code == code {
					sum += v.V.Float64()
					n++
				}
			}
		}
		return sum / float64(n)
	}
	any := func(int) bool { return true }
	jan := mean(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), 31*24, "pm2_5", any)
	jul := mean(time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC), 31*24, "pm2_5", any)
	if jan < 1.5*jul {
		t.Errorf("January PM2.5 %.1f not clearly above July %.1f", jan, jul)
	}
	afternoon := mean(time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC), 31*24, "o3", func(h int) bool { return h >= 14 && h <= 17 })
	night := mean(time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC), 31*24, "o3", func(h int) bool { return h <= 4 })
	if afternoon < 2*night {
		t.Errorf("July afternoon O3 %.1f not clearly above night %.1f", afternoon, night)
	}
	rs, _ := s.Readings(context.Background(), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC))
	for _, r := range rs {
		for _, v := range r.Values {
			if v.V < 0 || v.V > fixed.Int(1000) {
				t.Fatalf("implausible %s %s at %s", v.Code, v.V, r.End)
			}
		}
	}
}

func TestMonthlyWaterSamples(t *testing.T) {
	s := New(1, nil, []string{"W1", "W2"}, 10)
	rs, _ := s.Readings(context.Background(), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(rs) != 24 {
		t.Errorf("water samples in a year: %d, want 12 per section", len(rs))
	}
}
