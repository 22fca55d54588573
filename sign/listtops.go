package sign

import (
	"errors"
	"slices"
	"sync"
)

// listTops finishes a tree's listing: paths are the files at its top, and
// each of dirs (the folders there, the services) is listed by a worker's
// lister, a few at once, because listing waits for the file system,
// which serves several readers. Every worker makes its own lister, so
// that it may keep a buffer of its own. The result is sorted.
func listTops(paths, dirs []string, newLister func() func(dir string) ([]string, error)) ([]string, error) {
	found := make([][]string, len(dirs))
	errs := make([]error, len(dirs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(4, len(dirs)) {
		wg.Go(func() {
			list := newLister()
			for i := range next {
				found[i], errs[i] = list(dirs[i])
			}
		})
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, f := range found {
		paths = append(paths, f...)
	}
	slices.Sort(paths)
	return paths, nil
}
