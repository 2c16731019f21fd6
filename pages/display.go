package pages

import (
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/indicator"
)

// How a page writes what the API answers in codes and machine forms: a time as a bureau
// writes it (12月6日 11时), a pollutant as the bulletins do (O₃ 8小时), a water class in
// Roman numerals, a level in words. The API's own value stays in the figure's data-value,
// where a machine (and the tests) read it.

// when writes an RFC 3339 time in Beijing time: 12月6日 11时 (11:12 with minutes) / 6 Dec 11:00.
func (w *words) when(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	t = t.In(airquality.Shanghai)
	if w.lang == "en" {
		return t.Format("2 Jan 15:04")
	}
	if t.Minute() != 0 {
		return t.Format("1月2日 15:04")
	}
	return t.Format("1月2日 15时")
}

// day writes a date: 11月1日 / 1 Nov (with the year when asked).
func (w *words) day(s string, withYear bool) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	switch {
	case w.lang == "en" && withYear:
		return t.Format("2 Jan 2006")
	case w.lang == "en":
		return t.Format("2 Jan")
	case withYear:
		return t.Format("2006年1月2日")
	}
	return t.Format("1月2日")
}

// pollutant names an air item code (pm2_5, o3_8h, o3_1h_max …) as the bulletins write it.
func (w *words) pollutant(code string) string {
	zh := map[string]string{"pm2_5": "PM2.5", "pm10": "PM10", "so2": "SO₂", "no2": "NO₂", "co": "CO", "o3": "O₃",
		"o3_8h": "O₃ 8小时", "o3_1h_max": "O₃ 日最大1小时"}
	en := map[string]string{"o3_8h": "O₃ 8-h", "o3_1h_max": "O₃ 1-h max"}
	if w.lang == "en" {
		if n, ok := en[code]; ok {
			return n
		}
	}
	if n, ok := zh[code]; ok {
		return n
	}
	return code
}

// item names a water item code (tp → 总磷 / TP).
func (w *words) item(code string) string { return indicator.ItemText(w.lang, code) }

// class writes a water class (III → Ⅲ类 / Class III; 劣V → 劣Ⅴ类 / worse than V).
func (w *words) class(c string) string { return indicator.ClassText(w.lang, c) }

// shown is a figure written for people, its API value kept in data-value.
func shown(c Cell, text string) Cell {
	if c.Missing || text == c.Text {
		return c
	}
	c.Value, c.Text = c.Text, text
	return c
}

// stamp writes the moment a page was made, in Beijing time with the year.
func (w *words) stamp(t time.Time) string {
	t = t.In(airquality.Shanghai)
	if w.lang == "en" {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2006年1月2日 15:04")
}

// siteLevel names a section's level (national, provincial) in words.
func (w *words) siteLevel(l string) string { return indicator.LevelText(w.lang, l) }

// Punctuation of the page's language: Chinese full-width, English with spaces.
func (w *words) colon(label string) string {
	if w.lang == "en" {
		return label + ": "
	}
	return label + "："
}

func (w *words) paren(s string) string {
	if w.lang == "en" {
		return " (" + s + ")"
	}
	return "（" + s + "）"
}

func (w *words) semi() string {
	if w.lang == "en" {
		return "; "
	}
	return "；"
}

func (w *words) comma() string {
	if w.lang == "en" {
		return ", "
	}
	return "，"
}

func (w *words) listSep() string {
	if w.lang == "en" {
		return ", "
	}
	return "、"
}

// dayRanges writes days (YYYY-MM-DD, ascending) with runs of consecutive days as ranges:
// 1月1日至3月5日、7月15日 / 1 Jan–5 Mar, 15 Jul.
func (w *words) dayRanges(days []string) string {
	ds := make([]airquality.Day, 0, len(days))
	for _, s := range days {
		if d, err := airquality.ParseDay(s); err == nil {
			ds = append(ds, d)
		}
	}
	sep := "至"
	if w.lang == "en" {
		sep = "–"
	}
	var parts []string
	for _, r := range airquality.DayRuns(ds) {
		part := w.day(r[0].String(), false)
		if r[1] != r[0] {
			part += sep + w.day(r[1].String(), false)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, w.listSep())
}
