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
	chosen, tune := dev.Info.Index, graph.NewEngine(dev).Tune
	dev.Close()
	for _, d := range infos {
		fmt.Print(d.Describe())
		if d.Index == chosen {
			fmt.Println("    chosen by bicycle-vk")
			heading := "convolution tiles"
			if tune.GemmConv.WG != 0 {
				heading = "descriptor kernels, for what the gather kernels leave (1 output pixel)"
				fmt.Printf("    gather kernels (read through buffer device addresses):\n"+
					"      conv_gemm_rows     %v (convs and transposed convs' input gradients with >= %d output pixels)\n"+
					"      conv_gemm_rows     %v (transposed convs and convs' input gradients with >= %d output pixels)\n"+
					"      conv_gemm          %v (weight gradients: %v; what the rows kernel declines)\n"+
					"      conv_gemm_few      %v (2 to %d output pixels)\n"+
					"      convt_small        8 lanes x %d channels, whole maps (transposed convs of 2-4 pixel maps)\n",
					tune.GemmRows, tune.GemmMinCols, tune.GemmRowsT, tune.GemmMinCols, tune.GemmConv, tune.GemmWGrad,
					tune.GemmFew, tune.GemmMinCols-1, tune.GemmSmallT.TM)
			}
			fmt.Printf("    %s:\n"+
				"      conv2d             %v (<= %d output pixels: %v; stride-1 rows: %v)\n"+
				"      conv_transpose2d   %v (few pixels: %v; rows: %v)\n"+
				"      weight gradient    %v (stride-1 rows: %v)\n",
				heading, tune.Conv, tune.FewPixels, tune.ConvFew, tune.Rows, tune.ConvT, tune.ConvTFew, tune.ConvTRows,
				tune.WGrad, tune.WGradRows)
		}
		fmt.Println()
	}
	return nil
}
