package outlook

import (
	"math"

	"github.com/envwatch/envwatch/airquality"
)

// levelStrata is how many levels of the rest of the year are simulated: the predictive
// distribution of its level is cut into this many equally likely strata and each
// simulated year draws one, so the days need classifying once per stratum, not once per
// simulated year.
const levelStrata = 8

// scaleFactors bring the past years' days to the level expected for the rest of this year,
// per stratum q, source year k and pollutant (docs/targets.md, "Outlook"). How the rest
// of a year relates to its start, log(restₐ / to-dateₐ), varies from year to year; from
// the n past years' values (mean m, standard deviation s) this year's is predicted as
// m + s·√(1 + 1/n)·T, T Student-t with n − 1 degrees of freedom — wide with few years, as
// it must be. Stratum q takes T's quantile (q + ½)/levelStrata; a day of year k is then
// scaled by to-date_this · exp(that) / restₖ. A pollutant with fewer than 30 days to date
// this year, or fewer than two past years with 30 days to date and a rest, is not scaled.
func scaleFactors(in Input, past []*pastYear, yr airquality.Range) [][][airquality.NumPollutants]float64 {
	var cur [airquality.NumPollutants]float64
	var nc [airquality.NumPollutants]int
	for i := range in.ThisYear {
		d := &in.ThisYear[i]
		if d.Day < yr.From || d.Day > in.AsOf {
			continue
		}
		for p := range cur {
			if d.Conc[p].OK() {
				x, _ := d.Conc[p].Value.Float64()
				cur[p], nc[p] = cur[p]+x, nc[p]+1
			}
		}
	}
	out := make([][][airquality.NumPollutants]float64, levelStrata)
	for q := range out {
		out[q] = make([][airquality.NumPollutants]float64, len(past))
		for k := range past {
			for p := range cur {
				out[q][k][p] = 1
			}
		}
	}
	for p := range cur {
		if nc[p] < 30 || cur[p] <= 0 {
			continue
		}
		var ratio []float64
		for _, pa := range past {
			if pa.nEarly[p] >= 30 && pa.nRest[p] > 0 && pa.early[p] > 0 && pa.rest[p] > 0 {
				ratio = append(ratio, math.Log(pa.rest[p]/pa.early[p]))
			}
		}
		n := len(ratio)
		if n < 2 {
			continue
		}
		m, v := meanVar(ratio)
		sd := math.Sqrt(v * (1 + 1/float64(n)))
		for q := range out {
			lr := m + sd*studentQuantile((float64(q)+0.5)/levelStrata, n-1)
			for k, pk := range past {
				if pk.rest[p] > 0 {
					out[q][k][p] = cur[p] / float64(nc[p]) * math.Exp(lr) / pk.rest[p]
				}
			}
		}
	}
	return out
}

// meanVar is the mean and the sample variance (n − 1).
func meanVar(xs []float64) (m, v float64) {
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	if len(xs) < 2 {
		return m, 0
	}
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, v / float64(len(xs)-1)
}

// studentQuantile is the p-quantile of Student's t with nu degrees of freedom: exact
// for 1 and 2, by bisection of the closed-form distribution function for 3 and 4, and the
// Cornish–Fisher expansion around the normal quantile beyond (within 0.03 of the tables).
func studentQuantile(p float64, nu int) float64 {
	switch nu {
	case 1:
		return math.Tan(math.Pi * (p - 0.5))
	case 2:
		return (2*p - 1) / math.Sqrt(2*p*(1-p))
	case 3, 4:
		cdf := func(t float64) float64 {
			if nu == 3 {
				x := t / math.Sqrt(3)
				return 0.5 + (x/(1+x*x)+math.Atan(x))/math.Pi
			}
			u := t * t / 4
			return 0.5 + 3.0/8*t/math.Sqrt(1+u)*(1-t*t/(12*(1+u)))
		}
		lo, hi := -100.0, 100.0
		for range 80 {
			mid := (lo + hi) / 2
			if cdf(mid) < p {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2
	}
	z := math.Sqrt2 * math.Erfinv(2*p-1)
	v := float64(nu)
	return z + (z*z*z+z)/(4*v) + (5*math.Pow(z, 5)+16*z*z*z+3*z)/(96*v*v)
}
