package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/service"
	"github.com/envwatch/envwatch/store"
)

// spoolCmd inspects the dead letters: batches InfluxDB refused permanently.
type spoolCmd struct {
	action, configFile, id string
	remote                 remoteFlags
}

func (c *spoolCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("spool", "Inspect the InfluxDB spool and its dead letters (beside envwatch run: through its API, --url).")
	cmd.Arg("action", "list, retry (move dead letters back to the spool) or drop (delete dead letters).").Required().EnumVar(&c.action, "list", "retry", "drop")
	cmd.Arg("id", "Dead letter id (default: all).").StringVar(&c.id)
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	c.remote.register(cmd)
	return cmd
}

func (c *spoolCmd) run(env *environ) int {
	fail := func(err error) int { fmt.Fprintf(env.stderr, "envwatch: %v\n", err); return 1 }
	cfg, err := config.LoadFile(c.configFile)
	if err != nil {
		return fail(err)
	}
	var id uint64
	if c.id != "" {
		if id, err = strconv.ParseUint(c.id, 10, 64); err != nil || id == 0 {
			return fail(fmt.Errorf("id %q: want a positive number from `envwatch spool list`", c.id))
		}
	}
	st, err := (*store.Store)(nil), error(store.ErrLocked)
	// Beside a running envwatch (its address in the state directory): ask it at once.
	if !c.remote.beside(c.configFile) {
		st, err = store.Open(cfg.StateDir, 2*time.Second)
	}
	if errors.Is(err, store.ErrLocked) {
		v := url.Values{}
		if id != 0 {
			v.Set("id", c.id)
		}
		if c.action == "list" {
			return c.remote.get(env, "/api/v1/spool", v)
		}
		return c.remote.call(env, http.MethodPost, "/api/v1/spool/"+c.action, v)
	}
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	if err := service.SpoolAction(env.stdout, st, c.action, id); err != nil {
		return fail(err)
	}
	return 0
}
