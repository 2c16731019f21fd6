package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/envwatch/envwatch/internal/spelling"
)

// param is a query parameter an endpoint takes and the values it accepts (nil: any; the
// endpoint checks the value itself).
type param struct {
	name   string
	values []string
}

var (
	langParam    = param{"lang", []string{"zh", "en"}}
	boolParam    = func(name string) param { return param{name, []string{"true", "false"}} }
	formatParams = func(formats ...string) param { return param{"format", formats} }
)

// endpointParams are the parameters of each endpoint. Anything else is refused with 400
// before any work starts: a parameter the server ignores would answer a question the user
// did not ask (station=… beside area=…, lang=fr).
var endpointParams = map[string][]param{
	"/report": {{"area", nil}, {"year", nil}, {"as_of", nil}, formatParams("json", "text", "markdown", "csv"), langParam,
		{"table", []string{"indicators", "monthly"}}, boolParam("daily"), boolParam("stations")},
	"/daily": {{"area", nil}, {"station", nil}, {"from", nil}, {"to", nil}, formatParams("json", "csv")},
	"/assessment": {{"area", nil}, {"month", nil}, {"from", nil}, {"to", nil}, formatParams("json", "text", "markdown", "csv"),
		langParam, {"table", []string{"compensation", "ranking"}}},
	"/now":         {{"area", nil}, langParam},
	"/sites":       {},
	"/dryrun":      {{"source", nil}},
	"/backfills":   {{"source", nil}, {"from", nil}, {"to", nil}, boolParam("force")},
	"/spool":       {{"id", nil}},
	"/spool/retry": {{"id", nil}},
	"/spool/drop":  {{"id", nil}},
	"/rebuild":     {{"year", nil}},
}

// checkParams refuses unknown, repeated and out-of-set parameters of an endpoint.
func checkParams(endpoint string, q url.Values) error {
	ps, ok := endpointParams[endpoint]
	if !ok {
		return nil
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.name)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i := slices.IndexFunc(ps, func(p param) bool { return p.name == k })
		if i < 0 {
			takes := "no parameters"
			if len(names) > 0 {
				takes = "only " + strings.Join(names, ", ")
			}
			msg := fmt.Sprintf("unknown parameter %q: %s takes %s", k, endpoint, takes)
			if s := nearest(k, names); s != "" {
				msg = fmt.Sprintf("unknown parameter %q (did you mean %q?): %s takes %s", k, s, endpoint, takes)
			}
			return Errorf(http.StatusBadRequest, "%s", msg)
		}
		if len(q[k]) > 1 {
			return Errorf(http.StatusBadRequest, "parameter %q given %d times", k, len(q[k]))
		}
		if v := q.Get(k); ps[i].values != nil && v != "" && !slices.Contains(ps[i].values, v) {
			return Errorf(http.StatusBadRequest, "%s %q: want %s", k, v, strings.Join(ps[i].values, " or "))
		}
	}
	return nil
}

// checkYear reads a year parameter: required, a number, and one envwatch can hold data of.
func checkYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	switch {
	case s == "":
		return 0, Errorf(http.StatusBadRequest, "year is required")
	case err != nil:
		return 0, Errorf(http.StatusBadRequest, "year %q: want a year such as 2026", s)
	}
	return y, CheckYear(y)
}

// CheckYear refuses a year envwatch cannot hold data of (the CLI's --year too: a
// year of 99999999999 or −1 is a typing slip, not a question).
func CheckYear(y int) error {
	if y < 2000 || y > 2100 {
		return Errorf(http.StatusBadRequest, "year %d: want a year between 2000 and 2100", y)
	}
	return nil
}

// nearest is the parameter name within two edits of k, if any.
func nearest(k string, names []string) string {
	if n, d := spelling.Nearest(k, names); d >= 0 && d <= 2 {
		return n
	}
	return ""
}
