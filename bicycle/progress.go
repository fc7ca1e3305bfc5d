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

func (p *progress) update(i int, l Losses) {
	el := time.Since(p.start).Seconds()
	rate := float64(i-p.from) / el
	eta := time.Duration(float64(p.n-i)/rate) * time.Second
	const width = 24
	fill := width * i / max(1, p.n)
	p.line = fmt.Sprintf("epoch %d/%d [%s%s] %d/%d %.2f it/s ETA %s | D %.3f GAN %.3f KL %.3f img %.3f z %.3f",
		p.epoch, p.epochs, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), i, p.n, rate,
		eta.Round(time.Second), l.D, l.GAN, l.KL, l.Img, l.Z)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s", p.line)
	} else if time.Since(p.lastPrint) >= 10*time.Second {
		fmt.Fprintln(p.w, p.line)
		p.lastPrint = time.Now()
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
