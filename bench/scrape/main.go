// Command scrape measures envwatch at steady state: it waits until /-/ready answers, times
// the first scrape, waits until the exposition is complete (the indicators, computed in the
// background after start, are in it: envwatch_indicator_valid), scrapes /metrics n times and prints the latency, the
// exposition's size and series count, and the process's resident memory (now, peak, and
// how much of it is anonymous memory and file pages).
//
//	go run ./bench/scrape -url http://127.0.0.1:9065/metrics -pid 1234 -n 5
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:9065/metrics", "metrics URL")
	pid := flag.Int("pid", 0, "envwatch process (for its RSS)")
	n := flag.Int("n", 5, "scrapes")
	wait := flag.Duration("wait", 10*time.Minute, "how long to wait for readiness")
	flag.Parse()
	ready := strings.TrimSuffix(*url, "/metrics") + "/-/ready"
	start := time.Now()
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > *wait {
			fail(fmt.Errorf("not ready after %s: %v", *wait, err))
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("scrape: ready after %.1f s (state loaded)\n", time.Since(start).Seconds())
	body, first := get(*url)
	fmt.Printf("scrape: first scrape %s (%.2f MB)\n", ms(first), float64(len(body))/1e6)
	// envwatch_indicator_valid is there for every area and indicator once a snapshot is,
	// with data or without.
	for !bytes.Contains(body, []byte("\nenvwatch_indicator_valid{")) {
		if time.Since(start) > *wait {
			fail(fmt.Errorf("the indicators are not in the exposition after %s", *wait))
		}
		time.Sleep(time.Second)
		body, _ = get(*url)
	}
	fmt.Printf("scrape: indicators in the exposition %.1f s after start\n", time.Since(start).Seconds())
	var times []time.Duration
	for i := 0; i < *n; i++ {
		var d time.Duration
		body, d = get(*url)
		times = append(times, d)
	}
	slices.Sort(times)
	series := 0
	for _, line := range bytes.Split(body, []byte{'\n'}) {
		if len(line) > 0 && line[0] != '#' {
			series++
		}
	}
	fmt.Printf("scrape: %d scrapes, min %s, median %s, max %s; %.2f MB, %d series\n",
		len(times), ms(times[0]), ms(times[len(times)/2]), ms(times[len(times)-1]), float64(len(body))/1e6, series)
	if *pid > 0 {
		rss, hwm := status(*pid, "VmRSS:"), status(*pid, "VmHWM:")
		fmt.Printf("scrape: envwatch RSS %s now (anonymous %s, file pages %s), %s peak\n", rss, status(*pid, "RssAnon:"), status(*pid, "RssFile:"), hwm)
	}
}

// get scrapes url (gzip, as Prometheus asks) and times it.
func get(url string) ([]byte, time.Duration) {
	t0 := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		fail(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		fail(fmt.Errorf("scrape: status %d, %v", resp.StatusCode, err))
	}
	return body, time.Since(t0)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func status(pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimPrefix(line, field)), &kb)
			return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return "?"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scrape:", err)
	os.Exit(1)
}
