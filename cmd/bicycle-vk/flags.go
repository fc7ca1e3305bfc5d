package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"bicycle-vk/bicycle"
)

// newFlags makes a flag set where every underscore name also answers to its
// hyphen spelling (--result_dir and --result-dir), as the seed's users and
// Unix habits both expect.
func newFlags(name, usage string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, n string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(n, "-", "_"))
	})
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, usage+"\n\nflags (each also accepts '-' for '_'):")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; --help is not an error (errHelp tells the caller to
// stop quietly).
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	return nil
}

var errHelp = errors.New("help shown")

// demoRoot returns the bundled demo dataset's folder, generating it on
// first use (deterministic, so a cached copy is always the same data).
func demoRoot() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	root := filepath.Join(base, "bicycle-vk", fmt.Sprintf("demo-%d-%d-%d", bicycle.DemoSize, bicycle.DemoTrain, bicycle.DemoVal))
	if _, err := os.Stat(filepath.Join(root, "val")); err == nil {
		return root, nil
	}
	tmp := root + ".tmp"
	os.RemoveAll(tmp)
	if err := bicycle.WriteDemoDataset(tmp, bicycle.DemoSize, bicycle.DemoTrain, bicycle.DemoVal, 1); err != nil {
		return "", fmt.Errorf("writing the demo dataset: %w", err)
	}
	if err := os.Rename(tmp, root); err != nil {
		return "", err
	}
	return root, nil
}
