package main

import (
	"errors"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/calc"
	"github.com/envwatch/envwatch/waterquality"
)

type calcAQICmd struct {
	daily    bool
	standard string
	o3       string
}

func (c *calcAQICmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cc := app.GetCommand("calc")
	if cc == nil {
		cc = app.Command("calc", "Compute official indicators from CSV on stdin (docs/calc.md).")
	}
	cmd := cc.Command("aqi", "HJ 633 IAQI/AQI of hourly (default) or daily concentrations.")
	cmd.Flag("daily", "Inputs are daily values: 24-h means, o3_8h = MDA8, optional o3_1h_max.").BoolVar(&c.daily)
	cmd.Flag("standard", "HJ 633 edition: 2012, 2026 or auto (by the row's date; 2026 from 2026-03-01).").Default("auto").EnumVar(&c.standard, "2012", "2026", "auto")
	cmd.Flag("o3-1h", "Daily report: whether the maximum 1-h O3 enters the AQI (default: 2012 yes, 2026 no).").Default("default").EnumVar(&c.o3, "default", "include", "exclude")
	return cmd
}

func (c *calcAQICmd) run(env *environ) int {
	v, _ := airquality.ParseVersion(c.standard)
	rule := map[string]airquality.O3OneHourRule{"default": airquality.O3OneHourDefault,
		"include": airquality.O3OneHourInclude, "exclude": airquality.O3OneHourExclude}[c.o3]
	err := calc.AQI(env.stdin, env.stdout, env.stderr, calc.AQIOptions{Daily: c.daily, Standard: v, O3OneHour: rule})
	return calcExit(env, err)
}

func calcExit(env *environ, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, calc.ErrBadRows):
		return 1
	default:
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
}

type calcWaterCmd struct {
	period string
	equal  string
	below  string
}

func (c *calcWaterCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cc := app.GetCommand("calc")
	if cc == nil {
		cc = app.Command("calc", "Compute official indicators from CSV on stdin (docs/calc.md).")
	}
	cmd := cc.Command("water", "GB 3838 classes of water samples, or of period means per section with --period.")
	cmd.Flag("period", "Evaluate the period means per section: month, quarter or year.").EnumVar(&c.period, "month", "quarter", "year")
	cmd.Flag("equal-limits", "A value meeting equal Class I and II limits is Class I (best) or II (not-i).").Default("best").EnumVar(&c.equal, "best", "not-i")
	cmd.Flag("below-detection", "Value of a below-detection result (\"0.0003L\", \"<0.0003\", ND, flag L) in period means: half the limit, the limit, or zero.").Default("half").EnumVar(&c.below, "half", "limit", "zero")
	return cmd
}

func (c *calcWaterCmd) run(env *environ) int {
	rules := waterquality.Rules{}
	rules.BelowDetection, _ = waterquality.ParseDetectionRule(c.below)
	if c.equal == "not-i" {
		rules.EqualLimits = waterquality.EqualLimitsNotI
	}
	return calcExit(env, calc.Water(env.stdin, env.stdout, env.stderr, calc.WaterOptions{Period: c.period, Rules: rules}))
}
