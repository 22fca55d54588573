package media

import (
	"image"
	"math"
)

// plan is the geometry of one upload's master and renditions.
type plan struct {
	mw, mh int // master, upright
	focal  FocalPoint
	jobs   []job
	crops  []crop // per ratio, in option order
}

type crop struct {
	ratio string
	jobs  []int // indexes into plan.jobs, by width
}

// job is one rendition size: a region of the master scaled to w×h. Ratios
// that crop alike (4:3 and "original" for most cameras) share a job.
type job struct {
	r    image.Rectangle
	w, h int
}

// plan sizes the master so that the largest rendition of every ratio is made
// from master pixels without upscaling, then lays out the crops.
func (p *Processor) plan(uw, uh int, focal FocalPoint) plan {
	maxW := p.opt.Widths[len(p.opt.Widths)-1]
	k := 0.0
	for _, r := range p.opt.Ratios {
		cw, _ := cropSize(uw, uh, r)
		k = max(k, float64(min(maxW, cw))/float64(cw))
	}
	pl := plan{mw: max(1, int(math.Round(float64(uw)*k))), mh: max(1, int(math.Round(float64(uh)*k))), focal: focal}
	index := map[job]int{}
	for _, r := range p.opt.Ratios {
		cw, ch := cropSize(pl.mw, pl.mh, r)
		x0 := clampInt(int(math.Round(focal.X*float64(pl.mw)-float64(cw)/2)), 0, pl.mw-cw)
		y0 := clampInt(int(math.Round(focal.Y*float64(pl.mh)-float64(ch)/2)), 0, pl.mh-ch)
		rect := image.Rect(x0, y0, x0+cw, y0+ch)
		var widths []int
		for _, w := range p.opt.Widths {
			if w <= cw {
				widths = append(widths, w)
			}
		}
		if len(widths) == 0 { // smaller than every width: keep its own size
			widths = []int{cw}
		}
		c := crop{ratio: r.Name}
		for _, w := range widths {
			h := clampInt(int(math.Round(float64(w)*float64(ch)/float64(cw))), 1, ch)
			if r.W > 0 {
				h = clampInt(int(math.Round(float64(w)*float64(r.H)/float64(r.W))), 1, ch)
			}
			j := job{rect, w, h}
			i, ok := index[j]
			if !ok {
				i = len(pl.jobs)
				index[j] = i
				pl.jobs = append(pl.jobs, j)
			}
			c.jobs = append(c.jobs, i)
		}
		pl.crops = append(pl.crops, c)
	}
	return pl
}

// need is the memory one upload needs at its peak, from the header alone.
// While the master is made: the decoded upload, the master and its upright
// copy. After: the master, plus per worker a rendition and the WebP
// encoder's working memory (its RGBA input copy and libwebp's planes).
func (pl *plan) need(decoded int64, workers int) int64 {
	m := 4 * int64(pl.mw) * int64(pl.mh)
	var job int64
	for _, j := range pl.jobs {
		job = max(job, int64(j.w)*int64(j.h))
	}
	return max(decoded+2*m, m+int64(workers)*16*job)
}

// cropSize is the largest w×h region of ratio r that fits in a uw×uh image.
func cropSize(uw, uh int, r Ratio) (int, int) {
	if r.W == 0 {
		return uw, uh
	}
	if int64(uw)*int64(r.H) > int64(uh)*int64(r.W) { // wider than r
		return clampInt(int(math.Round(float64(uh)*float64(r.W)/float64(r.H))), 1, uw), uh
	}
	return uw, clampInt(int(math.Round(float64(uw)*float64(r.H)/float64(r.W))), 1, uh)
}

func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }
