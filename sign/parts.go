package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An edition's list of files is split in parts, one per folder at the
// root of the site (a service's "ru/", "media/") and one for the files
// at the root ("_"), each written twice, in manifests/ beside the site:
//
//	manifests/ru.0f3a9c1b2d4e5f60.json  the part's files with SHA-256 and size
//	manifests/ru.5e1d07a8c9b3f214.sums  the same files, as `sha256sum -c` reads them
//
// The signed manifest.json lists the parts, each with its SHA-256 and
// size, and SHA256SUMS lists them for sha256sum: a publish changes a few
// parts (the service's, the root's), so an edition rewrites and signs a
// few small files, not the list of every file of the site. A part is
// named after its content (the first 16 hex digits of its SHA-256): a part
// that did not change keeps its name from edition to edition, and the
// next edition's parts never overwrite the current one's while a push is
// under way.
const (
	// PartsDir is the folder, at the root of an export, of the parts.
	PartsDir = "manifests"
	// RootGroup is the group of the files at the root of the site.
	RootGroup = "_"
	// PartSuffix and PartSumsSuffix end a part's two files.
	PartSuffix     = ".json"
	PartSumsSuffix = ".sums"
	partHashDigits = 16
	maxGroupBytes  = 64
)

// GroupOf is the part a file of the site is listed in: the folder at the
// root it is in, or RootGroup for a file at the root (and for a folder
// whose name is no plain group name, which the site never makes).
func GroupOf(path string) string {
	dir, _, ok := strings.Cut(path, "/")
	if !ok || !plainGroup(dir) {
		return RootGroup
	}
	return dir
}

// plainGroup: letters, digits and hyphens (a service code, "media"), at
// most maxGroupBytes, starting with a letter or digit: a name that needs
// no quoting in a shell command nor in sha256sum's format.
func plainGroup(s string) bool {
	if s == "" || len(s) > maxGroupBytes || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsPart reports whether a tree path is in the parts folder: a part of
// some edition, or a file no edition may list (CheckPath refuses it).
func IsPart(path string) bool { return strings.HasPrefix(path, PartsDir+"/") }

// isPartPath reports whether path is well named for a part.
func isPartPath(path string) bool {
	_, _, err := ParsePartName(path)
	return err == nil
}

// partName is the path of a part's file: its group, the first digits of
// its SHA-256, and its suffix.
func partName(group, sha, suffix string) string {
	return PartsDir + "/" + group + "." + sha[:partHashDigits] + suffix
}

// ParsePartName reads a part's path: its group and whether it is the
// sums file. The hash digits in the name are checked against the part's
// SHA-256 by Validate.
func ParsePartName(path string) (group string, sums bool, err error) {
	rest, ok := strings.CutPrefix(path, PartsDir+"/")
	if !ok {
		return "", false, fmt.Errorf("part %q is not in %s/", path, PartsDir)
	}
	switch {
	case strings.HasSuffix(rest, PartSuffix):
		rest = strings.TrimSuffix(rest, PartSuffix)
	case strings.HasSuffix(rest, PartSumsSuffix):
		rest, sums = strings.TrimSuffix(rest, PartSumsSuffix), true
	default:
		return "", false, fmt.Errorf("part %q ends neither in %s nor in %s", path, PartSuffix, PartSumsSuffix)
	}
	group, digits, ok := strings.Cut(rest, ".")
	if !ok || (group != RootGroup && !plainGroup(group)) || len(digits) != partHashDigits || !lowerHex(digits) {
		return "", false, fmt.Errorf("part %q is not named GROUP.%d-HEX-DIGITS%s", path, partHashDigits, PartSuffix)
	}
	return group, sums, nil
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validateParts checks the parts a manifest lists: well named after their
// content, sorted, and for each group one list and one sums file.
func validateParts(parts []File) error {
	lists, sums := map[string]bool{}, map[string]bool{}
	for i, p := range parts {
		group, isSums, err := ParsePartName(p.Path)
		if err != nil {
			return err
		}
		if !lowerHex64(p.SHA256) || p.Path[len(PartsDir)+1+len(group)+1:][:partHashDigits] != p.SHA256[:partHashDigits] {
			return fmt.Errorf("part %q: sha256 %q is not 64 lower-case hex digits beginning with the name's", p.Path, p.SHA256)
		}
		if p.Size < 0 {
			return fmt.Errorf("part %q: size %d", p.Path, p.Size)
		}
		if i > 0 && parts[i-1].Path >= p.Path {
			return fmt.Errorf("parts are not sorted without repeats: %q before %q", parts[i-1].Path, p.Path)
		}
		set := lists
		if isSums {
			set = sums
		}
		if set[group] {
			return fmt.Errorf("group %q has two parts", group)
		}
		set[group] = true
	}
	for g := range lists {
		if !sums[g] {
			return fmt.Errorf("group %q has a list and no sums", g)
		}
	}
	for g := range sums {
		if !lists[g] {
			return fmt.Errorf("group %q has sums and no list", g)
		}
	}
	return nil
}

// Part is one group's files, as read from its part.
type Part struct {
	Group string
	Files []File
}

// MarshalPart writes a part's list: {"files":[…]}, a file a line, as the
// manifest was before it was split.
func MarshalPart(files []File) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(files) * 150)
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteString(`{"files":[`)
	for i, f := range files {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		if plainJSON(f.Path) && plainJSON(f.SHA256) {
			// What the encoder writes, without its reflection.
			b.WriteString(`{"path":"`)
			b.WriteString(f.Path)
			b.WriteString(`","sha256":"`)
			b.WriteString(f.SHA256)
			b.WriteString(`","size":`)
			b.Write(strconv.AppendInt(b.AvailableBuffer(), f.Size, 10))
			b.WriteByte('}')
			continue
		}
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("part: %w", err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

// ParsePart reads a part's list of a group and checks it: every path safe
// (CheckPath), in the group, sorted without repeats, every hash 64
// lower-case hex digits, no size below 0.
func ParsePart(group string, data []byte) ([]File, error) {
	if looksLikeHTML(data) {
		return nil, errors.New("this is HTML, not a part of a manifest")
	}
	if !utf8.Valid(data) {
		return nil, errors.New("not a part of a manifest: not UTF-8")
	}
	var p struct {
		Files []File `json:"files"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not a part of a manifest: %w", err)
	}
	for i, f := range p.Files {
		if err := CheckPath(f.Path); err != nil {
			return nil, fmt.Errorf("file %d: %w", i, err)
		}
		if g := GroupOf(f.Path); g != group {
			return nil, fmt.Errorf("file %q belongs in the part of %q, not of %q", f.Path, g, group)
		}
		if i > 0 && p.Files[i-1].Path >= f.Path {
			return nil, fmt.Errorf("files are not sorted without repeats: %q before %q", p.Files[i-1].Path, f.Path)
		}
		if !lowerHex64(f.SHA256) {
			return nil, fmt.Errorf("file %q: sha256 %q is not 64 lower-case hex digits", f.Path, f.SHA256)
		}
		if f.Size < 0 {
			return nil, fmt.Errorf("file %q: size %d", f.Path, f.Size)
		}
	}
	return p.Files, nil
}

// marshalSumsOf writes files in sha256sum's format.
func marshalSumsOf(files []File) []byte {
	var b bytes.Buffer
	b.Grow(len(files) * 100)
	for _, f := range files {
		b.WriteString(f.SHA256)
		b.WriteString("  ")
		b.WriteString(f.Path)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// splitGroups splits sorted files by group, the groups in order.
func splitGroups(files []File) (groups []string, byGroup map[string][]File) {
	byGroup = map[string][]File{}
	for _, f := range files {
		g := GroupOf(f.Path)
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], f)
	}
	slices.Sort(groups)
	return groups, byGroup
}

// checkReused refuses files of a group whose part is reused, and a file
// at the root named as a group of the edition (a file and a directory
// both): the checks across groups that validateFiles, given only the
// files of the groups whose parts are made, cannot do.
func checkReused(files, reused []File) error {
	groups := map[string]bool{}
	for _, p := range reused {
		g, _, err := ParsePartName(p.Path)
		if err != nil {
			return err
		}
		groups[g] = true
	}
	reusedGroups := maps.Clone(groups)
	for _, f := range files {
		g := GroupOf(f.Path)
		if reusedGroups[g] {
			return fmt.Errorf("file %q is of group %q, whose part is reused", f.Path, g)
		}
		groups[g] = true
	}
	for _, f := range files {
		if !strings.Contains(f.Path, "/") && groups[f.Path] {
			return fmt.Errorf("%q is listed as a file and as a directory", f.Path)
		}
	}
	return nil
}

// makeParts writes the parts of the groups of files, and lists those of
// known (of groups the caller says are unchanged, none of whose files are
// in files) as they are: the parts and the bytes of the new ones (a
// reused part is on the tree already).
func makeParts(files []File, known []File) (parts []File, data []NamedFile, err error) {
	reuse := map[string][]File{}
	for _, p := range known {
		g, _, err := ParsePartName(p.Path)
		if err != nil {
			return nil, nil, err
		}
		reuse[g] = append(reuse[g], p)
	}
	for _, r := range reuse {
		if len(r) != 2 {
			return nil, nil, fmt.Errorf("a group's part is reused without its sums, or twice: %q", r[0].Path)
		}
		parts = append(parts, r...)
	}
	groups, byGroup := splitGroups(files)
	for _, g := range groups {
		if reuse[g] != nil {
			return nil, nil, fmt.Errorf("group %q has files and a reused part", g)
		}
		list, err := MarshalPart(byGroup[g])
		if err != nil {
			return nil, nil, err
		}
		for _, b := range []struct {
			data   []byte
			suffix string
		}{{list, PartSuffix}, {marshalSumsOf(byGroup[g]), PartSumsSuffix}} {
			sum := sha256.Sum256(b.data)
			f := File{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b.data))}
			f.Path = partName(g, f.SHA256, b.suffix)
			parts = append(parts, f)
			data = append(data, NamedFile{Name: f.Path, Data: b.data})
		}
	}
	slices.SortFunc(parts, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return parts, data, nil
}

// AssembleFiles reads an edition's files from its parts: read returns a
// part's bytes, checked against the part's signed hash and size (ReadPart
// does). A part that cannot be read leaves its group out, with the error
// in missing, by the part's path; the files of the groups read are sorted
// and validated together (Validate).
func AssembleFiles(m *Manifest, read func(part File) ([]byte, error)) (missing map[string]error, err error) {
	var files []File
	lists := map[string][]File{}
	var sums []File
	for _, p := range m.Parts {
		group, isSums, _ := ParsePartName(p.Path) // Validate checked the names
		if isSums {
			sums = append(sums, p)
			continue
		}
		data, rerr := read(p)
		if rerr != nil {
			if missing == nil {
				missing = map[string]error{}
			}
			missing[p.Path] = rerr
			continue
		}
		fs, perr := ParsePart(group, data)
		if perr != nil {
			return nil, fmt.Errorf("%s: %w", p.Path, perr)
		}
		lists[group] = fs
		files = append(files, fs...)
	}
	// The sums say the same as the lists: a signed edition whose two
	// lists disagree is refused whole, not file by file.
	for _, p := range sums {
		group, _, _ := ParsePartName(p.Path)
		fs, ok := lists[group]
		if !ok {
			continue
		}
		want := marshalSumsOf(fs)
		sum := sha256.Sum256(want)
		if hex.EncodeToString(sum[:]) != p.SHA256 || int64(len(want)) != p.Size {
			return nil, fmt.Errorf("%s does not list what the list of group %q lists", p.Path, group)
		}
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	m.Files = files
	if err := m.validateFiles(); err != nil {
		return nil, err
	}
	return missing, nil
}

// CheckPartBytes checks a part's bytes against its entry in the manifest.
func CheckPartBytes(p File, data []byte) error {
	sum := sha256.Sum256(data)
	if int64(len(data)) != p.Size || hex.EncodeToString(sum[:]) != p.SHA256 {
		return fmt.Errorf("%s is not the part the manifest lists (%d bytes, sha256 %s…; signed: %d bytes, %s…)",
			p.Path, len(data), hex.EncodeToString(sum[:6]), p.Size, p.SHA256[:12])
	}
	return nil
}
