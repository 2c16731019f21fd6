// Package packaging holds what installs envwatch outside a container — the systemd unit,
// the nfpm package definition and their scripts — and the tests of every way of
// deploying it: release archives, .deb and .rpm, the Dockerfile, and `make run`.
package packaging

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/envwatch/envwatch/internal/testenv"
)

func repo(parts ...string) string { return filepath.Join(append([]string{".."}, parts...)...) }

func read(t *testing.T, parts ...string) string {
	t.Helper()
	b, err := os.ReadFile(repo(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unit parses a systemd unit file into section → key → values.
func unit(text string) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	sec := ""
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			sec = l[1 : len(l)-1]
			out[sec] = map[string][]string{}
		default:
			if k, v, ok := strings.Cut(l, "="); ok && sec != "" {
				out[sec][k] = append(out[sec][k], v)
			}
		}
	}
	return out
}

// The unit runs as its own user with a state directory and the usual hardening, and
// reloads on SIGHUP; systemd-analyze verifies it where systemd is installed.
func TestSystemdUnit(t *testing.T) {
	text := read(t, "packaging", "envwatch.service")
	u := unit(text)
	svc := u["Service"]
	for key, want := range map[string]string{
		"User": "envwatch", "Group": "envwatch", "StateDirectory": "envwatch", "NoNewPrivileges": "true",
		"ProtectSystem": "strict", "ProtectHome": "true", "PrivateTmp": "true", "ExecReload": "/bin/kill -HUP $MAINPID",
		"Restart": "on-failure", "CapabilityBoundingSet": "",
	} {
		if got := svc[key]; len(got) == 0 || got[0] != want {
			t.Errorf("[Service] %s = %q, want %q", key, got, want)
		}
	}
	if !strings.HasPrefix(svc["ExecStart"][0], "/usr/bin/envwatch run --config /etc/envwatch/envwatch.yaml") {
		t.Errorf("ExecStart %q", svc["ExecStart"])
	}
	if u["Install"]["WantedBy"][0] != "multi-user.target" {
		t.Errorf("[Install] %v", u["Install"])
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: the unit was checked by parsing only")
		return
	}
	// verify wants the executables to exist: point ExecStart at a real one.
	dir := t.TempDir()
	f := filepath.Join(dir, "envwatch.service")
	os.WriteFile(f, []byte(strings.Replace(text, "ExecStart=/usr/bin/envwatch", "ExecStart=/bin/true", 1)), 0o644)
	out, err := exec.Command(analyze, "verify", f).CombinedOutput()
	// Messages about the host (no user envwatch here, unrelated units) are not the unit's.
	var problems []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(l, "envwatch.service") && !strings.Contains(l, "user") && !strings.Contains(l, "User") {
			problems = append(problems, l)
		}
	}
	if len(problems) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, strings.Join(problems, "\n"))
	}
}

// The Dockerfile hands the state directory to the runtime user, stamps the version, checks
// health with the web configuration, and the build context leaves tools, state and secrets out.
func TestDockerfile(t *testing.T) {
	d := read(t, "Dockerfile")
	for _, want := range []string{
		"COPY --from=build --chown=65532:65532 /out/state /var/lib/envwatch",
		"USER 65532:65532",
		`VOLUME ["/var/lib/envwatch"]`,
		"-X github.com/prometheus/common/version.Version=${VERSION}",
		"-X github.com/prometheus/common/version.Revision=${REVISION}",
		"-X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}",
		`HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["/usr/local/bin/envwatch", "healthcheck"]`,
	} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	// The directory exists (and is owned) before the VOLUME line, so a fresh named volume
	// takes its ownership.
	if !strings.Contains(d, "/var/lib/envwatch\nUSER") && strings.Index(d, "--chown=65532:65532 /out/state /var/lib/envwatch") > strings.Index(d, "VOLUME") {
		t.Error("the state directory is created after the VOLUME")
	}
	if strings.Contains(d, "USER root") || strings.Contains(d, "--url") {
		t.Error("the image runs as root or its health check ignores the web configuration")
	}
	ignore := read(t, ".dockerignore")
	for _, want := range []string{"bin/", "var/", "deploy/secrets/", ".git"} {
		if !strings.Contains(ignore, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}

// arFiles reads the members of an ar archive (a .deb).
func arFiles(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		t.Fatal("not an ar archive")
	}
	out := map[string][]byte{}
	for p := 8; p+60 <= len(b); {
		name := strings.TrimRight(strings.TrimSpace(string(b[p:p+16])), "/")
		var size int
		fmt.Sscan(strings.TrimSpace(string(b[p+48:p+58])), &size)
		out[name] = b[p+60 : p+60+size]
		p += 60 + size + size%2
	}
	return out
}

// tarGzFiles lists a tar.gz's files with their contents (small ones) and sizes.
func tarGzFiles(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		out[strings.TrimPrefix(h.Name, "./")] = data
	}
}

// rpmTags reads the string tags of an RPM's main header (name, version, arch, license).
func rpmTags(t *testing.T, b []byte) map[int]string {
	t.Helper()
	if len(b) < 96 || !bytes.Equal(b[:4], []byte{0xed, 0xab, 0xee, 0xdb}) {
		t.Fatal("not an RPM")
	}
	header := func(p int) (tags map[int]string, end int) {
		if !bytes.Equal(b[p:p+3], []byte{0x8e, 0xad, 0xe8}) {
			t.Fatalf("no RPM header at %d", p)
		}
		n := int(binary.BigEndian.Uint32(b[p+8:]))
		size := int(binary.BigEndian.Uint32(b[p+12:]))
		store := p + 16 + 16*n
		tags = map[int]string{}
		for i := 0; i < n; i++ {
			e := b[p+16+16*i:]
			tag, typ, off := int(binary.BigEndian.Uint32(e)), binary.BigEndian.Uint32(e[4:]), int(binary.BigEndian.Uint32(e[8:]))
			if typ == 6 || typ == 9 { // STRING, I18NSTRING
				s := b[store+off:]
				tags[tag] = string(s[:bytes.IndexByte(s, 0)])
			}
		}
		return tags, store + size
	}
	_, end := header(96)
	end += (8 - end%8) % 8 // the signature header is padded to 8 bytes
	tags, _ := header(end)
	return tags
}

// `make dist` builds versioned archives for linux/amd64 and arm64 with everything an
// offline install needs, .deb and .rpm with their metadata, and checksums that match.
func TestReleaseArchivesAndPackages(t *testing.T) {
	testenv.Integration(t)
	dist := t.TempDir()
	cmd := exec.Command("make", "dist", "VERSION=v9.8.7", "DIST="+dist)
	cmd.Dir = repo()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make dist: %v\n%s", err, out)
	}
	sumsB, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	sums := string(sumsB)
	for row, arch := range []struct{ goarch, rpm string }{{"amd64", "x86_64"}, {"arm64", "aarch64"}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			name := "envwatch-v9.8.7.linux-" + arch.goarch
			b, err := os.ReadFile(filepath.Join(dist, name+".tar.gz"))
			if err != nil {
				t.Fatal(err)
			}
			files := tarGzFiles(t, b)
			for _, f := range []string{"envwatch", "examples/luoyang.yaml", "examples/envwatch.yaml", "dashboards/grafana/city-overview.json",
				"dashboards/grafana/air-targets.json", "dashboards/grafana/water.json", "dashboards/provisioning/datasources/envwatch.yaml",
				"prometheus/envwatch.rules.yml", "alertmanager/alertmanager.example.yml", "systemd/envwatch.service",
				"systemd/envwatch.default", "README.md", "LICENSE", "docs/deploy.md", "docs/configuration.md"} {
				if _, ok := files[name+"/"+f]; !ok {
					t.Errorf("%s.tar.gz lacks %s", name, f)
				}
			}
			ef, err := elf.NewFile(bytes.NewReader(files[name+"/envwatch"]))
			if err != nil {
				t.Fatalf("%s: the binary is not ELF: %v", name, err)
			}
			want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch.goarch]
			if ef.Machine != want {
				t.Errorf("%s: binary for %v, want %v", name, ef.Machine, want)
			}
			sum := sha256.Sum256(b)
			if !strings.Contains(sums, hex.EncodeToString(sum[:])+"  "+name+".tar.gz") {
				t.Errorf("SHA256SUMS has no matching line for %s.tar.gz", name)
			}
			// .deb: control metadata and the files where an install expects them.
			deb, err := os.ReadFile(filepath.Join(dist, "envwatch_9.8.7_"+arch.goarch+".deb"))
			if err != nil {
				t.Fatal(err)
			}
			members := arFiles(t, deb)
			control := tarGzFiles(t, members["control.tar.gz"])["control"]
			for _, want := range []string{"Package: envwatch", "Version: 9.8.7", "Architecture: " + arch.goarch} {
				if !strings.Contains(string(control), want) {
					t.Errorf("deb %s control lacks %q:\n%s", arch.goarch, want, control)
				}
			}
			data := tarGzFiles(t, members["data.tar.gz"])
			for _, f := range []string{"usr/bin/envwatch", "usr/lib/systemd/system/envwatch.service", "etc/envwatch/envwatch.yaml", "etc/default/envwatch",
				"usr/share/envwatch/prometheus/envwatch.rules.yml", "usr/share/envwatch/grafana/city-overview.json"} {
				if _, ok := data[f]; !ok {
					t.Errorf("deb %s lacks /%s", arch.goarch, f)
				}
			}
			if conff := tarGzFiles(t, members["control.tar.gz"])["conffiles"]; !strings.Contains(string(conff), "/etc/envwatch/envwatch.yaml") {
				t.Errorf("deb %s: the configuration is not a conffile (an upgrade would overwrite it): %q", arch.goarch, conff)
			}
			// .rpm: name, version, arch, licence.
			rpm, err := os.ReadFile(filepath.Join(dist, "envwatch-9.8.7-1."+arch.rpm+".rpm"))
			if err != nil {
				t.Fatal(err)
			}
			tags := rpmTags(t, rpm)
			if tags[1000] != "envwatch" || tags[1001] != "9.8.7" || tags[1022] != arch.rpm || tags[1014] != "MIT" {
				t.Errorf("rpm %s: name %q version %q arch %q licence %q", arch.rpm, tags[1000], tags[1001], tags[1022], tags[1014])
			}
		})
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// `make run` with other ports: both influxd and envwatch use them — the points envwatch
// reports written are in the influxd on the given port, whatever else listens on 8086 —;
// the example configuration is not edited and the generated run configuration is removed
// at the end.
func TestMakeRunWithOtherPorts(t *testing.T) {
	testenv.Integration(t)
	before := read(t, "examples", "luoyang.yaml")
	influxPort, webPort := freePort(t), freePort(t)
	v := t.TempDir()
	cmd := exec.Command("make", "run", fmt.Sprintf("INFLUX_PORT=%d", influxPort), fmt.Sprintf("WEB_PORT=%d", webPort), "VAR="+v)
	cmd.Dir = repo()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	written := 0.0
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline) && written == 0; time.Sleep(500 * time.Millisecond) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", webPort))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "envwatch_influxdb_points_written_total ") {
				fmt.Sscan(strings.TrimPrefix(sc.Text(), "envwatch_influxdb_points_written_total "), &written)
			}
		}
		resp.Body.Close()
	}
	if written == 0 {
		stop()
		t.Fatalf("envwatch on port %d wrote nothing within 3 minutes:\n%s", webPort, out.String())
	}
	q := url.Values{"db": {"envwatch"}, "q": {"SELECT count(pm2_5) FROM air_hourly"}}
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/query", influxPort), "application/x-www-form-urlencoded", strings.NewReader(q.Encode()))
	var res []byte
	if err == nil {
		res, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	stop()
	if err != nil || !regexp.MustCompile(`"count",\s*"?[1-9]|\[\s*"1970-01-01T00:00:00Z",\s*[1-9]`).Match(res) {
		t.Errorf("the influxd on port %d holds no envwatch points: %v %s", influxPort, err, res)
	}
	if after := read(t, "examples", "luoyang.yaml"); after != before {
		t.Error("make run edited examples/luoyang.yaml")
	}
	if _, err := os.Stat(filepath.Join(v, "run")); !os.IsNotExist(err) {
		t.Errorf("the generated run configuration was left behind: %v", err)
	}
	if !regexp.MustCompile(fmt.Sprintf(`envwatch on http://localhost:%d/`, webPort)).MatchString(out.String()) {
		t.Errorf("make run did not announce the web port:\n%s", out.String())
	}
}
