package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// healthcheckCmd probes an envwatch endpoint: the container image has no curl.
type healthcheckCmd struct{ url string }

func (c *healthcheckCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("healthcheck", "Exit 0 if the URL answers 200 (container health checks).")
	cmd.Flag("url", "URL to probe.").Default("http://127.0.0.1:9065/-/healthy").StringVar(&c.url)
	return cmd
}

func (c *healthcheckCmd) run(env *environ) int {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(c.url)
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(env.stderr, "envwatch: %s answered %s\n", c.url, resp.Status)
		return 1
	}
	return 0
}
