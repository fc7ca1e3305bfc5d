module bicycle-vk

go 1.26.8

require (
	github.com/disintegration/imaging v1.6.2
	github.com/spf13/pflag v1.1.0
	github.com/vulkan-go/vulkan v0.0.0-20210402152248-956e3850d8f9
)

require golang.org/x/image v0.0.0-20191009234506-e7c1f5e7dbb8 // indirect
