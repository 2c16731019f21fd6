package check

import (
	"context"
	"os"
	"path/filepath"
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
