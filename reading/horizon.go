package reading

import "time"

// HorizonSkew is how far a device's clock may run ahead of ours.
const HorizonSkew = 5 * time.Minute

// Horizon is the latest period end a reading may have at now: the end of the current
// hour (an hour still running may be reported as it goes), plus a little clock skew. A
// reading ending later describes a time that has not happened; one before 2000 is a
// device's clock never set. The pipeline refuses both as bad_time and the HJ 212 receiver
// answers them as a DataTime error (QnRtn 100) instead of acknowledging them.
func Horizon(now time.Time) time.Time {
	return now.Truncate(time.Hour).Add(time.Hour + HorizonSkew)
}

// TimeOK reports whether a period end lies between 2000 and the horizon.
func TimeOK(end, now time.Time) bool {
	return end.Year() >= 2000 && !end.After(Horizon(now))
}
