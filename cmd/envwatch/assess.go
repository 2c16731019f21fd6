package main

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/service"
	"github.com/envwatch/envwatch/store"
)

// assessCmd prints an area's monthly assessment: its units' ranking and eco-compensation.
type assessCmd struct {
	configFile string
	q          api.AssessQuery
	remote     remoteFlags
}

func (c *assessCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("assess", "Print an area's monthly assessment of its units (districts and counties; a province's or the country's cities): rankings and eco-compensation, or the rankings over --from … --to (beside envwatch run: through its API, --url).")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("area", "Assessing area: id or configured name.").Required().StringVar(&c.q.Area)
	cmd.Flag("month", "Month (YYYY-MM); the running month is provisional.").StringVar(&c.q.Month)
	cmd.Flag("from", "Instead of --month: the first day (YYYY-MM-DD) of a ranking over days.").StringVar(&c.q.From)
	cmd.Flag("to", "With --from: the last day (YYYY-MM-DD).").StringVar(&c.q.To)
	cmd.Flag("format", "text, markdown, json or csv.").Default("text").EnumVar(&c.q.Format, "text", "markdown", "json", "csv")
	cmd.Flag("table", "With --format csv: compensation or ranking.").Default("compensation").EnumVar(&c.q.Table, "compensation", "ranking")
	cmd.Flag("lang", "zh or en.").Default("zh").EnumVar(&c.q.Lang, "zh", "en")
	c.remote.register(cmd)
	return cmd
}

func (c *assessCmd) run(env *environ) int {
	logger := (&runCmd{level: "warn", format: "logfmt"}).logger(env.stderr)
	s, err := (*service.Generation)(nil), error(store.ErrLocked)
	// Beside a running envwatch (its address in the state directory): ask it at once.
	if !c.remote.beside(c.configFile) {
		s, err = service.Open(c.configFile, logger, service.Mode{Sink: service.Discard, Secrets: env.secrets})
	}
	if errors.Is(err, store.ErrLocked) {
		v := url.Values{"area": {c.q.Area}, "month": {c.q.Month}, "format": {c.q.Format}, "lang": {c.q.Lang}, "table": {c.q.Table},
			"from": {c.q.From}, "to": {c.q.To}}
		return c.remote.get(env, "/api/v1/assessment", v)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.Close()
	if err := s.Assess(env.ctx, env.stdout, c.q, time.Now()); err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	return 0
}
