package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// remoteFlags reach a running envwatch over its HTTP API when the state store is locked
// by it: the commands then give the same output as offline. Credentials come from the
// same web configuration file as the service's (TLS pinned to its certificate, basic auth
// with the password from ENVWATCH_API_PASSWORD, never a flag).
type remoteFlags struct {
	url, webConfig, username string
}

func (r *remoteFlags) register(cmd *kingpin.CmdClause) {
	cmd.Flag("url", "Base URL of a running envwatch, used when it holds the state store (default http://127.0.0.1:9065, https with a TLS web configuration).").StringVar(&r.url)
	cmd.Flag("web.config.file", "The service's web configuration (TLS, basic auth) for --url.").Envar("ENVWATCH_WEB_CONFIG_FILE").StringVar(&r.webConfig)
	cmd.Flag("username", "Basic-auth user for --url (default: the only user of the web configuration).").Envar("ENVWATCH_HEALTHCHECK_USERNAME").StringVar(&r.username)
}

// remoteClient is an HTTP client and credentials for a running envwatch.
type remoteClient struct {
	base       string
	client     *http.Client
	user, pass string
}

// client builds the client from the flags and the web configuration.
func (r *remoteFlags) client(env *environ, timeout time.Duration) (*remoteClient, error) {
	rc := &remoteClient{base: strings.TrimRight(r.url, "/"), client: &http.Client{Timeout: timeout}}
	scheme := "http"
	if r.webConfig != "" {
		wf, certPEM, err := readWebFile(r.webConfig)
		if err != nil {
			return nil, err
		}
		if certPEM != nil {
			tc, err := pinnedTLS(certPEM)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.webConfig, err)
			}
			rc.client.Transport = &http.Transport{TLSClientConfig: tc}
			scheme = "https"
		}
		if len(wf.Users) > 0 {
			rc.user = r.username
			if rc.user == "" && len(wf.Users) == 1 {
				for u := range wf.Users {
					rc.user = u
				}
			}
			rc.pass = apiPassword()
			if rc.user == "" || rc.pass == "" {
				return nil, fmt.Errorf("the web configuration requires basic auth: set %s (and --username when it lists several users)", apiPasswordEnv)
			}
			env.secrets.Add(rc.pass)
		}
	}
	if rc.base == "" {
		rc.base = scheme + "://127.0.0.1:9065"
	}
	return rc, nil
}

// do sends a request and returns the response; a status other than 2xx is an error with
// the server's message.
func (rc *remoteClient) do(env *environ, method, path string, v url.Values) (*http.Response, error) {
	u := rc.base + path
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	req, err := http.NewRequestWithContext(env.ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	if rc.user != "" {
		req.SetBasicAuth(rc.user, rc.pass)
	}
	resp, err := rc.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the state store is locked by a running envwatch, and its API at %s did not answer: %w", rc.base, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return resp, nil
}

// get copies a GET's body to stdout (the command's output), its warning to stderr.
func (r *remoteFlags) get(env *environ, path string, v url.Values) int {
	return r.call(env, http.MethodGet, path, v)
}

func (r *remoteFlags) call(env *environ, method, path string, v url.Values) int {
	rc, err := r.client(env, 10*time.Minute)
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	resp, err := rc.do(env, method, path, v)
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if w := resp.Header.Get("X-Envwatch-Warning"); w != "" {
		fmt.Fprintf(env.stderr, "envwatch: warning: %s\n", w)
	}
	if _, err := io.Copy(env.stdout, resp.Body); err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	if n := resp.Header.Get("X-Envwatch-Note"); n != "" {
		fmt.Fprintln(env.stderr, n)
	}
	return 0
}
