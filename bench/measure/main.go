// Command measure runs a command and reports its wall time, CPU seconds and peak RSS.
//
//	go run ./bench/measure -- envwatch backfill ...
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure -- command args…")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	u, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(u.Utime.Nano() + u.Stime.Nano())
	fmt.Printf("measure: wall %.2f s, cpu %.2f s, peak rss %.1f MiB\n", wall.Seconds(), cpu.Seconds(), float64(u.Maxrss)/1024)
	if err != nil {
		fmt.Printf("measure: %s: %v\n", args[0], err)
		os.Exit(1)
	}
}
