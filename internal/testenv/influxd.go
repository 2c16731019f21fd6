// Package testenv starts the real servers tests run against: an InfluxDB 1.8.3 process
// on a free loopback port with its data in a temporary directory.
package testenv

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Influxd is a running influxd.
type Influxd struct {
	URL  string
	dir  string
	cmd  *exec.Cmd
	done chan error
	port int
}

// influxConf is the configuration of a throwaway influxd: data under {{DIR}}, HTTP on
// 127.0.0.1:{{PORT}}, Flux on, reporting and logging off. The scripts (scripts/run.sh,
// bench/) read the same file through scripts/influxd.conf.sh.
//
//go:embed influxd.conf
var influxConf string

// InfluxdBinary finds the pinned influxd: $ENVWATCH_INFLUXD, else bin/influxd in the
// repository (installed by `make tools`).
func InfluxdBinary() (string, error) {
	if p := os.Getenv("ENVWATCH_INFLUXD"); p != "" {
		return p, nil
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	p := filepath.Join(root, "bin", "influxd")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("influxd not found at %s: run `make tools` (it installs github.com/influxdata/influxdb/cmd/influxd@v1.8.3): %w", p, err)
	}
	return p, nil
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartInfluxd starts influxd in dir and waits until /health answers.
func StartInfluxd(dir string) (*Influxd, error) {
	bin, err := InfluxdBinary()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a port can be taken between probe and bind
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		d, err := startOn(bin, dir, port)
		if err == nil {
			return d, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// StartInfluxdOn starts influxd in dir on a given loopback port (a test that needs the
// default port 8086 taken by a second server).
func StartInfluxdOn(dir string, port int) (*Influxd, error) {
	bin, err := InfluxdBinary()
	if err != nil {
		return nil, err
	}
	return startOn(bin, dir, port)
}

// Integration skips a test under -short: it needs the pinned tools in ./bin (influxd,
// promtool, amtool) or runs for seconds. `make test` runs everything; `go test -short ./...`
// the pure tests, without tools.
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped under -short (needs ./bin tools or real time)")
	}
}

// Lazy is one influxd shared by a package's tests, started by the first test that asks
// for it (so that a package's pure tests run without it).
type Lazy struct {
	once sync.Once
	dir  string
	d    *Influxd
	err  error
}

// Get returns the shared influxd, starting it on first use; it skips under -short.
func (l *Lazy) Get(t testing.TB) *Influxd {
	t.Helper()
	Integration(t)
	l.once.Do(func() {
		if l.dir, l.err = os.MkdirTemp("", "envwatch-influxd-"); l.err == nil {
			l.d, l.err = StartInfluxd(l.dir)
		}
	})
	if l.err != nil {
		t.Fatalf("starting influxd: %v", l.err)
	}
	return l.d
}

// Main runs a package's tests and stops the shared influxd if one was started.
func Main(m interface{ Run() int }, l *Lazy) {
	code := m.Run()
	if l.d != nil {
		l.d.Stop()
	}
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
	os.Exit(code)
}

func startOn(bin, dir string, port int) (*Influxd, error) {
	conf := strings.NewReplacer("{{DIR}}", dir, "{{PORT}}", fmt.Sprint(port)).Replace(influxConf)
	confPath := filepath.Join(dir, "influxdb.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "influxd.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-config", confPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting influxd: %w", err)
	}
	d := &Influxd{URL: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir, cmd: cmd, done: make(chan error, 1), port: port}
	go func() { d.done <- cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-d.done:
			log, _ := os.ReadFile(filepath.Join(dir, "influxd.log"))
			return nil, fmt.Errorf("influxd exited early (%v): %s", err, tail(string(log), 800))
		default:
		}
		resp, err := http.Get(d.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.Stop()
	return nil, errors.New("influxd did not become healthy within 60 s")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Port is the HTTP port.
func (d *Influxd) Port() int { return d.port }

// Query runs an InfluxQL statement over the v1 /query endpoint and returns the JSON body.
func (d *Influxd) Query(ctx context.Context, db, q string) ([]byte, error) {
	form := url.Values{"q": {q}}
	if db != "" {
		form.Set("db", db)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL+"/query", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32*1024)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("query %q: HTTP %d: %s", q, resp.StatusCode, b.String())
	}
	return []byte(b.String()), nil
}

// Values runs an InfluxQL query and returns the values of its first series (nil when it
// has none); an error of the statement is an error.
func (d *Influxd) Values(ctx context.Context, db, q string) ([][]any, error) {
	b, err := d.Query(ctx, db, q)
	if err != nil {
		return nil, err
	}
	var res struct {
		Results []struct {
			Series []struct {
				Values [][]any `json:"values"`
			} `json:"series"`
			Error string `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("query %q: %w", q, err)
	}
	if len(res.Results) == 0 || res.Results[0].Error != "" {
		return nil, fmt.Errorf("query %q: %s", q, b)
	}
	if len(res.Results[0].Series) == 0 {
		return nil, nil
	}
	return res.Results[0].Series[0].Values, nil
}

// CreateDatabase creates a database (and, if rp is not empty, a retention policy on it).
func (d *Influxd) CreateDatabase(ctx context.Context, db, rp string) error {
	if _, err := d.Query(ctx, "", fmt.Sprintf("CREATE DATABASE %q", db)); err != nil {
		return err
	}
	if rp != "" {
		_, err := d.Query(ctx, "", fmt.Sprintf("CREATE RETENTION POLICY %q ON %q DURATION INF REPLICATION 1", rp, db))
		return err
	}
	return nil
}

// Stop terminates influxd (SIGTERM, then SIGKILL after 10 s). Stopping twice is harmless.
func (d *Influxd) Stop() {
	if d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
	d.cmd.Process = nil
}

// Kill stops influxd abruptly (fault injection).
func (d *Influxd) Kill() {
	if d.cmd.Process != nil {
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
		d.cmd.Process = nil
	}
}

// Restart starts a stopped (or killed) influxd again on the same port and data.
func (d *Influxd) Restart() error {
	d.Stop()
	bin, err := InfluxdBinary()
	if err != nil {
		return err
	}
	nd, err := startOn(bin, d.dir, d.port)
	if err != nil {
		return err
	}
	*d = *nd
	return nil
}

// Proxy is a loopback TCP proxy in front of a server that can add latency, for
// fault-injection tests.
type Proxy struct {
	Addr    string
	l       net.Listener
	latency atomic.Int64
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: l.Addr().String(), l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c, target)
		}
	}()
	return p, nil
}

// SetLatency delays every chunk forwarded in either direction.
func (p *Proxy) SetLatency(d time.Duration) { p.latency.Store(int64(d)) }

func (p *Proxy) serve(c net.Conn, target string) {
	defer c.Close()
	u, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer u.Close()
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32*1024)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				time.Sleep(time.Duration(p.latency.Load()))
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	done := make(chan struct{}, 2)
	go func() { pipe(u, c); done <- struct{}{} }()
	go func() { pipe(c, u); done <- struct{}{} }()
	<-done
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.l.Close() }
