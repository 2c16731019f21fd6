package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/internal/testenv"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
)

// faultRig is a pipeline with a real InfluxDB sink and a real state store.
type faultRig struct {
	st  *store.Store
	pl  *pipeline.Pipeline
	reg *prometheus.Registry
	w   *influx.Writer
}

func newRig(t *testing.T, url, db string, spoolMax int64, stateDir string) *faultRig {
	t.Helper()
	st, err := store.Open(stateDir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	w := influx.New(influx.Options{URL: url, Bucket: db, Timeout: time.Second, BatchSize: 500}, reg)
	pl := pipeline.New([]pipeline.Site{{Kind: reading.Air, Code: "S1", Area: "a"}}, airquality.NewNetwork(airquality.CityOptions{}), w, reg,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := pl.UseState(st, spoolMax); err != nil {
		t.Fatal(err)
	}
	return &faultRig{st: st, pl: pl, reg: reg, w: w}
}

func (r *faultRig) close() { r.w.Close(); r.st.Close() }

// batch is hour i of a stream: one reading, one value.
func batch(i int) *reading.Batch {
	end := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i+1) * time.Hour)
	return &reading.Batch{Source: "stream", Readings: []reading.Reading{{Kind: reading.Air, Site: "S1", End: end,
		Values: []reading.Value{{Code: "pm2_5", V: fixed.Int(int64(10 + i%90)), Flag: "N"}}}}}
}

func counter(reg *prometheus.Registry, name, label string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		total := 0.0
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label || label == "" {
					total += m.GetCounter().GetValue()
				}
			}
			if len(m.GetLabel()) == 0 {
				total += m.GetCounter().GetValue()
			}
		}
		return total
	}
	return 0
}

// (a) influxd stops for 12 s in the middle of a stream while batches arrive at 100 a
// second, and starts again: InfluxDB ends with exactly the points sent, none twice, and
// during the outage the write requests follow the replayer's back-off (1 s doubling), not
// the arrival rate.
func TestFaultInfluxDBOutage(t *testing.T) {
	dir := t.TempDir()
	d := influxdFor(t, dir, "outage")
	ctx := context.Background()
	rig := newRig(t, d.URL, "outage", 0, filepath.Join(dir, "state"))
	defer rig.close()
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go rig.pl.Replay(rctx)

	n := 0
	send := func() {
		if _, err := rig.pl.Handle(ctx, batch(n)); err != nil {
			t.Fatalf("batch %d: %v", n, err)
		}
		n++
	}
	for range 40 {
		send()
		time.Sleep(10 * time.Millisecond)
	}
	d.Stop() // outage
	requests := func() float64 { return counter(rig.reg, "envwatch_influxdb_write_requests_total", "error") }
	before := requests()
	outage := time.Now()
	for time.Since(outage) < 12*time.Second {
		send()
		time.Sleep(10 * time.Millisecond)
	}
	during := requests() - before
	if err := d.Restart(); err != nil {
		t.Fatal(err)
	}
	for range 40 {
		send()
		time.Sleep(10 * time.Millisecond)
	}
	if err := rig.pl.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// One or two direct writes find InfluxDB down (one may be in flight as it stops); the
	// replayer then tries after 1, 2 and 4 s (at 1, 3 and 7 s, next at 15 s;
	// pipeline.TestReplaySchedule has the whole schedule): at most six failed requests in
	// 12 s, one of slack, whatever the ~1,200 batches that arrived meanwhile.
	t.Logf("%v failed write requests during the outage, %d batches", during, n-80)
	if during > 6 || during < 2 {
		t.Errorf("%v failed write requests during a 12-s outage with %d batches; want the back-off schedule (2–6)", during, n-80)
	}
	if got := influxCount(t, d, "outage", "SELECT count(pm2_5) FROM air_hourly"); got != float64(n) {
		t.Errorf("InfluxDB holds %v points, want %d", got, n)
	}
	spooled := counter(rig.reg, "envwatch_spool_points_total", "spooled")
	failed := counter(rig.reg, "envwatch_influxdb_points_failed_total", "")
	if spooled < float64(n-80) || failed < 1 || failed > spooled {
		t.Errorf("spooled %v, failed %v: every point of the outage spooled, a point counted failed at most once", spooled, failed)
	}
	if retries := counter(rig.reg, "envwatch_influxdb_retry_points_failed_total", ""); retries < 1 || retries > during {
		t.Errorf("failed retries %v, want between 1 and the %v failed requests", retries, during)
	}
	if st, _ := rig.st.SpoolStats(); st.Entries != 0 {
		t.Errorf("spool not drained: %+v", st)
	}
}

// (c) InfluxDB answering slowly (a proxy adding latency beyond the write timeout): writes
// time out and are spooled; when latency drops the spool drains and the counts are exact.
func TestFaultSlowInfluxDB(t *testing.T) {
	dir := t.TempDir()
	d := influxdFor(t, dir, "slow")
	ctx := context.Background()
	p, err := testenv.NewProxy(strings.TrimPrefix(d.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rig := newRig(t, "http://"+p.Addr, "slow", 0, filepath.Join(dir, "state"))
	defer rig.close()
	p.SetLatency(1500 * time.Millisecond) // > the writer's 1 s timeout
	for i := 0; i < 5; i++ {
		if _, err := rig.pl.Handle(ctx, batch(i)); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := rig.st.SpoolStats(); st.Points != 5 {
		t.Fatalf("spooled %d points, want 5 (all writes timed out)", st.Points)
	}
	p.SetLatency(0)
	if err := rig.pl.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := influxCount(t, d, "slow", "SELECT count(pm2_5) FROM air_hourly"); got != 5 {
		t.Errorf("InfluxDB holds %v points, want 5", got)
	}
}

// (e) The spool fills while InfluxDB is away: the refusal is counted and returned to the
// source (which keeps the data: its mark does not move); nothing already accepted is lost.
func TestFaultSpoolFull(t *testing.T) {
	dir := t.TempDir()
	rig := newRig(t, "http://127.0.0.1:1", "full", 4096, filepath.Join(dir, "state"))
	ctx := context.Background()
	accepted := 0
	var refusedAt int
	for i := 0; i < 200; i++ {
		b := batch(i)
		b.Mark = b.Readings[0].End
		_, err := rig.pl.Handle(ctx, b)
		if errors.Is(err, store.ErrSpoolFull) {
			refusedAt = i
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		accepted++
	}
	if refusedAt == 0 || counter(rig.reg, "envwatch_spool_points_total", "refused") != 1 {
		t.Fatalf("spool never full (accepted %d)", accepted)
	}
	mark, _, _ := rig.st.HighWater("stream")
	if !mark.Equal(batch(accepted - 1).Readings[0].End) {
		t.Errorf("mark %v: the refused batch must not move it", mark)
	}
	rig.close()
	// InfluxDB comes back: everything accepted reaches it.
	d := influxdFor(t, dir, "full")
	rig2 := newRig(t, d.URL, "full", 4096, filepath.Join(dir, "state"))
	defer rig2.close()
	if err := rig2.pl.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := influxCount(t, d, "full", "SELECT count(pm2_5) FROM air_hourly"); got != float64(accepted) {
		t.Errorf("InfluxDB holds %v points, %d were accepted", got, accepted)
	}
}

// (b) kill -9 envwatch during a backfill and run it again: the counts are exact.
func TestFaultKillDuringBackfill(t *testing.T) {
	dir := t.TempDir()
	d := influxdFor(t, dir, "envwatch") // skips under -short, before the build
	bin := filepath.Join(dir, "envwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cfgPath := exampleConfig(t, dir, "c.yaml", d.URL)
	args := []string{"backfill", "--config", cfgPath, "--source", "demo", "--from", "2024-01-01", "--to", "2024-06-30"}

	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed once part of the backfill is in InfluxDB (a condition, not a guess of timing).
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if influxCount(t, d, "envwatch", "SELECT count(pm2_5) FROM air_hourly") > 0 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	partial := influxCount(t, d, "envwatch", "SELECT count(pm2_5) FROM air_hourly")

	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	want := simulateCount(t)
	if partial == 0 || partial >= float64(want) {
		t.Errorf("killed at %v of %d points: not during the backfill", partial, want)
	}
	if got := influxCount(t, d, "envwatch", "SELECT count(pm2_5) FROM air_hourly"); got != float64(want) {
		t.Errorf("after kill -9 at %v points and a re-run: %v points, want %d", partial, got, want)
	}
	t.Logf("killed at %v of %d points", partial, want)
}

// simulateCount is what the demo source generates for the backfill window (10 stations ×
// 182 days × 24 h, less the simulator's ~1 % missing hours).
func simulateCount(t *testing.T) int {
	stations := []string{"1812A", "1814A", "1815A", "1816A", "1817A", "3340A", "3341A", "3593A", "3635A", "3636A"}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, airquality.Shanghai)
	rs, err := simulate.New(2022, stations, nil, 0).Readings(context.Background(), from, from.AddDate(0, 6, 0))
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// A batch InfluxDB refuses permanently (a field-type conflict) becomes a dead letter that
// `envwatch spool list|retry|drop` manages.
func TestDeadLettersAndSpoolCommand(t *testing.T) {
	dir := t.TempDir()
	d := influxdFor(t, dir, "dead")
	ctx := context.Background()
	// pm2_5 becomes a string field below: later float writes conflict (HTTP 400).
	state := filepath.Join(dir, "state")
	rig := newRig(t, d.URL, "dead", 0, state)
	if _, err := rig.w.WriteLines(ctx, []byte("air_hourly,station=S1 pm2_5=\"text\" 1640998800\n")); err != nil {
		t.Fatal(err)
	}
	// Force the batch through the spool: stop InfluxDB, handle, restart, replay.
	d.Stop()
	if _, err := rig.pl.Handle(ctx, batch(0)); err != nil {
		t.Fatal(err)
	}
	if err := d.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := rig.pl.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	rig.close()
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte("state_dir: "+state+"\n"), 0o600)
	var out strings.Builder
	if code := run(ctx, []string{"spool", "list", "--config", cfgPath}, nil, &out, &out); code != 0 {
		t.Fatalf("spool list: %s", out.String())
	}
	if !strings.Contains(out.String(), "dead letters: 1") || !strings.Contains(out.String(), "field type conflict") {
		t.Errorf("spool list:\n%s", out.String())
	}
	out.Reset()
	run(ctx, []string{"spool", "drop", "--config", cfgPath}, nil, &out, &out)
	if !strings.Contains(out.String(), "1 dead letters deleted") {
		t.Errorf("spool drop: %s", out.String())
	}
}
