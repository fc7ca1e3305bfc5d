// Command bicycle-vk trains and samples BicycleGAN on any Vulkan device.
//
//	bicycle-vk devices            list Vulkan devices and the limits that matter
//	bicycle-vk bench              time the training iteration
//	bicycle-vk train              train BicycleGAN (default: on the bundled demo data)
//	bicycle-vk sample             sample a trained generator
//	bicycle-vk help [command]     explain a command
package main

import (
	"fmt"
	"os"
	"sort"
)

// command is one subcommand: its one-line summary and its entry point,
// which parses its own flags from args.
type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"devices": {"list the Vulkan devices and the compute limits that matter", runDevices},
	"bench":   {"time the full training iteration and report s/iter, GFLOP/s, memory, GPU time by op", runBench},
	"train":   {"train BicycleGAN on an aligned A|B dataset (default: the bundled demo)", runTrain},
	"sample":  {"sample a trained generator: random, interpolation, or your own images (--input)", runSample},
}

func usage() {
	fmt.Fprintln(os.Stderr, "bicycle-vk: BicycleGAN training and sampling on Vulkan")
	fmt.Fprintln(os.Stderr, "\nusage: bicycle-vk <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'bicycle-vk <command> --help' for a command's flags.")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 0 {
			if c, ok := commands[args[0]]; ok {
				_ = c.run([]string{"--help"})
				return
			}
		}
		usage()
		return
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "bicycle-vk: unknown command %q\n\n", name)
		usage()
		os.Exit(2)
	}
	if err := c.run(args); err != nil {
		fmt.Fprintln(os.Stderr, "bicycle-vk "+name+":", err)
		os.Exit(1)
	}
}
