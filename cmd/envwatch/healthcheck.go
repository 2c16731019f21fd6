package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"go.yaml.in/yaml/v3"
)

// healthcheckCmd probes an envwatch endpoint: the container image has no curl. It reads
// the same web configuration file as run, so that the probe speaks TLS and sends basic-auth
// credentials when the service requires them.
type healthcheckCmd struct {
	url, webConfig, username string
}

// apiPasswordEnv holds the basic-auth password the CLI sends to a running service — the
// health check, and report, assess, backfill, spool and rebuild beside it: never a flag,
// which would show in process lists and in the container's configuration. The variable's
// first name, ENVWATCH_HEALTHCHECK_PASSWORD, is still read when the new one is unset.
const (
	apiPasswordEnv    = "ENVWATCH_API_PASSWORD"
	apiPasswordEnvOld = "ENVWATCH_HEALTHCHECK_PASSWORD"
)

// apiPassword reads the password of the web configuration's basic auth.
func apiPassword() string {
	if p := os.Getenv(apiPasswordEnv); p != "" {
		return p
	}
	return os.Getenv(apiPasswordEnvOld)
}

func (c *healthcheckCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("healthcheck", "Exit 0 if envwatch answers 200 (container health checks). With --web.config.file it uses TLS and basic auth as the service does; the password comes from "+apiPasswordEnv+".")
	cmd.Flag("url", "URL to probe (default http://127.0.0.1:9065/-/healthy, https when the web configuration enables TLS).").StringVar(&c.url)
	cmd.Flag("web.config.file", "The service's web configuration file (exporter-toolkit format).").Envar("ENVWATCH_WEB_CONFIG_FILE").StringVar(&c.webConfig)
	cmd.Flag("username", "Basic-auth user (default: the only user of the web configuration).").Envar("ENVWATCH_HEALTHCHECK_USERNAME").StringVar(&c.username)
	return cmd
}

// webFile is the part of the web configuration file a client needs.
type webFile struct {
	TLS struct {
		Cert     string `yaml:"cert"`
		CertFile string `yaml:"cert_file"`
	} `yaml:"tls_server_config"`
	Users map[string]string `yaml:"basic_auth_users"`
}

func (c *healthcheckCmd) run(env *environ) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.stderr, "envwatch: "+format+"\n", args...)
		return 1
	}
	client := &http.Client{Timeout: 5 * time.Second}
	url, user, pass := c.url, "", ""
	if url == "" {
		url = "http://127.0.0.1:9065/-/healthy"
	}
	if c.webConfig != "" {
		wf, certPEM, err := readWebFile(c.webConfig)
		if err != nil {
			return fail("%v", err)
		}
		if certPEM != nil {
			tc, err := pinnedTLS(certPEM)
			if err != nil {
				return fail("%s: %v", c.webConfig, err)
			}
			client.Transport = &http.Transport{TLSClientConfig: tc}
			if c.url == "" {
				url = "https://127.0.0.1:9065/-/healthy"
			}
		}
		if len(wf.Users) > 0 {
			user = c.username
			if user == "" && len(wf.Users) == 1 {
				for u := range wf.Users {
					user = u
				}
			}
			pass = apiPassword()
			if user == "" || pass == "" {
				return fail("the web configuration requires basic auth: set %s (and --username when it lists several users)", apiPasswordEnv)
			}
			env.secrets.Add(pass)
		}
	}
	req, err := http.NewRequestWithContext(env.ctx, http.MethodGet, url, nil)
	if err != nil {
		return fail("%v", err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail("%v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail("%s answered %s", url, resp.Status)
	}
	return 0
}

// readWebFile reads the web configuration and the server certificate it names (paths
// relative to the file, as exporter-toolkit reads them).
func readWebFile(path string) (*webFile, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading web configuration: %w", err)
	}
	var wf webFile
	if err := yaml.Unmarshal(b, &wf); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case wf.TLS.Cert != "":
		return &wf, []byte(wf.TLS.Cert), nil
	case wf.TLS.CertFile != "":
		p := wf.TLS.CertFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		cert, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: tls_server_config.cert_file: %w", path, err)
		}
		return &wf, cert, nil
	}
	return &wf, nil, nil
}

// pinnedTLS trusts exactly the service's own certificate: the probe connects to the
// loopback address, which a certificate issued for the host's name does not list.
func pinnedTLS(certPEM []byte) (*tls.Config, error) {
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		return nil, errors.New("the server certificate is not PEM")
	}
	if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
		return nil, err
	}
	want := blk.Bytes
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !bytes.Equal(raw[0], want) {
				return errors.New("the server's certificate is not the one in the web configuration")
			}
			return nil
		},
	}, nil
}
