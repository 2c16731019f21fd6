package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/envwatch/envwatch/hj212"
)

// Without --web.enable-lifecycle, POST /-/reload is refused (403) and nothing reloads;
// SIGHUP still works.
func TestReloadOverHTTPIsOffByDefault(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	write := func(source string) {
		os.WriteFile(cfgPath, []byte(`state_dir: `+filepath.Join(dir, "state")+`
areas: [{id: ly, name: 洛阳市, kind: city}]
air_stations: [{code: 1812A, name: 市委党校, area: ly}]
sources: [{name: `+source+`, kind: simulate, simulate: {backfill_days: 1}}]
`), 0o600)
	}
	write("first")
	addr := freeAddr(t)
	startRun(t, "--config", cfgPath, "--web.listen-address", addr)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if body, _ := scrape(addr); strings.Contains(body, `envwatch_source_up{source="first"} 1`) {
			break
		}
	}
	write("second")
	resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /-/reload without --web.enable-lifecycle: %d, want 403", resp.StatusCode)
	}
	if body, _ := scrape(addr); !strings.Contains(body, `envwatch_source_up{source="first"} 1`) || strings.Contains(body, `source="second"`) {
		t.Errorf("the configuration changed without the lifecycle API:\n%s", body)
	}
}

// POST /-/reload and SIGHUP reload the configuration; an invalid file is refused and the
// running configuration keeps working (reload success is a metric).
func TestReload(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	write := func(source string) {
		os.WriteFile(cfgPath, []byte(`state_dir: `+filepath.Join(dir, "state")+`
areas: [{id: ly, name: 洛阳市, kind: city}]
air_stations: [{code: 1812A, name: 市委党校, area: ly}]
sources: [{name: `+source+`, kind: simulate, simulate: {backfill_days: 1}}]
`), 0o600)
	}
	write("first")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"run", "--config", cfgPath, "--web.listen-address", addr, "--web.enable-lifecycle"}, nil, io.Discard, logs)
	}()
	waitFor := func(what string) string {
		t.Helper()
		var body string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if body, _ = scrape(addr); strings.Contains(body, what) {
				return body
			}
		}
		t.Fatalf("metrics never showed %s; logs:\n%s", what, logs.String())
		return ""
	}
	waitFor(`envwatch_source_up{source="first"} 1`)
	post := func() int {
		resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	write("second")
	if code := post(); code != 200 {
		t.Fatalf("reload: %d; logs:\n%s", code, logs.String())
	}
	body := waitFor(`envwatch_source_up{source="second"} 1`)
	if strings.Contains(body, `source="first"`) || !strings.Contains(body, "envwatch_config_last_reload_successful 1") {
		t.Errorf("after reload:\n%s", body)
	}

	os.WriteFile(cfgPath, []byte("sources: [{name: x, kind: nope}]\n"), 0o600)
	if code := post(); code != http.StatusInternalServerError {
		t.Errorf("invalid configuration: reload answered %d, want 500", code)
	}
	body = waitFor("envwatch_config_last_reload_successful 0")
	if !strings.Contains(body, `envwatch_source_up{source="second"} 1`) {
		t.Error("the running configuration stopped after a failed reload")
	}

	write("third")
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(`envwatch_source_up{source="third"} 1`)

	// A file that validates but cannot start (its sand-dust file is missing): the previous
	// configuration runs again, readiness and source_up say so, the reload reports failure.
	os.WriteFile(cfgPath, []byte(`state_dir: `+filepath.Join(dir, "state")+`
assessment: {sand_dust_file: `+filepath.Join(dir, "missing.csv")+`}
areas: [{id: ly, name: 洛阳市, kind: city}]
air_stations: [{code: 1812A, name: 市委党校, area: ly}]
sources: [{name: fourth, kind: simulate, simulate: {backfill_days: 1}}]
`), 0o600)
	before := float64(time.Now().Unix())
	if code := post(); code != http.StatusInternalServerError {
		t.Errorf("a configuration that cannot start: reload answered %d, want 500", code)
	}
	// Running again, not a stale series: the restored source has run since the reload.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, _ := scrape(addr); metricValue(b, `envwatch_source_last_success_timestamp_seconds{source="third"}`) >= before {
			break
		}
	}
	body = waitFor(`envwatch_source_up{source="third"} 1`)
	if metricValue(body, `envwatch_source_last_success_timestamp_seconds{source="third"}`) < before {
		t.Errorf("the previous configuration was not started again (its source has not run since the reload)")
	}
	if strings.Contains(body, `source="fourth"`) || !strings.Contains(body, "envwatch_config_last_reload_successful 0") {
		t.Errorf("after a reload that could not start:\n%s", body)
	}
	if resp, err := http.Get("http://" + addr + "/-/ready"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/-/ready after the previous configuration was restored: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if !strings.Contains(logs.String(), "restoring the previous one") {
		t.Errorf("the failed start is not logged:\n%s", logs.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d; logs:\n%s", code, logs.String())
	}
}

// A reload that leaves the HJ 212 receiver's configuration as it was keeps its listener
// and its stations' connections: packets sent on the same connection before and after
// are acknowledged and counted into the new generation (the probe found every
// reload closing every connection). A reload that changes the receiver restarts it.
func TestReloadKeepsHJ212Connections(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	hjAddr := freeAddr(t)
	write := func(area string, maxConns int) {
		os.WriteFile(cfgPath, []byte(`state_dir: `+filepath.Join(dir, "state")+`
areas: [{id: ly, name: `+area+`, kind: city}]
air_stations: [{code: 1812A, name: 市委党校, area: ly}]
sources:
  - name: stations
    kind: hj212
    hj212:
      listen: `+hjAddr+`
      max_connections: `+strconv.Itoa(maxConns)+`
      devices: [{mn: MN1, kind: air, site: 1812A, password: "S3cret-pw9"}]
`), 0o600)
	}
	write("洛阳市", 64)
	addr := freeAddr(t)
	logs := startRun(t, "--config", cfgPath, "--web.listen-address", addr, "--web.enable-lifecycle")
	var c net.Conn
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && c == nil; time.Sleep(100 * time.Millisecond) {
		c, _ = net.Dial("tcp", hjAddr)
	}
	if c == nil {
		t.Fatalf("the receiver never listened; logs:\n%s", logs.String())
	}
	defer c.Close()
	br := bufio.NewReader(c)
	send := func(hour int) string {
		seg := fmt.Sprintf("QN=%d;ST=22;CN=2061;PW=S3cret-pw9;MN=MN1;Flag=5;CP=&&DataTime=202206010%d0000;a34004-Avg=35&&", hour, hour)
		if _, err := c.Write(hj212.Frame(seg)); err != nil {
			return "write: " + err.Error()
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := br.ReadString('\n')
		if err != nil {
			return "read: " + err.Error()
		}
		return line
	}
	if got := send(1); !strings.Contains(got, "CN=9014") {
		t.Fatalf("before the reload: %q", got)
	}
	reload := func() {
		t.Helper()
		resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("reload: %d; logs:\n%s", resp.StatusCode, logs.String())
		}
	}
	write("洛阳", 64) // the area's name changes, the receiver's configuration does not
	reload()
	if got := send(2); !strings.Contains(got, "CN=9014") {
		t.Fatalf("after a reload that kept the receiver, the same connection answered %q; logs:\n%s", got, logs.String())
	}
	body, _ := scrape(addr)
	if metricValue(body, `envwatch_hj212_packets_total{result="accepted",source="stations"}`) != 2 ||
		metricValue(body, `envwatch_source_up{source="stations"}`) != 1 {
		t.Errorf("after the reload: want 2 accepted packets and the source up:\n%s", body)
	}
	write("洛阳", 32) // the receiver's limits change: it restarts, its connections close
	reload()
	if got := send(3); strings.Contains(got, "CN=9014") {
		t.Errorf("after a reload that changed the receiver, the old connection still answered %q", got)
	}
}
