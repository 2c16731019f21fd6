package service

import (
	"fmt"
	"io"
	"time"

	"github.com/envwatch/envwatch/store"
)

// SpoolAction lists, retries or drops dead letters: the one code path of the CLI and the API.
func SpoolAction(w io.Writer, st *store.Store, action string, id uint64) error {
	switch action {
	case "list":
		stats, err := st.SpoolStats()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "spool: %d batches, %d points, %d bytes", stats.Entries, stats.Points, stats.Bytes)
		if !stats.Oldest.IsZero() {
			fmt.Fprintf(w, ", oldest spooled %s", stats.Oldest.Format(time.RFC3339))
		}
		fmt.Fprintln(w)
		dead, err := st.DeadLetters()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "dead letters: %d\n", len(dead))
		for _, d := range dead {
			if id != 0 && d.ID != id {
				continue
			}
			fmt.Fprintf(w, "%d\tspooled %s\t%d points\t%s\n", d.ID, d.Spooled.Format(time.RFC3339), d.Points, d.Error)
		}
	case "retry":
		n, err := st.DeadRetry(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%d dead letters moved back to the spool; envwatch run replays them\n", n)
	case "drop":
		n, err := st.DeadDrop(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%d dead letters deleted\n", n)
	default:
		return fmt.Errorf("unknown spool action %q", action)
	}
	return nil
}
