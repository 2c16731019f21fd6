package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func loadCompose(t *testing.T, files ...string) *types.Project {
	t.Helper()
	var paths []string
	for _, f := range files {
		paths = append(paths, repo(f))
	}
	opts, err := cli.NewProjectOptions(paths, cli.WithWorkingDirectory(repo()), cli.WithName("envwatch"),
		cli.WithEnvFiles(repo(".env.example")), cli.WithDotEnv, cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("%v: %v", files, err)
	}
	return p
}

// The compose files load with compose-go (there is no Docker engine here), every image is
// pinned, and every file they mount exists.
func TestComposeStack(t *testing.T) {
	for _, files := range [][]string{{"docker-compose.yml"}, {"docker-compose.yml", "docker-compose.influxdb2.yml"}} {
		p := loadCompose(t, files...)
		for _, name := range []string{"influxdb", "envwatch", "prometheus", "alertmanager", "grafana"} {
			if _, ok := p.Services[name]; !ok {
				t.Errorf("%v: no service %s", files, name)
			}
		}
		for name, s := range p.Services {
			if name == "envwatch" {
				if s.Build == nil {
					t.Errorf("envwatch is built from the Dockerfile")
				} else if _, err := os.Stat(filepath.Join(s.Build.Context, "Dockerfile")); err != nil {
					t.Errorf("envwatch build: %v", err)
				}
				continue
			}
			i := strings.LastIndex(s.Image, ":")
			if i < 0 || s.Image[i+1:] == "latest" || !strings.ContainsAny(s.Image[i+1:], "0123456789") {
				t.Errorf("%v: service %s image %q is not pinned to a version", files, name, s.Image)
			}
			for _, v := range s.Volumes {
				if v.Type != types.VolumeTypeBind {
					if _, ok := p.Volumes[v.Source]; !ok {
						t.Errorf("%s: volume %q is not declared", name, v.Source)
					}
					continue
				}
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%v: service %s mounts %s, which does not exist", files, name, v.Source)
				}
			}
		}
		for name, s := range p.Secrets {
			// Secret files are not committed; their placeholders are.
			if _, err := os.Stat(s.File + ".example"); err != nil {
				if _, err2 := os.Stat(s.File); err2 != nil {
					t.Errorf("secret %s: neither %s nor its .example exists", name, s.File)
				}
			}
		}
	}
	env := loadCompose(t, "docker-compose.yml").Services["envwatch"]
	if !strings.Contains(strings.Join(env.Command, " "), "/etc/envwatch/envwatch.yaml") {
		t.Errorf("envwatch command %v", env.Command)
	}
	// One version of each tool: the Prometheus and Alertmanager images are the releases of
	// the promtool and amtool the rules are tested with (Makefile), pinned by exact tag.
	mk, err := os.ReadFile(repo("Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	pin := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `_VERSION := (\S+)`).FindStringSubmatch(string(mk))
		if m == nil {
			t.Fatalf("Makefile has no %s_VERSION", name)
		}
		return m[1]
	}
	promModule := pin("PROMETHEUS") // v0.316.0 is Prometheus v3.16.0
	minor := regexp.MustCompile(`^v0\.3(\d\d)\.(\d+)$`).FindStringSubmatch(promModule)
	if minor == nil {
		t.Fatalf("PROMETHEUS_VERSION %q is not a v0.3xx module version", promModule)
	}
	services := loadCompose(t, "docker-compose.yml").Services
	if want := fmt.Sprintf("prom/prometheus:v3.%d.%s", atoi(minor[1]), minor[2]); services["prometheus"].Image != want {
		t.Errorf("compose prometheus image %s, want %s (promtool %s)", services["prometheus"].Image, want, promModule)
	}
	if want := "prom/alertmanager:" + pin("ALERTMANAGER"); services["alertmanager"].Image != want {
		t.Errorf("compose alertmanager image %s, want %s", services["alertmanager"].Image, want)
	}
	for name, svc := range services {
		if svc.Build == nil && (!strings.Contains(svc.Image, ":") || strings.HasSuffix(svc.Image, ":latest")) {
			t.Errorf("compose service %s: image %q is not pinned to an exact tag", name, svc.Image)
		}
	}
	// The UI language is Grafana's own setting ([users] default_language), not an invented one.
	g := loadCompose(t, "docker-compose.yml").Services["grafana"]
	if v := g.Environment["GF_USERS_DEFAULT_LANGUAGE"]; v == nil || *v != "zh-Hans" {
		t.Errorf("grafana environment lacks GF_USERS_DEFAULT_LANGUAGE=zh-Hans: %v", g.Environment)
	}
	for k := range g.Environment {
		if strings.HasPrefix(k, "GF_DEFAULT_") {
			t.Errorf("grafana environment has %s, which is not a Grafana setting", k)
		}
	}
}

// The datasource uids the dashboards use are the provisioned ones.
func TestProvisioning(t *testing.T) {
	b, err := os.ReadFile(repo("dashboards", "provisioning", "datasources", "envwatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{"uid: envwatch-prometheus", "uid: envwatch-influxdb", "version: InfluxQL"} {
		if !strings.Contains(string(b), uid) {
			t.Errorf("datasource provisioning lacks %q", uid)
		}
	}
	d, _ := os.ReadFile(repo("dashboards", "provisioning", "dashboards", "envwatch.yaml"))
	if !strings.Contains(string(d), "allowUiUpdates: false") || !strings.Contains(string(d), "/var/lib/grafana/dashboards") {
		t.Error("dashboard provisioning must load the repository's JSON read-only")
	}
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}
