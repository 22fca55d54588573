package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/wire"
)

// maxIngestBody bounds one ingest request: a few files of agency copy.
const maxIngestBody = 32 << 20

type ingestFileJSON struct {
	Name      string           `json:"name"`
	Stored    []wireStoredJSON `json:"stored"`
	Unchanged int              `json:"unchanged"`
	Skipped   []string         `json:"skipped,omitempty"`
	Error     string           `json:"error,omitempty"`
}

type wireStoredJSON struct {
	ID       int64  `json:"id"`
	GUID     string `json:"guid"`
	Version  string `json:"version"`
	Type     string `json:"type"`
	Headline string `json:"headline"`
}

// ingest takes agency copy into a service's wire queue (?service=CODE; a
// token of one service may leave it out): one file as the body, or several
// as multipart parts named "file". Each file goes in whole or not at all,
// and the others of the batch still go in; the answer says what became of
// each. Pictures are never fetched from the network: an item's picture
// becomes media only when it comes with the item (the hot folder, or
// kolokol ingest, reads it from beside the file).
func (a *API) ingest(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	service := r.URL.Query().Get("service")
	if service == "" && len(actor.Services) == 1 {
		service = actor.Services[0]
	}
	if service == "" {
		return kolokol.FieldErrorf(kolokol.EINVALID, "service", "name the service whose wire queue this is for: ?service=CODE")
	}
	type file struct {
		name string
		data []byte
	}
	var files []file
	r.Body = http.MaxBytesReader(w, r.Body, maxIngestBody)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" && params["boundary"] != "" {
		mr, err := r.MultipartReader()
		if err != nil {
			return multipartError(err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			} else if err != nil {
				return multipartError(err)
			}
			if part.FormName() != "file" {
				part.Close()
				continue
			}
			data, err := io.ReadAll(io.LimitReader(part, wire.MaxSize+1))
			if err != nil {
				return multipartError(err)
			}
			name := part.FileName()
			if name == "" {
				name = fmt.Sprintf("file %d", len(files)+1)
			}
			if len(data) > wire.MaxSize {
				return kolokol.FieldErrorf(kolokol.ETOOLARGE, "file", "%s is over the %d MiB a file of agency copy may be", name, wire.MaxSize>>20)
			}
			files = append(files, file{name, data})
		}
	} else {
		data, err := readBody(w, r, wire.MaxSize)
		if err != nil {
			return err
		}
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "body"
		}
		files = append(files, file{name, data})
	}
	if len(files) == 0 || len(files) == 1 && len(files[0].data) == 0 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "file", "no file: send it as the body, or as multipart parts named file")
	}
	out := make([]ingestFileJSON, 0, len(files))
	var last error
	ok := 0
	for _, f := range files {
		res := a.desk.Ingest(r.Context(), actor, service, f.name, f.data, nil)
		j := ingestFileJSON{Name: strings.ToValidUTF8(f.name, "?"), Unchanged: res.Unchanged, Skipped: res.Skipped, Stored: []wireStoredJSON{}}
		if res.Err != nil {
			if c := kolokol.ErrorCode(res.Err); c == kolokol.EFORBIDDEN || c == kolokol.EUNAUTHORIZED || c == kolokol.ENOTFOUND {
				return res.Err // the request, not the file
			}
			j.Error, last = kolokol.ErrorMessage(res.Err), res.Err
		} else {
			ok++
		}
		for _, it := range res.Items {
			j.Stored = append(j.Stored, wireStoredJSON{ID: it.ID, GUID: it.GUID, Version: it.Version, Type: it.Type, Headline: it.Headline})
		}
		out = append(out, j)
	}
	if ok == 0 && len(files) == 1 {
		return last
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": out})
	return nil
}
