package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"

	"github.com/envwatch/envwatch/internal/secret"

	_ "time/tzdata" // Asia/Shanghai must resolve in minimal containers
)

// command is one subcommand: it registers its flags and returns the action to run.
type command interface {
	register(app *kingpin.Application, env *environ) *kingpin.CmdClause
	run(env *environ) int
}

// environ carries the process's streams and lifetime so commands are testable without
// globals: main passes a context cancelled by SIGINT/SIGTERM, tests their own.
type environ struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	// secrets masks the configuration's credentials in everything written to stderr
	// (logs and error messages); commands add them as they load a configuration.
	secrets *secret.Redactor
}

// syncWriter serialises writes: the logger (called from a backfill's delivery goroutines)
// and the progress lines share stderr.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// exitError carries an exit code through kingpin's Terminate hook.
type exitError int

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	secrets := &secret.Redactor{}
	env := &environ{ctx: ctx, stdin: stdin, stdout: stdout, stderr: secret.Writer(&syncWriter{w: stderr}, secrets), secrets: secrets}
	app := kingpin.New("envwatch", "Air- and water-quality indicators for environmental bureaus: collect, compute, store, expose.")
	app.Version(version.Print("envwatch"))
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.HelpFlag.Short('h')
	app.Terminate(func(c int) { panic(exitError(c)) })
	defer func() {
		if r := recover(); r != nil {
			var e exitError
			if errors.As(asError(r), &e) {
				code = int(e)
				return
			}
			panic(r)
		}
	}()
	cmds := map[string]command{}
	for _, c := range []command{&versionCmd{}, &calcAQICmd{}, &calcWaterCmd{}, &checkConfigCmd{}, &runCmd{}, &backfillCmd{}, &reportCmd{}, &rebuildCmd{}, &healthcheckCmd{}, &spoolCmd{}, &assessCmd{}, &initConfigCmd{}} {
		cc := c.register(app, env)
		cmds[cc.FullCommand()] = c
	}
	selected, err := app.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "envwatch: %v\n", err)
		return 2
	}
	return cmds[selected].run(env)
}

func asError(r any) error {
	if e, ok := r.(exitError); ok {
		return e
	}
	return errors.New("not an exit")
}

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

type versionCmd struct{}

func (c *versionCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	return app.Command("version", "Print version and build information.")
}

func (c *versionCmd) run(env *environ) int {
	fmt.Fprintln(env.stdout, version.Print("envwatch"))
	return 0
}
