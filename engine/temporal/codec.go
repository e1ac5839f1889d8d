package temporal

import (
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Codec compresses payloads with zlib when that makes them smaller: vendor
// replies are JSON and shrink several times over, so histories stay small
// and a reply fits the payload limit sooner.
func Codec() converter.PayloadCodec {
	return converter.NewZlibCodec(converter.ZlibCodecOptions{AlwaysEncode: false})
}

// DataConverter is what workers, clients and replayers share: the SDK's
// JSON payloads through [Codec].
func DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), Codec())
}

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
