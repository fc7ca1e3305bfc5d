// Package bicycle assembles BicycleGAN from the graph package's ops: the
// U-Net generator G, the ResNet encoder E, the two-scale PatchGAN
// discriminators, the cVAE-GAN / cLR-GAN training step, data loading,
// weight files and sampling, as ../shared/design/bicyclegan.md pins them down.
package bicycle
