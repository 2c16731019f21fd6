// Command rawwrite measures what InfluxDB itself accepts: it reads the generated CNEMC files,
// turns each row into the same line-protocol point envwatch writes, and posts batches of
// 5,000 with 2 concurrent writers to /api/v2/write — no validation, no engines, no state.
// With -shape telegraf it writes the point Telegraf's csv input makes of the same row: one
// tag (the station) and six float fields — the lightest point of the data, the limit
// InfluxDB sets. The aqi shapes measure what carrying the hourly AQI costs: -shape aqi
// adds `aqi` and `primary` to envwatch's raw point, aqi-all all ten fields of the hourly
// AQI, and separate writes them as their own air_hourly_aqi point (envwatch before round 2).
//
//	go run ./bench/rawwrite -url http://127.0.0.1:8086 -bucket raw -dir bench/out/national/cnemc [-shape telegraf]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8086", "InfluxDB URL")
	bucket := flag.String("bucket", "raw", "bucket (db or db/rp)")
	dir := flag.String("dir", "bench/out/national/cnemc", "CNEMC files")
	batch := flag.Int("batch", 5000, "points per request")
	writers := flag.Int("writers", 2, "concurrent writers")
	shape := flag.String("shape", "envwatch", "point shape: envwatch (envwatch's raw point), telegraf (1 tag, 6 floats), aqi, aqi-all or separate")
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
			switch *shape {
			case "telegraf":
				buf = appendOneTag(buf, &rs[i])
			case "aqi", "aqi-all":
				buf = influx.AppendReading(buf, &rs[i], influx.Tags{Area: "x"})
				buf = appendAQI(buf[:bytes.LastIndexByte(buf[:len(buf)-1], ' ')], &rs[i], *shape == "aqi-all")
			case "separate":
				buf = influx.AppendReading(buf, &rs[i], influx.Tags{Area: "x"})
				buf = append(buf, "air_hourly_aqi,station="...)
				buf = append(buf, rs[i].Site...)
				buf = append(buf, ",area=x"...)
				buf = appendAQI(buf, &rs[i], true)
				lines++
			default:
				buf = influx.AppendReading(buf, &rs[i], influx.Tags{Area: "x"})
			}
			if lines++; lines >= *batch {
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
	fmt.Printf("rawwrite (%s): %d points in %.1f s = %.0f points/s (%d failed)\n", *shape, points, el, float64(points)/el, failed)
}

// appendOneTag is Telegraf's point of a row: air_hourly,station=S pm2_5=…,…,o3=… <seconds>.
func appendOneTag(buf []byte, r *reading.Reading) []byte {
	buf = append(buf, "air_hourly,station="...)
	buf = append(buf, r.Site...)
	sep := byte(' ')
	for _, v := range r.Values {
		buf = append(buf, sep)
		buf = append(buf, v.Code...)
		buf = append(buf, '=')
		buf = append(buf, v.V.String()...)
		sep = ','
	}
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, r.End.Unix(), 10)
	return append(buf, '\n')
}

// appendAQI appends the hourly AQI fields of r and its timestamp; a space starts the
// field set unless buf ends inside one (after the raw point's last field).
func appendAQI(buf []byte, r *reading.Reading, all bool) []byte {
	var vals [airquality.NumPollutants]airquality.Value
	for _, v := range r.Values {
		if pol, ok := airquality.ParsePollutant(v.Code); ok {
			vals[pol] = airquality.Some(v.V)
		}
	}
	in := airquality.HourlyFrom(&vals)
	res := airquality.Hourly(airquality.V2012, &in)
	sep := byte(' ')
	if buf[len(buf)-1] == '"' || (buf[len(buf)-1] >= '0' && buf[len(buf)-1] <= '9') {
		sep = ','
	}
	aqi := -1
	if !res.NA {
		aqi = res.AQI
	}
	buf = append(buf, sep)
	buf = append(buf, "aqi="...)
	buf = strconv.AppendInt(buf, int64(aqi), 10)
	primary := ""
	if !res.NA && res.AQI > 50 {
		primary = res.Primary.Join("+")
	}
	buf = append(buf, ",primary=\""...)
	buf = append(buf, primary...)
	buf = append(buf, '"')
	if all {
		for _, it := range []airquality.Item{airquality.ItemPM25, airquality.ItemPM10, airquality.ItemSO2, airquality.ItemNO2, airquality.ItemCO, airquality.ItemO3} {
			buf = append(buf, ",iaqi_"...)
			buf = append(buf, it.Pollutant().Code()...)
			buf = append(buf, '=')
			n := -1
			if res.Computed.Has(it) {
				n = res.IAQI[it].Value
			}
			buf = strconv.AppendInt(buf, int64(n), 10)
		}
		buf = append(buf, ",valid=1,edition=\"2012\""...)
	}
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, r.End.Unix(), 10)
	return append(buf, '\n')
}
