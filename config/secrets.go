package config

import (
	"strings"

	"github.com/envwatch/envwatch/internal/secret"
)

// Secrets returns every credential the configuration names — the InfluxDB token (and
// the password of a "user:password" token), http_json API keys, HJ 212 device passwords —
// as read from their variables and files, for the redactor of logs and errors. Unreadable
// ones are skipped: loading them reports the error.
func (c *Config) Secrets() []string {
	var out []string
	add := func(env, file string) {
		if s, err := secret.Read(env, file); err == nil && s != "" {
			out = append(out, s)
			if _, pw, ok := strings.Cut(s, ":"); ok {
				out = append(out, pw)
			}
		}
	}
	if in := c.InfluxDB; in != nil {
		add(in.TokenEnv, in.TokenFile)
	}
	for _, s := range c.Sources {
		if k := s.HTTPJSON; k != nil {
			add(k.APIKeyEnv, k.APIKeyFile)
		}
		if k := s.HJ212; k != nil {
			for _, d := range k.Devices {
				if d.Password != "" {
					out = append(out, d.Password)
				}
				add(d.PasswordEnv, d.PasswordFile)
			}
		}
	}
	return out
}
