// Command backtest checks whether the outlook's probabilities can be believed
// (docs/targets.md, "Is it calibrated?"). It replays past years from each month-end and
// sets the predicted probability of meeting a PM2.5 annual-mean target beside what
// happened: Brier score, a reliability table in ten bins and how often the year-end value
// fell in the 10–90 % range. Data sets:
//
//   - synthetic: a process whose true probabilities are known (outlook.Synthetic), so the
//     predictions are also scored against the truth;
//
//   - demo: the simulate source of examples/luoyang.yaml, run through the engine for -demo-years;
//
//   - each FILE: an area's daily values over several years, as `envwatch report --daily`
//     writes them (one file per year, or several years in one file).
//
//     go run ./bench/backtest                              # make backtest
//     go run ./bench/backtest -site luoyang daily-2019.csv daily-2020.csv ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/csvrec"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/outlook"
	"github.com/envwatch/envwatch/reading"
)

func main() {
	sims := flag.Int("sims", 1000, "simulated years per forecast")
	seed := flag.Uint64("seed", 3, "seed of the synthetic process")
	synthYears := flag.Int("synthetic-years", 43, "years of the synthetic process (the first three are history only)")
	demoYears := flag.Int("demo-years", 8, "years of the demo simulate source (0: skip)")
	demoLast := flag.Int("demo-last", 2025, "last year of the demo data set")
	demoConfig := flag.String("demo-config", "examples/luoyang.yaml", "configuration whose simulate source and stations make the demo data set")
	site := flag.String("site", "", "with FILEs: the site column's value to read (default: the first site of the first file)")
	flag.Parse()
	// From January's end too, which the service refuses (outlook.MinDaysThisYear): the
	// table by month shows why.
	opt := outlook.Options{Sims: *sims, MinDays: 31}
	months := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

	fmt.Printf("# Outlook backtest\n\n%d simulated years per forecast; forecasts from the end of January … November.\n", *sims)
	years := make([]int, *synthYears)
	for i := range years {
		years[i] = 2000 + i
	}
	start := time.Now()
	ps := outlook.BacktestSynthetic(outlook.Synthetic{Seed: *seed}, years, months, []float64{0.1, 0.3, 0.5, 0.7, 0.9}, 1000, opt)
	report(fmt.Sprintf("synthetic (seed %d, %d test years; targets at the true outcome's 10/30/50/70/90th percentiles)", *seed, *synthYears-3), ps, time.Since(start))

	changes := []float64{-0.10, -0.05, 0, 0.05}
	if *demoYears > 0 {
		start = time.Now()
		hist, err := demo(*demoConfig, *demoLast, *demoYears)
		if err != nil {
			fail(err)
		}
		ps = outlook.BacktestHistory(hist, months, changes, opt)
		report(fmt.Sprintf("demo (%s simulate source, %d–%d; targets at last year's mean −10/−5/0/+5 %%)", *demoConfig, *demoLast-*demoYears+1, *demoLast), ps, time.Since(start))
	}
	if flag.NArg() > 0 {
		start = time.Now()
		hist, name, err := readDaily(flag.Args(), *site)
		if err != nil {
			fail(err)
		}
		ps = outlook.BacktestHistory(hist, months, changes, opt)
		report(fmt.Sprintf("%s (%d years from %d files; targets at last year's mean −10/−5/0/+5 %%)", name, len(hist), flag.NArg()), ps, time.Since(start))
	}
}

// report prints a data set's scores as Markdown.
func report(title string, ps []outlook.Prediction, took time.Duration) {
	s := outlook.Summarize(ps)
	fmt.Printf("\n## %s\n\n", title)
	if s.N == 0 {
		fmt.Println("No forecast: no year has two complete years before it.")
		return
	}
	fmt.Printf("| forecasts | Brier score | Brier, true probabilities | mean abs(P − P_true) | year-end in the 10–90 %% range |\n|---|---|---|---|---|\n")
	truth, diff := "—", "—"
	if s.BrierTrue > 0 || s.MeanAbsErr > 0 {
		truth, diff = fmt.Sprintf("%.3f", s.BrierTrue), fmt.Sprintf("%.3f", s.MeanAbsErr)
	}
	fmt.Printf("| %d | %.3f | %s | %s | %.0f %% |\n\n", s.N, s.Brier, truth, diff, 100*s.Coverage80)
	fmt.Printf("| predicted | forecasts | mean predicted | observed met |\n|---|---|---|---|\n")
	for _, b := range s.Bins {
		if b.N == 0 {
			fmt.Printf("| %.0f–%.0f %% | 0 | — | — |\n", 100*b.Lo, 100*b.Lo+10)
			continue
		}
		fmt.Printf("| %.0f–%.0f %% | %d | %.2f | %.2f |\n", 100*b.Lo, 100*b.Lo+10, b.N, b.MeanP, b.Observed)
	}
	fmt.Printf("\n| from the end of | forecasts | Brier score | Brier, true probabilities | in the 10–90 %% range |\n|---|---|---|---|---|\n")
	byMonth := map[time.Month][]outlook.Prediction{}
	for _, p := range ps {
		_, m, _ := p.AsOf.Date()
		byMonth[m] = append(byMonth[m], p)
	}
	for m := time.January; m <= time.December; m++ {
		if len(byMonth[m]) == 0 {
			continue
		}
		ms := outlook.Summarize(byMonth[m])
		truth := "—"
		if ms.BrierTrue > 0 {
			truth = fmt.Sprintf("%.3f", ms.BrierTrue)
		}
		fmt.Printf("| %s | %d | %.3f | %s | %.0f %% |\n", m, ms.N, ms.Brier, truth, 100*ms.Coverage80)
	}
	fmt.Printf("\n(%s)\n", took.Round(time.Second))
}

// demo runs the configuration's simulate source over its stations for the years to last
// and returns the network's daily values of all the stations as one area.
func demo(path string, last, years int) (map[int][]airquality.DayValues, error) {
	cfg, err := config.LoadFile(path)
	if err != nil {
		return nil, err
	}
	var seed uint64
	found := false
	for _, s := range cfg.Sources {
		if s.Kind == "simulate" && s.Simulate != nil {
			seed, found = s.Simulate.Seed, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("%s: no simulate source", path)
	}
	var codes []string
	for _, st := range cfg.Stations {
		codes = append(codes, st.Code)
	}
	net := airquality.NewNetwork(airquality.CityOptions{MinStations: 1})
	for _, c := range codes {
		net.AddStation(c)
	}
	if err := net.SetArea("demo", codes); err != nil {
		return nil, err
	}
	src := simulate.New(seed, codes, nil, 0)
	first := last - years + 1
	from := time.Date(first, 1, 1, 0, 0, 0, 0, airquality.Shanghai)
	for m := from; m.Year() <= last; m = m.AddDate(0, 1, 0) {
		rs, err := src.Readings(context.Background(), m, m.AddDate(0, 1, 0))
		if err != nil {
			return nil, err
		}
		if err := apply(net, rs); err != nil {
			return nil, err
		}
	}
	hist := map[int][]airquality.DayValues{}
	for y := first; y <= last; y++ {
		hist[y] = net.AreaDays("demo", airquality.Year(y))
	}
	return hist, nil
}

func apply(net *airquality.Network, rs []reading.Reading) error {
	for _, r := range rs {
		i, ok := net.Station(r.Site)
		if !ok {
			continue
		}
		for _, v := range r.Values {
			p, ok := airquality.ParsePollutant(v.Code)
			if !ok {
				continue
			}
			if err := net.Series(i).Set(r.End.Unix(), p, v.V); err != nil {
				return fmt.Errorf("%s %s %s: %w", r.Site, r.End, v.Code, err)
			}
		}
	}
	return nil
}

// readDaily reads `envwatch report --daily` files: the rows of one site, by year.
func readDaily(files []string, site string) (map[int][]airquality.DayValues, string, error) {
	byDay := map[airquality.Day]airquality.DayValues{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, "", err
		}
		r := csvrec.NewReader(f, csvrec.Limits{})
		var cols map[string]int
		line := 0
		for {
			rec, err := r.Read()
			line++
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return nil, "", fmt.Errorf("%s:%d: %w", name, line, err)
			}
			if cols == nil {
				cols = map[string]int{}
				for i, h := range rec {
					cols[h] = i
				}
				for _, need := range []string{"site", "date", "pm2_5", "pm10", "so2", "no2", "co", "o3_8h"} {
					if _, ok := cols[need]; !ok {
						f.Close()
						return nil, "", fmt.Errorf("%s:1: no column %q (not an `envwatch report --daily` file)", name, need)
					}
				}
				continue
			}
			if site == "" {
				site = rec[cols["site"]]
			}
			if rec[cols["site"]] != site {
				continue
			}
			d, err := airquality.ParseDay(rec[cols["date"]])
			if err != nil {
				f.Close()
				return nil, "", fmt.Errorf("%s:%d: date: %w", name, line, err)
			}
			v := airquality.DayValues{Day: d}
			for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
				col := p.Code()
				if p == airquality.O3 {
					col = "o3_8h"
				}
				s := strings.TrimSpace(rec[cols[col]])
				if s == "" {
					continue
				}
				x, ok := new(big.Rat).SetString(s)
				if !ok || x.Sign() < 0 {
					f.Close()
					return nil, "", fmt.Errorf("%s:%d: %s: not a concentration: %q", name, line, col, s)
				}
				v.Conc[p] = airquality.Stat{Value: x, N: 24}
			}
			if i, ok := cols["o3_1h_max"]; ok && strings.TrimSpace(rec[i]) != "" {
				x, ok := new(big.Rat).SetString(strings.TrimSpace(rec[i]))
				if !ok || x.Sign() < 0 {
					f.Close()
					return nil, "", fmt.Errorf("%s:%d: o3_1h_max: not a concentration: %q", name, line, rec[i])
				}
				v.O3Max1h = airquality.Stat{Value: x, N: 24}
			}
			byDay[d] = v
		}
		f.Close()
	}
	hist := map[int][]airquality.DayValues{}
	for _, v := range byDay {
		hist[v.Day.Year()] = append(hist[v.Day.Year()], v)
	}
	for y := range hist {
		sort.Slice(hist[y], func(i, j int) bool { return hist[y][i].Day < hist[y][j].Day })
	}
	return hist, site, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "backtest:", err)
	os.Exit(1)
}
