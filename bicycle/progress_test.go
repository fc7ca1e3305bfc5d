package bicycle

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressRate: the first update's time (kernel compilation included)
// does not count towards the rate and ETA of later updates.
func TestProgressRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		from    int
		updates []struct {
			i  int
			at time.Duration
		}
		want string
	}{
		{"first update counts from the start", 0, []struct {
			i  int
			at time.Duration
		}{{1, 30 * time.Second}}, "1/100 0.03 it/s ETA 49m30s"},
		{"later updates count from the first", 0, []struct {
			i  int
			at time.Duration
		}{{1, 30 * time.Second}, {5, 32 * time.Second}}, "5/100 2.00 it/s ETA 48s"},
		{"resumed mid-epoch", 40, []struct {
			i  int
			at time.Duration
		}{{41, 20 * time.Second}, {51, 30 * time.Second}}, "51/100 1.00 it/s ETA 49s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			p := newProgress(&out, 1, 1, 100, c.from)
			p.start = t0
			for _, u := range c.updates {
				p.updateAt(u.i, Losses{}, t0.Add(u.at))
			}
			if !strings.Contains(p.line, c.want) {
				t.Errorf("line %q, want it to contain %q", p.line, c.want)
			}
		})
	}
}
