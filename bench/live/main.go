// Command live writes a benchmark data set from the real CNEMC live-feed sample
// (internal/cnemcsample): the sample's five complete days as they are, or -days days from
// -start built by repeating them in turn — every file unedited but for its timepoint column
// and its name, so a month or a year of the real format, stations, gaps and markers
// ("NA", "/") can be measured (docs/performance.md, "The live feed at national scale").
//
//	go run ./bench/live -out bench/out/live              # the sample's days as they are
//	go run ./bench/live -out bench/out/live -days 31 -start 2026-07-01
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/internal/cnemcsample"
)

func main() {
	out := flag.String("out", "bench/out/live", "output directory (files go to OUT/cnemc)")
	days := flag.Int("days", 0, "days to write by repeating the sample's days (0: the sample as it is)")
	startS := flag.String("start", "2026-07-01", "first day written with -days (Asia/Shanghai)")
	flag.Parse()
	files, err := cnemcsample.Files()
	if err != nil {
		fail(err)
	}
	dir := filepath.Join(*out, "cnemc")
	if *days == 0 {
		for _, f := range files {
			if err := write(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Data); err != nil {
				fail(err)
			}
		}
		fmt.Printf("live: %d files of the sample in %s\n", len(files), dir)
		return
	}
	start, err := time.ParseInLocation(time.DateOnly, *startS, airquality.Shanghai)
	if err != nil {
		fail(err)
	}
	// A complete day of the sample: the files of hours ending 01:00 … 24:00.
	byEnd := map[time.Time][]byte{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f.Name), ".csv")
		t, err := time.ParseInLocation("2006-01-02T15", base, airquality.Shanghai)
		if err != nil {
			fail(fmt.Errorf("%s: %w", f.Name, err))
		}
		byEnd[t] = f.Data
	}
	var complete []time.Time
	for _, d := range []string{"2026-02-28", "2026-03-01", "2026-03-02", "2026-07-01", "2026-07-02"} {
		day, _ := time.ParseInLocation(time.DateOnly, d, airquality.Shanghai)
		ok := true
		for h := 1; h <= 24; h++ {
			_, ok2 := byEnd[day.Add(time.Duration(h)*time.Hour)]
			ok = ok && ok2
		}
		if ok {
			complete = append(complete, day)
		}
	}
	n := 0
	for i := 0; i < *days; i++ {
		src := complete[i%len(complete)]
		dst := start.AddDate(0, 0, i)
		for h := 1; h <= 24; h++ {
			from, to := src.Add(time.Duration(h)*time.Hour), dst.Add(time.Duration(h)*time.Hour)
			data := bytes.ReplaceAll(byEnd[from], []byte("\n"+from.Format("2006-01-02T1504")+","), []byte("\n"+to.Format("2006-01-02T1504")+","))
			name := filepath.Join(dir, to.Format("2006-01-02"), to.Format("2006-01-02T15")+".csv")
			if err := write(name, data); err != nil {
				fail(err)
			}
			n++
		}
	}
	fmt.Printf("live: %d files (%d days from %s, repeating the sample's %d complete days) in %s\n", n, *days, *startS, len(complete), dir)
}

func write(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "live:", err)
	os.Exit(1)
}
