package realpart

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// ZimcheckLog is one finding in the JSON report of Debian's zimcheck (-J).
type ZimcheckLog struct {
	Check   string `json:"check"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

// Zimcheck runs `zimcheck -A -J` (every check) on a ZIM file and returns
// its findings: none for a file Kiwix reads without complaint.
func Zimcheck(t testing.TB, file string) []ZimcheckLog {
	t.Helper()
	bin := Need(t, "zimcheck", "Debian package zim-tools")
	out, err := exec.Command(bin, "-A", "-J", file).Output()
	// zimcheck exits 1 when it finds an error; the report says which.
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("zimcheck: %v", err)
	}
	var report struct {
		Status bool          `json:"status"`
		Logs   []ZimcheckLog `json:"logs"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("zimcheck's report: %v\n%s", err, out)
	}
	if !report.Status && len(report.Logs) == 0 {
		t.Fatalf("zimcheck failed and said nothing: %s", out)
	}
	return report.Logs
}
