package temporal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/playbook-sh/playbook/engine/temporal/blob"
)

// Codec compresses payloads with zlib when that makes them smaller: vendor
// replies are JSON and shrink several times over, so histories stay small
// and a reply fits the payload limit sooner.
func Codec() converter.PayloadCodec {
	return converter.NewZlibCodec(converter.ZlibCodecOptions{AlwaysEncode: false})
}

// DataConverter is what workers, clients and replayers share when no
// result store is configured: NewDataConverter(nil).
func DataConverter() converter.DataConverter { return NewDataConverter(nil) }

// NewDataConverter is the SDK's JSON payloads through [Codec], then, with
// a result store, through [ClaimCheck]: a payload still over
// ClaimThreshold once compressed is kept in the store, and history holds
// its key. Workers, clients and replayers of one namespace need the same
// store to read such payloads back.
func NewDataConverter(results blob.Store) converter.DataConverter {
	// Codecs encode last to first: compression, then the claim check.
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), ClaimCheck(results), Codec())
}

// ClaimThreshold is the encoded size above which a payload goes to the
// result store: well under Temporal's 2 MB limit of one payload, so
// histories (limited to 50 MB) stay small.
const ClaimThreshold = 256 << 10

// claimEncoding marks a payload whose data is the key of the payload kept
// in the result store.
const claimEncoding = "binary/playbook-result-store"

// ClaimCheck keeps payloads over ClaimThreshold in results, under the
// SHA-256 of their bytes, and puts a payload naming that key in their
// place; decoding fetches and verifies them. With results nil it passes
// payloads through, and a reference it meets is an error saying a result
// store is needed.
func ClaimCheck(results blob.Store) converter.PayloadCodec { return claimCodec{results} }

type claimCodec struct{ st blob.Store }

// storeTimeout bounds one put or get of the result store.
const storeTimeout = time.Minute

func (c claimCodec) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.st == nil {
		return ps, nil
	}
	out := make([]*commonpb.Payload, len(ps))
	for i, p := range ps {
		if proto.Size(p) <= ClaimThreshold {
			out[i] = p
			continue
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		key := hex.EncodeToString(sum[:])
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		err = c.st.Put(ctx, key, b)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("keep a %d-byte payload in the result store: %w", len(b), err)
		}
		out[i] = &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(claimEncoding)}, Data: []byte(key)}
	}
	return out, nil
}

func (c claimCodec) Decode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(ps))
	for i, p := range ps {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != claimEncoding {
			out[i] = p
			continue
		}
		key := string(p.GetData())
		if c.st == nil {
			return nil, fmt.Errorf("payload %s is kept in a result store: give this process the store the workers use (--result-store, or $%s)", key, ResultStoreEnv)
		}
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		b, err := c.st.Get(ctx, key)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("result store %s: payload %s: %w", c.st, key, err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != key {
			return nil, fmt.Errorf("result store %s: payload %s: its content does not match its key", c.st, key)
		}
		var q commonpb.Payload
		if err := proto.Unmarshal(b, &q); err != nil {
			return nil, fmt.Errorf("result store %s: payload %s: %w", c.st, key, err)
		}
		out[i] = &q
	}
	return out, nil
}

// ResultStoreEnv names the environment variable of the result store's
// location, the default of --result-store.
const ResultStoreEnv = "PLAYBOOK_RESULT_STORE"

// DecodePayloads decodes, in place, every payload inside m (a history, an
// event) that [Codec] encoded, so it can be read or searched.
func DecodePayloads(m proto.Message) error {
	return decodeIn(m.ProtoReflect(), Codec())
}

func decodeIn(m protoreflect.Message, codec converter.PayloadCodec) error {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		out, err := codec.Decode([]*commonpb.Payload{p})
		if err != nil {
			return err
		}
		if out[0] != p {
			proto.Reset(p)
			proto.Merge(p, out[0])
		}
		return nil
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = decodeIn(l.Get(i).Message(), codec)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, e protoreflect.Value) bool {
				err = decodeIn(e.Message(), codec)
				return err == nil
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			err = decodeIn(v.Message(), codec)
		}
		return err == nil
	})
	return err
}
