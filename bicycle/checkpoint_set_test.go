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
			dir := filepath.Join(t.TempDir(), "w[1]") // pattern characters in the folder's name
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
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
			} else { // killed in the middle of writing a staged file
				write(filepath.Join(dir, ".G.safetensors.staged.tmp123"), "part")
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

// TestSaveCheckpointAfterKilledSave: a save into a folder where an earlier
// save was killed (its commit half done, another's staged files lying
// about) still leaves one whole set, which loads.
func TestSaveCheckpointAfterKilledSave(t *testing.T) {
	e := engine(t)
	cfg := Config{ImgSize: 32, NZ: 2, NGF: 2, NEF: 2, NDF: 2}
	m, err := NewModel(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Graph.Close()
	tr, err := NewTrainer(m, 1, DefaultHyper())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st := TrainState{Seed: 1, BatchSize: 2, Direction: "AtoB", Iteration: 3, RNG: []byte{1, 2, 3}}
	if err := tr.SaveCheckpoint(dir, st, "first", "AtoB"); err != nil {
		t.Fatal(err)
	}
	// A killed save: its commit lists E only, whose staged file is junk from
	// yet another save; a staged G lies about uncovered.
	junk := []byte("not a checkpoint")
	for _, f := range []string{".E.safetensors.staged", ".G.safetensors.staged"} {
		if err := os.WriteFile(filepath.Join(dir, f), junk, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, commitFileName), []byte("E.safetensors\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st.Iteration = 7
	if err := tr.SaveCheckpoint(dir, st, "second", "AtoB"); err != nil {
		t.Fatal(err)
	}
	tag, err := m.LoadWeights(dir, -1, Networks...)
	if err != nil || tag != "second" {
		t.Fatalf("LoadWeights: tag %q, %v", tag, err)
	}
	got, err := tr.LoadState(dir, tag)
	if err != nil || got.Iteration != 7 {
		t.Fatalf("LoadState: iteration %d, %v", got.Iteration, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
