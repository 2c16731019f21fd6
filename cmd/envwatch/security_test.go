package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/service"
	"github.com/prometheus/client_golang/prometheus"
)

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "envwatch-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

const (
	// Reserved characters of URLs, base64 and logfmt: every encoded form must be masked.
	secretToken  = "influx+TOKEN/s3cret=9f2c"
	secretAPIKey = "apikey+S3CRET/77aa==&x"
	secretPW     = "hj212+pw/S3CRET=41"
)

// /metrics over TLS with basic auth (exporter-toolkit web config), and secrets — the
// InfluxDB token, an API key, an HJ 212 password — appear nowhere: not in debug logs, not in
// /metrics, not in check-config output.
func TestTLSBasicAuthAndSecrets(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	hash, _ := bcrypt.GenerateFromPassword([]byte("right-password"), bcrypt.MinCost)
	webCfg := filepath.Join(dir, "web.yml")
	os.WriteFile(webCfg, []byte(fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  bureau: %s\n", certFile, keyFile, hash)), 0o600)

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized) // make the source fail and log
	}))
	defer api.Close()
	t.Setenv("TEST_INFLUX_TOKEN", secretToken)
	t.Setenv("TEST_API_KEY", secretAPIKey)
	t.Setenv("TEST_HJ212_PW", secretPW)
	hjAddr := freeAddr(t)
	cfg := fmt.Sprintf(`state_dir: %s
areas: [{id: ly, name: 洛阳市, kind: city}]
air_stations: [{code: 1812A, name: 市委党校, area: ly}]
sources:
  - name: api
    kind: http_json
    schedule: "@every 1s"
    http_json:
      url: %s/{{.ID}}?key=%s
      stations: {"7001": 1812A}
      api_key_env: TEST_API_KEY
      api_key_param: token
      records: results
      time: t
      value: v
      pollutant: p
  - name: stations
    kind: hj212
    hj212:
      listen: %s
      devices: [{mn: MN1, kind: air, site: 1812A, password_env: TEST_HJ212_PW}]
influxdb:
  url: http://127.0.0.1:1
  bucket: envwatch
  token_env: TEST_INFLUX_TOKEN
  timeout: 1s
`, filepath.Join(dir, "state"), api.URL, "{{.ID}}", hjAddr)
	// the URL template carries the key only through api_key_param, never literally
	cfg = strings.Replace(cfg, "?key={{.ID}}", "", 1)
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte(cfg), 0o600)

	addr := freeAddr(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", cfgPath, "--web.listen-address", addr, "--web.config.file", webCfg, "--log.level", "debug"},
			nil, io.Discard, logs)
	}()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(user, pass string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "https://"+addr+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var code int
	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code, body = get("bureau", "right-password"); code == 200 && strings.Contains(body, `envwatch_source_up{source="api"} 0`) {
			break
		}
	}
	if code != 200 {
		t.Fatalf("right password: %d %.200s\nlogs:\n%s", code, body, logs.String())
	}
	if c, _ := get("bureau", "wrong"); c != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", c)
	}
	if c, _ := get("", ""); c != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", c)
	}
	// The API is behind the same TLS and basic auth.
	for _, path := range []string{"/api/v1/sites", "/api/v1/report?area=ly&year=2026"} {
		req, _ := http.NewRequest(http.MethodGet, "https://"+addr+path, nil)
		if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: %v %v, want 401", path, resp, err)
		} else {
			resp.Body.Close()
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "https://"+addr+"/api/v1/spool/drop", nil)
	req.SetBasicAuth("bureau", "right-password")
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /api/v1/spool/drop authenticated but admin API off: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}
	if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(b), "envwatch_") {
			t.Error("plain HTTP served metrics on a TLS listener")
		}
	}
	// A station with a wrong password: refused without logging the passwords.
	if c, err := net.Dial("tcp", hjAddr); err == nil {
		seg := "QN=1;ST=22;CN=2061;PW=wrong-one;MN=MN1;Flag=5;CP=&&DataTime=20220601080000;a34004-Avg=35&&"
		c.Write([]byte(fmt.Sprintf("##%04d%s%04X\r\n", len(seg), seg, crc16(seg))))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.ReadAll(io.LimitReader(c, 200))
		c.Close()
	}
	// Wait for failing runs to be logged (the secrets must not be in those logs either).
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && strings.Count(logs.String(), "source run failed") < 2; time.Sleep(50 * time.Millisecond) {
	}
	_, body = get("bureau", "right-password")
	// The container health check reads the same web configuration: TLS and basic auth.
	hc := func(pw string) (int, string) {
		t.Setenv("ENVWATCH_API_PASSWORD", pw)
		var out bytes.Buffer
		code := run(context.Background(), []string{"healthcheck", "--url", "https://" + addr + "/-/healthy", "--web.config.file", webCfg}, nil, &out, &out)
		return code, out.String()
	}
	if code, out := hc("right-password"); code != 0 {
		t.Errorf("healthcheck with the web configuration: exit %d: %s", code, out)
	}
	if code, out := hc("wrong"); code != 1 || !strings.Contains(out, "401") || strings.Contains(out, "wrong") {
		t.Errorf("healthcheck with a wrong password: exit %d: %s", code, out)
	}
	// The variable's former name still works when the new one is unset.
	t.Setenv("ENVWATCH_API_PASSWORD", "")
	t.Setenv("ENVWATCH_HEALTHCHECK_PASSWORD", "right-password")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "--url", "https://" + addr + "/-/healthy", "--web.config.file", webCfg}, nil, &out, &out); code != 0 {
		t.Errorf("healthcheck with the former variable: exit %d: %s", code, out.String())
	}
	cancel()
	<-done

	var check bytes.Buffer
	run(context.Background(), []string{"check-config", cfgPath}, nil, &check, &check)
	for name, text := range map[string]string{"logs": logs.String(), "/metrics": body, "check-config": check.String()} {
		for _, s := range []string{secretToken, secretAPIKey, secretPW} {
			for _, form := range secret.Encodings(s) {
				if strings.Contains(text, form) {
					t.Errorf("%s contains the secret %q as %q", name, s, form)
				}
			}
		}
	}
	if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "source run failed") {
		t.Errorf("the test did not exercise debug and failure logging:\n%.2000s", logs.String())
	}
}

// crc16 is HJ 212's CRC, here to forge a test packet without importing the codec's tests.
func crc16(s string) uint16 {
	reg := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		reg = (reg >> 8) ^ uint16(s[i])
		for j := 0; j < 8; j++ {
			lsb := reg & 1
			reg >>= 1
			if lsb != 0 {
				reg ^= 0xA001
			}
		}
	}
	return reg
}

// The mutating endpoints are refused on an open listener without a web configuration (run
// exits 2 before listening), allowed on loopback; a browser's cross-origin POST is refused
// whatever the setting.
func TestAdminEndpointsSafeByConstruction(t *testing.T) {
	dir := t.TempDir()
	p := exampleConfig(t, dir, "c.yaml", "http://127.0.0.1:1", "backfill_days: 1100", "backfill_days: 0")
	for _, flags := range [][]string{{"--web.enable-admin-api"}, {"--web.enable-lifecycle"}} {
		var errb bytes.Buffer
		args := append([]string{"run", "--config", p, "--web.listen-address", ":0"}, flags...)
		if code := run(context.Background(), args, nil, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), "need --web.config.file") {
			t.Errorf("%v on :0: exit %d, %s", flags, code, errb.String())
		}
	}
	h := service.DownRoutes(service.Options{Lifecycle: true, AdminAPI: true}, prometheus.NewRegistry(), errors.New("down"), func() error { return nil })
	for _, hdr := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}} {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9065/-/reload", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("cross-origin POST /-/reload with %v: %d, want 403", hdr, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9065/-/reload", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("POST /-/reload from curl: %d %s", rec.Code, rec.Body.String())
	}
}
