package airquality

// Level is an AQI level (级别) 1…6 of HJ 633 Table 2; 0 means not available (NA).
type Level int

// LevelInfo describes a level as HJ 633 Table 2 and Appendix A publish it.
type LevelInfo struct {
	Level      Level
	Name       string // 一级 … 六级
	Category   string // 优 … 严重污染
	CategoryEN string
	Colour     string // 绿 … 褐红
	Hex        string // #00E400 …
	MaxAQI     int    // upper AQI of the level (500 for level 6)
}

var levels = [7]LevelInfo{
	{0, "NA", "NA", "NA", "", "", 0},
	{1, "一级", "优", "Excellent", "绿", "#00E400", 50},
	{2, "二级", "良", "Good", "黄", "#FFFF00", 100},
	{3, "三级", "轻度污染", "Lightly polluted", "橙", "#FF7E00", 150},
	{4, "四级", "中度污染", "Moderately polluted", "红", "#FF0000", 200},
	{5, "五级", "重度污染", "Heavily polluted", "紫", "#99004C", 300},
	{6, "六级", "严重污染", "Severely polluted", "褐红", "#7E0023", 500},
}

// LevelOf returns the level of an AQI value.
func LevelOf(aqi int) Level {
	for l := Level(1); l < 6; l++ {
		if aqi <= levels[l].MaxAQI {
			return l
		}
	}
	return 6
}

// Info returns the published description of the level.
func (l Level) Info() LevelInfo {
	if l < 1 || l > 6 {
		return levels[0]
	}
	return levels[l]
}
