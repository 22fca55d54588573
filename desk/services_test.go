package desk

import (
	"strings"
	"testing"
)

func TestParseServiceSpecs(t *testing.T) {
	ok := `[{"code":"fa","tag":"fa-IR","script":"Arab","direction":"rtl","name":"فارسی","time_zone":"Asia/Tehran","sections":[{"slug":"world","name":"جهان"}]}]`
	specs, err := ParseServiceSpecs([]byte(ok))
	if err != nil || len(specs) != 1 || specs[0].Sections[0].Name != "جهان" {
		t.Fatalf("valid file: %v %+v", err, specs)
	}
	for name, tt := range map[string]struct{ in, want string }{
		"not json":         {`{`, "not a JSON array"},
		"unknown field":    {`[{"code":"en","colour":"red"}]`, "colour"},
		"not utf8":         {"[{\"code\":\"\xff\"}]", "UTF-8"},
		"bad tag":          {strings.Replace(ok, "fa-IR", "fa_IR", 1), "BCP 47"},
		"bad zone":         {strings.Replace(ok, "Asia/Tehran", "Asia/Nowhere", 1), "time zone"},
		"bad direction":    {strings.Replace(ok, `"rtl"`, `"up"`, 1), "direction"},
		"bad section":      {strings.Replace(ok, `"world"`, `"../x"`, 1), "section slug"},
		"twice":            {"[" + ok[1:len(ok)-1] + "," + ok[1:], "twice"},
		"section twice":    {strings.Replace(ok, `{"slug":"world","name":"جهان"}`, `{"slug":"world","name":"a"},{"slug":"world","name":"b"}`, 1), "twice"},
		"no native name":   {strings.Replace(ok, `"name":"فارسی"`, `"name":""`, 1), "native name"},
		"script not 15924": {strings.Replace(ok, `"Arab"`, `"Arabic"`, 1), "ISO 15924"},
	} {
		if _, err := ParseServiceSpecs([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", name, err, tt.want)
		}
	}
}
