package main

import (
	"errors"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/config"
)

type checkConfigCmd struct{ files []string }

func (c *checkConfigCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("check-config", "Validate configuration files; exit 1 if any is invalid. Secrets are never printed.")
	cmd.Arg("file", "Configuration files.").Required().ExistingFilesVar(&c.files)
	return cmd
}

func (c *checkConfigCmd) run(env *environ) int {
	code := 0
	for _, f := range c.files {
		cfg, err := config.LoadFile(f)
		if cfg != nil {
			env.secrets.Add(cfg.Secrets()...)
		}
		if err != nil {
			code = 1
			var es config.Errors
			if errors.As(err, &es) {
				for _, e := range es {
					fmt.Fprintln(env.stderr, e)
				}
				continue
			}
			fmt.Fprintf(env.stderr, "%s: %v\n", f, err)
			continue
		}
		fmt.Fprintf(env.stdout, "%s: ok (%d areas, %d air stations, %d water sections, %d drinking-water sources, %d sources, %d target sets)\n",
			f, len(cfg.Areas), len(cfg.Stations), len(cfg.Sections), len(cfg.DrinkingWaterSources), len(cfg.Sources), len(cfg.Targets))
	}
	return code
}
