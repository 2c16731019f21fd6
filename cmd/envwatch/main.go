// Command envwatch turns air- and water-monitoring data into the indicators a Chinese
// environmental bureau is assessed on, stores readings in InfluxDB and serves them as
// Prometheus metrics.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(mainWithSignals()) }

func mainWithSignals() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
