package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"strconv"

	"github.com/chromedp/chromedp"
)

// shot URL WIDTH PREFIX SEG: the full page at WIDTH px, cut into PNGs of SEG px height.
func main() {
	url, prefix := os.Args[1], os.Args[3]
	w, _ := strconv.Atoi(os.Args[2])
	seg, _ := strconv.Atoi(os.Args[4])
	actx, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath("/usr/bin/chromium"), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	var opts []chromedp.EmulateViewportOption
	if w < 600 {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), 900, opts...), chromedp.Navigate(url), chromedp.WaitReady("footer")); err != nil {
		panic(err)
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(95))
	if err != nil {
		panic(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(buf))
	if err != nil {
		panic(err)
	}
	b := img.Bounds()
	fmt.Println(b)
	for i, y := 0, 0; y < b.Dy(); i, y = i+1, y+seg {
		sub := img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(0, y, b.Dx(), min(y+seg, b.Dy())))
		f, _ := os.Create(fmt.Sprintf("%s%02d.png", prefix, i))
		png.Encode(f, sub)
		f.Close()
	}
}
