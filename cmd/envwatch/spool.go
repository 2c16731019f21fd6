package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/store"
)

// spoolCmd inspects the dead letters: batches InfluxDB refused permanently.
type spoolCmd struct {
	action, configFile, id string
}

func (c *spoolCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("spool", "Inspect the InfluxDB spool and its dead letters (envwatch run must not hold the state store).")
	cmd.Arg("action", "list, retry (move dead letters back to the spool) or drop (delete dead letters).").Required().EnumVar(&c.action, "list", "retry", "drop")
	cmd.Arg("id", "Dead letter id (default: all).").StringVar(&c.id)
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	return cmd
}

func (c *spoolCmd) run(env *environ) int {
	fail := func(err error) int { fmt.Fprintf(env.stderr, "envwatch: %v\n", err); return 1 }
	cfg, err := config.LoadFile(c.configFile)
	if err != nil {
		return fail(err)
	}
	st, err := store.Open(cfg.StateDir, 2*time.Second)
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	var id uint64
	if c.id != "" {
		if id, err = strconv.ParseUint(c.id, 10, 64); err != nil || id == 0 {
			return fail(fmt.Errorf("id %q: want a positive number from `envwatch spool list`", c.id))
		}
	}
	switch c.action {
	case "list":
		stats, err := st.SpoolStats()
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.stdout, "spool: %d batches, %d points, %d bytes", stats.Entries, stats.Points, stats.Bytes)
		if !stats.Oldest.IsZero() {
			fmt.Fprintf(env.stdout, ", oldest spooled %s", stats.Oldest.Format(time.RFC3339))
		}
		fmt.Fprintln(env.stdout)
		dead, err := st.DeadLetters()
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.stdout, "dead letters: %d\n", len(dead))
		for _, d := range dead {
			if id != 0 && d.ID != id {
				continue
			}
			fmt.Fprintf(env.stdout, "%d\tspooled %s\t%d points\t%s\n", d.ID, d.Spooled.Format(time.RFC3339), d.Points, d.Error)
		}
	case "retry":
		n, err := st.DeadRetry(id)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.stdout, "%d dead letters moved back to the spool; envwatch run replays them\n", n)
	case "drop":
		n, err := st.DeadDrop(id)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.stdout, "%d dead letters deleted\n", n)
	}
	return 0
}
