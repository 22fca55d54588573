package zim

import (
	"context"
	"os"
	"testing"
)

func TestDumpSample(t *testing.T) {
	dir := os.Getenv("ZIM_DUMP")
	if dir == "" {
		t.Skip()
	}
	for _, s := range []service{english, persian} {
		if err := WriteFile(context.Background(), dir+"/"+s.lang3+".zim", sample(t, s)); err != nil {
			t.Fatal(err)
		}
	}
}
