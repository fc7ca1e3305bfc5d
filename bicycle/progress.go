package bicycle

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws one epoch's progress bar: iterations/s, ETA and the five
// losses. On a terminal it redraws one line; elsewhere (a log file, CI) it
// prints a line every 10 seconds and at the end.
type progress struct {
	w                io.Writer
	epoch, epochs, n int
	from             int // iterations of the epoch done before this run
	start, lastPrint time.Time
	tty              bool
	line             string
	// The rate counts from the first update on: a process's first iteration
	// also compiles its kernels (lavapipe: about 35 s at 128x128 with an
	// empty Mesa shader cache), which would skew the ETA for minutes.
	firstI  int
	firstAt time.Time
}

func newProgress(w io.Writer, epoch, epochs, n, from int) *progress {
	p := &progress{w: w, epoch: epoch, epochs: epochs, n: n, from: from, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(i int, l Losses) { p.updateAt(i, l, time.Now()) }

func (p *progress) updateAt(i int, l Losses, now time.Time) {
	var rate float64
	if p.firstAt.IsZero() {
		p.firstI, p.firstAt = i, now
		rate = float64(i-p.from) / max(now.Sub(p.start).Seconds(), 1e-9)
	} else {
		rate = float64(i-p.firstI) / max(now.Sub(p.firstAt).Seconds(), 1e-9)
	}
	eta := time.Duration(min(float64(p.n-i)/max(rate, 1e-9)*float64(time.Second), float64(1000*time.Hour)))
	const width = 24
	fill := width * i / max(1, p.n)
	p.line = fmt.Sprintf("epoch %d/%d [%s%s] %d/%d %.2f it/s ETA %s | D %.3f GAN %.3f KL %.3f img %.3f z %.3f",
		p.epoch, p.epochs, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), i, p.n, rate,
		eta.Round(time.Second), l.D, l.GAN, l.KL, l.Img, l.Z)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s", p.line)
	} else if now.Sub(p.lastPrint) >= 10*time.Second {
		fmt.Fprintln(p.w, p.line)
		p.lastPrint = now
	}
}

func (p *progress) done() {
	if p.line == "" {
		return
	}
	if p.tty {
		fmt.Fprintln(p.w)
	} else if time.Since(p.lastPrint) > 0 {
		fmt.Fprintln(p.w, p.line)
	}
	p.line = ""
}
