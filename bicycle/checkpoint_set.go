package bicycle

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A checkpoint's five files (the latest weights of the four networks and
// the training state) are replaced as one set. Each new file is first
// written, synced, under a staged name beside its final one; then a commit
// file listing them is written (atomically); then each is renamed into
// place and the commit file removed. A kill before the commit file exists
// leaves the old set (the staged files are dropped on the next load); a
// kill after it is finished by RecoverCheckpoint, which renames what is
// left. Either way a resumable set remains.

// commitFileName is the commit file's name in the weight folder.
const commitFileName = ".checkpoint-commit"

// stagedPath is where a checkpoint file waits for its commit.
func stagedPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".staged")
}

// SaveCheckpoint replaces the latest weights and the training state in dir
// as one set, tagged tag (see above).
func (t *Trainer) SaveCheckpoint(dir string, st TrainState, tag, direction string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var finals []string
	for _, n := range Networks {
		path := WeightPath(dir, n, -1)
		if err := t.writeWeights(stagedPath(path), n, tag, direction); err != nil {
			return err
		}
		finals = append(finals, path)
	}
	if err := t.writeState(stagedPath(StatePath(dir)), st, tag); err != nil {
		return err
	}
	finals = append(finals, StatePath(dir))
	var names []string
	for _, f := range finals {
		names = append(names, filepath.Base(f))
	}
	if err := writeFileAtomic(filepath.Join(dir, commitFileName), []byte(strings.Join(names, "\n")+"\n")); err != nil {
		return err
	}
	return RecoverCheckpoint(dir)
}

// RecoverCheckpoint brings dir's checkpoint to a whole set: it finishes a
// commit that a kill interrupted (renaming the staged files it lists into
// place) and removes staged files that no commit covers. A folder without
// staged files is left as it is.
func RecoverCheckpoint(dir string) error {
	commit := filepath.Join(dir, commitFileName)
	data, err := os.ReadFile(commit)
	switch {
	case err == nil:
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			name := strings.TrimSpace(sc.Text())
			if name == "" || name != filepath.Base(name) {
				return fmt.Errorf("%s: bad entry %q (delete the file and the .staged files beside it to keep the previous checkpoint)", commit, name)
			}
			final := filepath.Join(dir, name)
			if err := os.Rename(stagedPath(final), final); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("finishing the checkpoint in %s: %w", dir, err)
			}
		}
		if err := syncDir(dir); err != nil {
			return err
		}
		if err := os.Remove(commit); err != nil {
			return err
		}
	case !os.IsNotExist(err):
		return err
	}
	staged, err := filepath.Glob(filepath.Join(dir, ".*.staged"))
	if err != nil {
		return err
	}
	for _, f := range staged {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
}
