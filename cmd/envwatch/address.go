package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/envwatch/envwatch/config"
)

// addressFile is where a running envwatch writes the base URL it serves on, in its state
// directory: the commands beside it (report, assess, backfill, spool, rebuild) find it
// there at once, on whatever port it listens, instead of waiting for the state store's
// lock and guessing the port.
const addressFile = "envwatch.url"

// serviceURL is the base URL a local client reaches the listener at: the first listen
// address, a wildcard host as loopback, https when the web configuration sets TLS.
func serviceURL(fc *web.FlagConfig) string {
	addr := ":9065"
	if fc != nil && fc.WebListenAddresses != nil && len(*fc.WebListenAddresses) > 0 {
		addr = (*fc.WebListenAddresses)[0]
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	scheme := "http"
	if fc != nil && fc.WebConfigFile != nil && *fc.WebConfigFile != "" {
		if _, cert, err := readWebFile(*fc.WebConfigFile); err == nil && cert != nil {
			scheme = "https"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// writeAddress records the service's URL in the state directory; the returned function
// removes it (on shutdown).
func writeAddress(stateDir, url string) func() {
	if url == "" {
		return func() {}
	}
	p := filepath.Join(stateDir, addressFile)
	if err := os.WriteFile(p, []byte(url+"\n"), 0o600); err != nil {
		return func() {}
	}
	return func() { os.Remove(p) }
}

// beside says whether an envwatch runs beside this command on the configuration's state
// directory and answers: it then holds the state store, and the command asks it over the
// API at once (no lock wait). The URL it recorded becomes the default of --url.
func (r *remoteFlags) beside(configFile string) bool {
	cfg, err := config.LoadFile(configFile)
	if err != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(cfg.StateDir, addressFile))
	if err != nil {
		return false
	}
	url := strings.TrimSpace(string(b))
	if url == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/-/healthy", nil)
	if err != nil {
		return false
	}
	// Any answer (401 behind basic auth, TLS refused to a plain client …) means a
	// service listens there; a stale file after a crash answers nothing.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	} else if !strings.Contains(err.Error(), "certificate") && !strings.Contains(err.Error(), "tls") {
		return false
	}
	if r.url == "" {
		r.url = url
	}
	return true
}
