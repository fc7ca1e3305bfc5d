package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"bicycle-vk/graph"
	"bicycle-vk/vk"
)

func runDevices(args []string) error {
	fs := pflag.NewFlagSet("devices", pflag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: bicycle-vk devices [--device SEL]\n\n"+
			"Lists every Vulkan device: name, type, driver, memory heaps and the compute limits\n"+
			"that shape the kernels, and marks the one bicycle-vk would use.\n\nflags:")
		fs.PrintDefaults()
	}
	sel := fs.String("device", "", "device to mark as chosen: index or name substring (default: $BICYCLE_VK_DEVICE, else the best)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	infos, err := vk.ListDevices()
	if err != nil {
		return err
	}
	dev, err := vk.Open(vk.Options{Device: *sel})
	if err != nil {
		return err
	}
	chosen, tune := dev.Info.Index, graph.TuningFor(dev.Info)
	dev.Close()
	for _, d := range infos {
		fmt.Print(d.Describe())
		if d.Index == chosen {
			fmt.Printf("    chosen by bicycle-vk; convolution tiles:\n"+
				"      conv2d             %v (<= %d output pixels: %v; stride-1 rows: %v)\n"+
				"      conv_transpose2d   %v (few pixels: %v; rows: %v)\n"+
				"      weight gradient    %v (stride-1 rows: %v)\n",
				tune.Conv, tune.FewPixels, tune.ConvFew, tune.Rows, tune.ConvT, tune.ConvTFew, tune.ConvTRows,
				tune.WGrad, tune.WGradRows)
		}
		fmt.Println()
	}
	return nil
}
