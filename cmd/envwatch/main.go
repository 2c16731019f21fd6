// Command envwatch turns air- and water-monitoring data into the indicators a Chinese
// environmental bureau is assessed on, stores readings in InfluxDB and serves them as
// Prometheus metrics.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
