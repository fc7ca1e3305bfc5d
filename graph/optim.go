package graph

import "fmt"

// Adam is torch.optim.Adam (no weight decay) over one parameter group. Its
// update is recorded into the phases that step it; each Run of such a phase
// advances Step and uploads the bias corrections and current LR first, so a
// recorded phase needs no re-recording as t and the LR change.
type Adam struct {
	Params            []*Param
	LR                float64 // set it between runs for a schedule (see LinearDecay)
	Beta1, Beta2, Eps float64
	Step              int // updates taken so far
	hyper             *Tensor
}

// NewAdam creates the optimizer and zeroed moments for params.
func (g *Graph) NewAdam(params []*Param, lr, beta1, beta2, eps float64) (*Adam, error) {
	o := &Adam{Params: params, LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps}
	h, err := g.e.NewTensor(AdamHyperLen)
	if err != nil {
		return nil, err
	}
	o.hyper = h
	g.auxes = append(g.auxes, h)
	for _, p := range params {
		if p.m != nil {
			return nil, fmt.Errorf("graph: parameter %s is already in an optimizer", p.Name)
		}
		zero := make([]float32, p.Value.Len())
		if p.m, err = g.e.FromHost(zero, p.Value.Shape...); err != nil {
			return nil, err
		}
		if p.v, err = g.e.FromHost(zero, p.Value.Shape...); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// advance counts one more update and uploads its hyper-parameters.
func (o *Adam) advance() error {
	o.Step++
	return o.hyper.Upload(AdamHyper(o.LR, o.Beta1, o.Beta2, o.Eps, o.Step))
}

// Moments returns a parameter's Adam moments (m, v), for checkpoints.
func (p *Param) Moments() (m, v *Tensor) { return p.m, p.v }

// LinearDecay is the learning rate for a 0-based epoch: base for the first
// constant epochs, then falling linearly over decay epochs towards 0
// (pix2pix's rule: epoch constant+i gets base*(1-(i+1)/(decay+1))).
func LinearDecay(base float64, epoch, constant, decay int) float64 {
	if epoch < constant || decay <= 0 {
		return base
	}
	f := 1 - float64(epoch-constant+1)/float64(decay+1)
	if f < 0 {
		f = 0
	}
	return base * f
}
