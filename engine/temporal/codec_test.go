package temporal

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-sh/playbook/engine/temporal/blob"
	"google.golang.org/protobuf/proto"
)

func TestClaimCheck(t *testing.T) {
	dir := t.TempDir()
	st, err := blob.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 1<<20)
	rand.Read(random)
	big := map[string]string{"data": base64.StdEncoding.EncodeToString(random)} // incompressible
	small := map[string]string{"data": "hello"}

	dc := NewDataConverter(st)
	p, err := dc.ToPayload(big)
	if err != nil {
		t.Fatal(err)
	}
	if n := proto.Size(p); n > 200 || string(p.Metadata["encoding"]) != claimEncoding {
		t.Fatalf("a 1.3 MB payload encodes to %d bytes, encoding %q: not a reference", n, p.Metadata["encoding"])
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 || files[0].Name() != string(p.Data) {
		t.Fatalf("the store holds %v, the reference names %s", files, p.Data)
	}
	var back map[string]string
	if err := dc.FromPayload(p, &back); err != nil || back["data"] != big["data"] {
		t.Fatalf("read back: %v", err)
	}
	// Small payloads stay in history, compressed or not.
	ps, err := dc.ToPayload(small)
	if err != nil || string(ps.Metadata["encoding"]) == claimEncoding {
		t.Fatalf("a small payload: %v %q", err, ps.Metadata["encoding"])
	}

	// A process without the store names what it needs.
	if err := DataConverter().FromPayload(p, &back); err == nil || !strings.Contains(err.Error(), ResultStoreEnv) {
		t.Errorf("without a store: %v", err)
	}
	// Without a store, encoding keeps everything in history.
	if q, err := DataConverter().ToPayload(big); err != nil || string(q.Metadata["encoding"]) == claimEncoding {
		t.Errorf("without a store: %v %q", err, q.Metadata["encoding"])
	}
	// A stored payload that changed is refused, not decoded.
	f := filepath.Join(dir, string(p.Data))
	b, _ := os.ReadFile(f)
	b[len(b)-1] ^= 1
	os.WriteFile(f, b, 0o600)
	if err := dc.FromPayload(p, &back); err == nil || !strings.Contains(err.Error(), "does not match its key") {
		t.Errorf("a changed object: %v", err)
	}
	os.Remove(f)
	if err := dc.FromPayload(p, &back); err == nil || !strings.Contains(err.Error(), string(p.Data)) {
		t.Errorf("a missing object: %v", err)
	}
}
