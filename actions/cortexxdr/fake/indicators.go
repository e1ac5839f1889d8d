package fake

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ioc is one indicator rule. It is guarded by Server.mu.
type ioc struct {
	ruleID      int64
	indicator   string
	typ         string
	severity    string
	expiration  int64 // epoch ms; -1 never
	defaultExp  bool
	comment     string
	reputation  string
	reliability string
	class       string
	vendors     json.RawMessage
	inserted    int64
	modified    int64
}

// IOC codes of the insert, get and delete API (§6, §7.1 of the API notes):
// type [PA-XSIAM] with MIXED [INF]; severity SEV_010_INFO [PA-XSIAM] and
// the other three by analogy [INF]; reputation with NO_REPUTATION [INF];
// reliability A to G [INF for G].
var (
	iocTypes        = []string{"HASH", "IP", "PATH", "DOMAIN_NAME", "FILENAME", "MIXED"}
	iocSeverities   = []string{"SEV_010_INFO", "SEV_020_LOW", "SEV_030_MEDIUM", "SEV_040_HIGH"}
	iocReputations  = []string{"GOOD", "BAD", "SUSPICIOUS", "UNKNOWN", "NO_REPUTATION"}
	iocReliabilites = []string{"A", "B", "C", "D", "E", "F", "G"}
)

// Codes of insert_jsons [PA Insert-Simple-Indicators-JSON], with CRITICAL
// from the CSV page; they map onto the IOC codes above.
var (
	jsonTypes       = []string{"HASH", "IP", "PATH", "DOMAIN_NAME", "FILENAME"}
	jsonSeverities  = map[string]string{"INFO": "SEV_010_INFO", "LOW": "SEV_020_LOW", "MEDIUM": "SEV_030_MEDIUM", "HIGH": "SEV_040_HIGH", "CRITICAL": "SEV_050_CRITICAL"}
	jsonReputations = []string{"GOOD", "BAD", "SUSPICIOUS", "UNKNOWN"}
)

// defaultIOCTTL is how long an IOC inserted with
// default_expiration_enabled lives [INF].
const defaultIOCTTL = 90 * 24 * time.Hour

// record is the IOC as indicators/get returns it [INF, §7.8]; extended
// adds vendors and class.
func (i *ioc) record(extended bool) map[string]any {
	m := map[string]any{
		"rule_id":                    i.ruleID,
		"indicator":                  i.indicator,
		"type":                       i.typ,
		"severity":                   i.severity,
		"expiration_date":            i.expiration,
		"default_expiration_enabled": i.defaultExp,
		"comment":                    nullable(i.comment),
		"reputation":                 nullable(i.reputation),
		"reliability":                nullable(i.reliability),
		"status":                     "ENABLED",
		"insertion_date":             i.inserted,
		"modification_date":          i.modified,
	}
	if extended {
		var vendors any = []any{}
		if i.vendors != nil {
			vendors = i.vendors
		}
		m["vendors"] = vendors
		m["class"] = nullable(i.class)
	}
	return m
}

// valueMatchesType reports whether an indicator value fits its type, the
// check behind "Got type: HASH, Indicator: <v> mismatch" [PA].
func valueMatchesType(typ, v string) bool {
	switch typ {
	case "HASH":
		_, err := hex.DecodeString(v)
		return err == nil && (len(v) == 32 || len(v) == 40 || len(v) == 64)
	case "IP":
		if _, err := netip.ParseAddr(v); err == nil {
			return true
		}
		_, err := netip.ParsePrefix(v)
		return err == nil
	case "DOMAIN_NAME":
		if _, err := netip.ParseAddr(v); err == nil {
			return false
		}
		d := strings.TrimPrefix(v, "*.")
		labels := strings.Split(d, ".")
		if len(labels) < 2 || len(d) > 253 {
			return false
		}
		for _, l := range labels {
			if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
				return false
			}
			for _, c := range l {
				if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
					return false
				}
			}
		}
		return true
	case "FILENAME":
		return v != "" && !strings.ContainsAny(v, `/\`)
	case "PATH":
		return strings.ContainsAny(v, `/\`)
	}
	return true
}

// validationError is one entry of validation_errors [PA].
func validationError(indicator, msg string) map[string]any {
	return map[string]any{"indicator": indicator, "error": msg}
}

// upsert stores x: over the rule with its rule_id, else over the rule with
// the same indicator and type [INF], else as a new rule. The caller holds
// s.mu.
func (s *Server) upsert(x *ioc) {
	for _, old := range s.st.iocs {
		if x.ruleID != 0 && old.ruleID == x.ruleID ||
			x.ruleID == 0 && old.typ == x.typ && strings.EqualFold(old.indicator, x.indicator) {
			x.ruleID, x.inserted = old.ruleID, old.inserted
			*old = *x
			return
		}
	}
	x.ruleID = s.st.nextRuleID
	s.st.nextRuleID++
	s.st.iocs = append(s.st.iocs, x)
}

// items decodes request_data as a list of objects, as the insert calls
// take it.
func items(raw json.RawMessage) ([]*obj, *apiError) {
	var list []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
		return nil, badRequest("request_data must be a list of indicator objects")
	}
	out := make([]*obj, len(list))
	for i, it := range list {
		o, err := object(it, "request_data["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// insertIOCs serves /indicators/insert [PA-XSIAM]: each object creates an
// IOC, or overwrites the one with its rule_id. Wrong codes and values that
// do not fit the type go to validation_errors and are skipped; the reply
// follows insert_jsons' {"success": true, "validation_errors": [...]}
// [INF].
func (s *Server) insertIOCs(c *call) (any, *apiError) {
	list, err := items(c.data)
	if err != nil {
		return nil, err
	}
	now := c.now.UnixMilli()
	var parsed []*ioc
	verrs := []map[string]any{}
	for _, o := range list {
		x := &ioc{expiration: -1, inserted: now, modified: now}
		x.indicator, _ = o.str("indicator")
		x.typ, _ = o.str("type")
		x.severity, _ = o.str("severity")
		x.comment, _ = o.str("comment")
		x.reputation, _ = o.str("reputation")
		x.reliability, _ = o.str("reliability")
		exp, hasExp := o.integer("expiration_date")
		x.defaultExp, _ = o.boolean("default_expiration_enabled")
		x.ruleID, _ = o.id("rule_id")
		if o.err != nil {
			return nil, o.err
		}
		if x.indicator == "" {
			return nil, badRequest("%s.indicator is required", o.name)
		}
		x.typ, x.severity = strings.ToUpper(x.typ), strings.ToUpper(x.severity)
		x.reputation, x.reliability = strings.ToUpper(x.reputation), strings.ToUpper(x.reliability)
		if x.severity == "" {
			x.severity = "SEV_010_INFO"
		}
		switch {
		case hasExp:
			x.expiration = exp
		case x.defaultExp:
			x.expiration = now + defaultIOCTTL.Milliseconds()
		}
		if msg := checkCodes(x, iocTypes, iocSeverities, iocReputations, iocReliabilites); msg != "" {
			verrs = append(verrs, validationError(x.indicator, msg))
			continue
		}
		parsed = append(parsed, x)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range parsed {
		if x.ruleID != 0 && !slices.ContainsFunc(s.st.iocs, func(i *ioc) bool { return i.ruleID == x.ruleID }) {
			verrs = append(verrs, validationError(x.indicator, fmt.Sprintf("Rule ID %d was not found", x.ruleID)))
			continue
		}
		s.upsert(x)
	}
	return map[string]any{"success": true, "validation_errors": verrs}, nil
}

// checkCodes returns why x's codes or value are invalid, or "".
func checkCodes(x *ioc, types, sevs, reps, rels []string) string {
	switch {
	case !slices.Contains(types, x.typ):
		return fmt.Sprintf("Got invalid type: %s, valid types: %s", x.typ, strings.Join(types, ", "))
	case !slices.Contains(sevs, x.severity):
		return fmt.Sprintf("Got invalid severity: %s, valid severities: %s", x.severity, strings.Join(sevs, ", "))
	case x.reputation != "" && !slices.Contains(reps, x.reputation):
		return fmt.Sprintf("Got invalid reputation: %s, valid reputations: %s", x.reputation, strings.Join(reps, ", "))
	case x.reliability != "" && !slices.Contains(rels, x.reliability):
		return fmt.Sprintf("Got invalid reliability: %s, valid reliabilities: %s", x.reliability, strings.Join(rels, ", "))
	case !valueMatchesType(x.typ, x.indicator):
		return fmt.Sprintf("Got type: %s, Indicator: %s mismatch", x.typ, x.indicator)
	}
	return ""
}

// insertJSONs serves /indicators/insert_jsons [PA]: the older simple
// indicators. With the top-level "validate": true the reply is
// {"success": true, "validation_errors": [...]}, else true.
func (s *Server) insertJSONs(c *call) (any, *apiError) {
	list, err := items(c.data)
	if err != nil {
		return nil, err
	}
	top := &obj{name: "body", m: c.top}
	validate, _ := top.boolean("validate")
	if top.err != nil {
		return nil, top.err
	}
	now := c.now.UnixMilli()
	var parsed []*ioc
	verrs := []map[string]any{}
	sevs := make([]string, 0, len(jsonSeverities))
	for k := range jsonSeverities {
		sevs = append(sevs, k)
	}
	slices.Sort(sevs)
	for _, o := range list {
		x := &ioc{expiration: -1, inserted: now, modified: now}
		x.indicator, _ = o.str("indicator")
		x.typ, _ = o.str("type")
		x.severity, _ = o.str("severity")
		x.comment, _ = o.str("comment")
		x.reputation, _ = o.str("reputation")
		x.reliability, _ = o.str("reliability")
		x.class, _ = o.str("class")
		if exp, ok := o.integer("expiration_date"); ok {
			x.expiration = exp
		}
		if v := o.get("vendors"); v != nil {
			var vendors []map[string]any
			if json.Unmarshal(v, &vendors) != nil {
				o.wrongType("vendors", "a list of vendor objects")
			}
			x.vendors = v
		}
		if o.err != nil {
			return nil, o.err
		}
		if x.indicator == "" {
			return nil, badRequest("%s.indicator is required", o.name)
		}
		x.typ, x.severity = strings.ToUpper(x.typ), strings.ToUpper(x.severity)
		x.reputation, x.reliability = strings.ToUpper(x.reputation), strings.ToUpper(x.reliability)
		if x.severity == "" {
			x.severity = "INFO"
		}
		if msg := checkCodes(x, jsonTypes, sevs, jsonReputations, iocReliabilites[:6]); msg != "" {
			verrs = append(verrs, validationError(x.indicator, msg))
			continue
		}
		x.severity = jsonSeverities[x.severity]
		parsed = append(parsed, x)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range parsed {
		s.upsert(x)
	}
	if !validate {
		return true, nil
	}
	return map[string]any{"success": true, "validation_errors": verrs}, nil
}

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// iocRules are the filter fields of indicators/get and delete: indicator
// and rule_id [PA-XSIAM], the others [INF]; EQ and IN each take a value
// or a list.
var iocRules = map[string]fieldRule{
	"indicator":   {ops: map[string]kind{"eq": kindScalars, "in": kindScalars}},
	"rule_id":     {ops: map[string]kind{"eq": kindScalars, "in": kindScalars}},
	"type":        {ops: map[string]kind{"eq": kindScalars, "in": kindScalars}, enum: lower(iocTypes)},
	"severity":    {ops: map[string]kind{"eq": kindScalars, "in": kindScalars}, enum: lower(append(slices.Clone(iocSeverities), "SEV_050_CRITICAL"))},
	"reputation":  {ops: map[string]kind{"eq": kindScalars, "in": kindScalars}, enum: lower(iocReputations)},
	"reliability": {ops: map[string]kind{"eq": kindScalars, "in": kindScalars}, enum: lower(iocReliabilites)},
}

func (i *ioc) matches(c cond) bool {
	switch c.field {
	case "indicator":
		return anyFold(c.strs, i.indicator)
	case "rule_id":
		return slices.Contains(c.strs, strconv.FormatInt(i.ruleID, 10))
	case "type":
		return anyFold(c.strs, i.typ)
	case "severity":
		return anyFold(c.strs, i.severity)
	case "reputation":
		return anyFold(c.strs, i.reputation)
	case "reliability":
		return anyFold(c.strs, i.reliability)
	}
	return false
}

// getIOCs serves /indicators/get [PA-XSIAM]: the matching IOCs in rule_id
// order, [search_from, search_to) with no default end. The reply has no
// reply envelope: {"objects_count": <all matches>, "objects": [...]}
// [D3], [INF].
func (s *Server) getIOCs(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	conds, err := parseFilters(o.get("filters"), iocRules)
	if err != nil {
		return nil, err
	}
	extended, _ := o.boolean("extended_view")
	from, to, err := o.page(0)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*ioc
	for _, i := range s.st.iocs {
		if matchAll(i, conds) {
			found = append(found, i)
		}
	}
	objects := []map[string]any{}
	for _, i := range window(found, from, to) {
		objects = append(objects, i.record(extended))
	}
	return unwrapped{map[string]any{"objects_count": len(found), "objects": objects}}, nil
}

// deleteIOCs serves /indicators/delete [PA-XSIAM]: it deletes the IOCs
// matching every filter and refuses an empty filter list, which would
// match them all [INF]. The reply is {"success": true} [INF].
func (s *Server) deleteIOCs(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	conds, err := parseFilters(o.get("filters"), iocRules)
	if err != nil {
		return nil, err
	}
	if len(conds) == 0 {
		return nil, badRequest("request_data.filters must have at least one filter")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.iocs = slices.DeleteFunc(s.st.iocs, func(i *ioc) bool { return matchAll(i, conds) })
	return map[string]any{"success": true}, nil
}

// IOCs returns every IOC as a client decodes it from indicators/get with
// extended_view (numbers are float64), in rule_id order.
func (s *Server) IOCs() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(s.st.iocs))
	for n, i := range s.st.iocs {
		out[n] = asJSON(i.record(true))
	}
	return out
}

type iocSpec struct {
	ruleID                                    int64
	indicator, typ, severity, reputation, rel string
	comment                                   string
	expiration                                int64
	inserted                                  time.Time
}

func (sp iocSpec) build() *ioc {
	return &ioc{
		ruleID: sp.ruleID, indicator: sp.indicator, typ: sp.typ, severity: sp.severity,
		reputation: sp.reputation, reliability: sp.rel, comment: sp.comment,
		expiration: sp.expiration, inserted: ms(sp.inserted), modified: ms(sp.inserted),
	}
}

func oct(day, h int) time.Time { return time.Date(2026, 10, day, h, 0, 0, 0, time.UTC) }

// seedIOCs are the tenant's IOC rules.
var seedIOCs = []iocSpec{
	{51, fileSHA256("invoice_2026.pdf.exe"), "HASH", "SEV_040_HIGH", "BAD", "A", "Dropper seen in finance phishing", -1, oct(2, 9)},
	{52, "invoice-portal.example", "DOMAIN_NAME", "SEV_040_HIGH", "BAD", "B", "Phishing landing page", -1, oct(2, 9)},
	{53, "198.51.100.23", "IP", "SEV_030_MEDIUM", "SUSPICIOUS", "C", "Hosts invoice-portal.example", ms(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)), oct(3, 14)},
	{54, "mimikatz.exe", "FILENAME", "SEV_040_HIGH", "BAD", "A", "Credential theft tool", -1, oct(7, 10)},
	{55, `C:\Users\Public\svchost.exe`, "PATH", "SEV_030_MEDIUM", "SUSPICIOUS", "B", "svchost.exe outside System32", -1, oct(12, 16)},
	{56, md5Hex("xmrig"), "HASH", "SEV_020_LOW", "BAD", "C", "XMRig miner", -1, oct(20, 11)},
	{57, "virus1.exe", "FILENAME", "SEV_010_INFO", "GOOD", "A", "Test", 1767225600000, oct(25, 8)},
	{58, "evil.example.com", "DOMAIN_NAME", "SEV_040_HIGH", "BAD", "B", "", -1, oct(30, 17)},
}
