// Command rawwrite measures what InfluxDB itself accepts: it reads the generated CNEMC files,
// turns each row into the same line-protocol point envwatch writes, and posts batches of
// 5,000 with 2 concurrent writers to /api/v2/write — no validation, no engines, no state.
//
//	go run ./bench/rawwrite -url http://127.0.0.1:8086 -bucket raw -dir bench/out/national/cnemc
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/sink/influx"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8086", "InfluxDB URL")
	bucket := flag.String("bucket", "raw", "bucket (db or db/rp)")
	dir := flag.String("dir", "bench/out/national/cnemc", "CNEMC files")
	batch := flag.Int("batch", 5000, "points per request")
	writers := flag.Int("writers", 2, "concurrent writers")
	flag.Parse()
	m, _ := cnemc.Preset(cnemc.PresetCNEMC)
	p := &cnemc.Parser{Mapping: m, Location: airquality.Shanghai}
	batches := make(chan []byte, 4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	points, failed := 0, 0
	start := time.Now()
	for i := 0; i < *writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				n := bytes.Count(b, []byte{'\n'})
				resp, err := http.Post(*url+"/api/v2/write?bucket="+*bucket+"&precision=s", "text/plain", bytes.NewReader(b))
				mu.Lock()
				if err != nil || resp.StatusCode/100 != 2 {
					failed += n
				} else {
					points += n
				}
				mu.Unlock()
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}
	var buf []byte
	lines := 0
	filepath.WalkDir(*dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".csv") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		rs, _, _ := p.Parse(f, path)
		f.Close()
		for i := range rs {
			buf = influx.AppendReading(buf, &rs[i], influx.Tags{Area: "x", Source: "raw"})
			if lines++; lines == *batch {
				batches <- buf
				buf, lines = nil, 0
			}
		}
		return nil
	})
	if lines > 0 {
		batches <- buf
	}
	close(batches)
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("rawwrite: %d points in %.1f s = %.0f points/s (%d failed)\n", points, el, float64(points)/el, failed)
}
