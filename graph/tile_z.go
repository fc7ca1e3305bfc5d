package graph

import "bicycle-vk/vk"

// TileZ broadcasts a latent code z [N,Z] over a map, y [N,Z,H,W] with
// y[n,k,h,w] = z[n,k], so that it can be concatenated with image channels.
// Its backward is a sum over the map (SpatialSum).
func (r *Rec) TileZ(y, z *Tensor) {
	const op = "tile_z"
	if r.err != nil {
		return
	}
	if len(y.Shape) != 4 || len(z.Shape) != 2 || y.Shape[0] != z.Shape[0] || y.Shape[1] != z.Shape[1] {
		r.fail(op, "need z [N,Z] and y [N,Z,H,W], got z %v, y %v", z.Shape, y.Shape)
		return
	}
	rows, hw := z.Len(), y.Shape[2]*y.Shape[3]
	groups := groups1D(hw, 256)
	groups[1] = uint32(min(rows, maxGroups))
	r.dispatch(op, "tile_z", nil, groups, vk.Push(rows, hw), vk.In(z.Buf), vk.Out(y.Buf))
}
