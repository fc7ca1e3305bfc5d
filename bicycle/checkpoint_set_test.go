package bicycle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecoverCheckpoint plays the kills SaveCheckpoint must survive, on
// files standing for the five of a checkpoint ("old" and "new" contents).
func TestRecoverCheckpoint(t *testing.T) {
	names := []string{"G.safetensors", "E.safetensors", "D_cVAE.safetensors", "D_cLR.safetensors", "train_state.safetensors"}
	cases := []struct {
		name    string
		commit  bool // the commit file was written
		renamed int  // how many staged files were renamed before the kill
		want    string
	}{
		{"killed while staging", false, 0, "old"},
		{"killed after the commit file", true, 0, "new"},
		{"killed between renames", true, 2, "new"},
		{"killed before removing the commit file", true, 5, "new"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(path, s string) {
				if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for i, n := range names {
				final := filepath.Join(dir, n)
				if c.commit && i < c.renamed {
					write(final, "new")
				} else {
					write(final, "old")
					write(stagedPath(final), "new")
				}
			}
			if c.commit {
				write(filepath.Join(dir, commitFileName), strings.Join(names, "\n")+"\n")
			}
			if err := RecoverCheckpoint(dir); err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				b, err := os.ReadFile(filepath.Join(dir, n))
				if err != nil || string(b) != c.want {
					t.Errorf("%s: %q, %v; want %q", n, b, err, c.want)
				}
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
	t.Run("bad commit file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, commitFileName), []byte("../G.safetensors\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := RecoverCheckpoint(dir); err == nil || !strings.Contains(err.Error(), commitFileName) {
			t.Errorf("error %v, want one naming %s", err, commitFileName)
		}
	})
}
