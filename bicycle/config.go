package bicycle

import (
	"fmt"
	"math/bits"
)

// Config fixes the networks' shapes: what a weight file's metadata records
// so that sampling can rebuild the networks without flags.
type Config struct {
	ImgSize      int  // a power of two, 32 to 256
	NZ           int  // latent code length
	NGF          int  // generator width (64 in the paper's table)
	NEF          int  // encoder width
	NDF          int  // discriminator width
	ConditionalD bool // D sees cat(A, B) instead of B
}

// DefaultConfig is the seed's 128x128 model.
func DefaultConfig() Config {
	return Config{ImgSize: 128, NZ: 8, NGF: 64, NEF: 64, NDF: 64}
}

// Validate says what is wrong with a config, in the flags' words.
func (c Config) Validate() error {
	switch {
	case c.ImgSize < 32 || c.ImgSize > 256 || bits.OnesCount(uint(c.ImgSize)) != 1:
		return fmt.Errorf("img_size %d: must be a power of two from 32 to 256", c.ImgSize)
	case c.NZ < 1:
		return fmt.Errorf("z_dim %d: must be at least 1", c.NZ)
	case c.NGF < 1 || c.NEF < 1 || c.NDF < 2:
		return fmt.Errorf("widths ngf %d, nef %d, ndf %d: ngf and nef must be at least 1, ndf at least 2", c.NGF, c.NEF, c.NDF)
	}
	return nil
}

// levels is the U-Net depth: log2(img_size) (7 at 128).
func (c Config) levels() int { return bits.Len(uint(c.ImgSize)) - 1 }

// dIn is the discriminators' input channels.
func (c Config) dIn() int {
	if c.ConditionalD {
		return 6
	}
	return 3
}
