package fake

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
)

// pcapFor builds a one-packet capture (a TCP SYN from src to dst:port) in
// the classic libpcap format, stamped at the alert's ID so that each
// alert's capture differs.
func pcapFor(alertID int64, src, dst string, port int) []byte {
	le := binary.LittleEndian
	b := make([]byte, 0, 24+16+54)
	b = le.AppendUint32(b, 0xa1b2c3d4) // magic
	b = le.AppendUint16(b, 2)          // version 2.4
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)     // thiszone
	b = le.AppendUint32(b, 0)     // sigfigs
	b = le.AppendUint32(b, 65535) // snaplen
	b = le.AppendUint32(b, 1)     // Ethernet
	b = le.AppendUint32(b, uint32(1793000000+alertID%100000))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 54)
	b = le.AppendUint32(b, 54)

	be := binary.BigEndian
	b = append(b, 0x00, 0x1b, 0x17, 0x00, 0x01, 0x10) // destination MAC (firewall)
	b = append(b, 0x00, 0x50, 0x56, 0x0a, 0x0b, 0x0c) // source MAC
	b = be.AppendUint16(b, 0x0800)
	ip := len(b)
	b = append(b, 0x45, 0)
	b = be.AppendUint16(b, 40)
	b = be.AppendUint16(b, uint16(alertID))
	b = be.AppendUint16(b, 0x4000) // don't fragment
	b = append(b, 64, 6)           // TTL, TCP
	b = be.AppendUint16(b, 0)      // checksum, below
	s, d := addr4(src), addr4(dst)
	b = append(b, s[:]...)
	b = append(b, d[:]...)
	var sum uint32
	for i := ip; i < ip+20; i += 2 {
		sum += uint32(be.Uint16(b[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	be.PutUint16(b[ip+10:], ^uint16(sum))
	b = be.AppendUint16(b, uint16(49152+alertID%16000))
	b = be.AppendUint16(b, uint16(port))
	b = be.AppendUint32(b, uint32(alertID*7919))
	b = be.AppendUint32(b, 0)
	b = append(b, 0x50, 0x02) // header length 20, SYN
	b = be.AppendUint16(b, 64240)
	b = be.AppendUint16(b, 0) // checksum left zero
	b = be.AppendUint16(b, 0)
	return b
}

func addr4(s string) [4]byte {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return [4]byte{192, 0, 2, 1}
	}
	return a.As4()
}

// pcapRules are get_alerts_pcap's filter fields [PA Retrieve-PCAP-Packet].
var pcapRules = map[string]fieldRule{
	"alert_id_list": {ops: map[string]kind{"in": kindScalars}},
	"alert_source":  {ops: map[string]kind{"in": kindStrings}},
	"severity":      {ops: map[string]kind{"in": kindStrings}, enum: append(slices.Clone(severities), "informational", "unknown")},
	"creation_time": {ops: map[string]kind{"gte": kindInt, "lte": kindInt}},
}

func (a *alert) matches(c cond) bool {
	switch c.field {
	case "alert_id_list":
		return slices.Contains(c.strs, strconv.FormatInt(a.id, 10))
	case "alert_source":
		return anyFold(c.strs, a.source)
	case "severity":
		return slices.Contains(c.strs, a.severity)
	case "creation_time":
		return timeMatches(c, a.detection)
	}
	return false
}

// alertsPCAP serves /alerts/get_alerts_pcap [PA]: the matching alerts,
// sorted by creation_time (default, descending) or severity, at most 100
// a page, each as {id, pcap_data}: the base64 capture of a PAN NGFW
// alert's triggering packet, "" for alerts without one [INF encoding].
func (s *Server) alertsPCAP(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	conds, err := parseFilters(o.get("filters"), pcapRules)
	if err != nil {
		return nil, err
	}
	field, desc, err := o.sortSpec([]string{"creation_time", "severity"}, "creation_time", true)
	if err != nil {
		return nil, err
	}
	from, to, err := o.page(100)
	if err != nil {
		return nil, err
	}
	rank := map[string]int{"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*alert
	for _, a := range s.st.alerts {
		if matchAll(a, conds) {
			found = append(found, a)
		}
	}
	slices.SortStableFunc(found, func(x, y *alert) int {
		r := cmp.Compare(x.detection, y.detection)
		if field == "severity" {
			r = cmp.Or(cmp.Compare(rank[x.severity], rank[y.severity]), r)
		}
		r = cmp.Or(r, cmp.Compare(x.id, y.id))
		if desc {
			r = -r
		}
		return r
	})
	out := []map[string]any{}
	for _, a := range window(found, from, to) {
		data := ""
		if a.pcap != nil {
			data = base64.StdEncoding.EncodeToString(a.pcap)
		}
		out = append(out, map[string]any{"id": a.id, "pcap_data": data})
	}
	return out, nil
}
