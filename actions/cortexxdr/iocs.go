package cortexxdr

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/playbook-sh/playbook/actions"
)

// iocInputs are the inputs Add and Update IOCs share after the indicator.
func iocInputs(verb string) []actions.Input {
	return []actions.Input{
		{Name: "severity", Type: actions.String, Options: iocSeverities, Description: verb + " severity."},
		{Name: "expiration_date", Type: actions.Time, Description: verb + " expiration date and time (UTC)."},
		{Name: "enable_default_expiration", Type: actions.Boolean, Default: false,
			Description: "Use the default expiration date for the indicators."},
		{Name: "comment", Type: actions.String, Description: verb + " comment."},
		{Name: "reputation", Type: actions.String, Options: iocReputations, Description: verb + " reputation."},
		{Name: "reliability", Type: actions.String, Options: iocReliabilities, Description: verb + " reliability grade."},
	}
}

// updateIOCInputs are Add IOCs' shared inputs without the default of
// enable_default_expiration: Update IOCs overwrites the whole IOC, so an
// input left out keeps the IOC's current value instead of resetting it.
func updateIOCInputs() []actions.Input {
	ins := iocInputs("The new")
	for i := range ins {
		if ins[i].Name == "enable_default_expiration" {
			ins[i].Default = nil
			ins[i].Description = "Use the default expiration date; left out, the IOC keeps its current setting."
		}
	}
	return ins
}

// iocObject is one object of indicators/insert from the inputs given
// [PA-XSIAM Insert-or-update-IOCs].
func iocObject(r actions.Request, indicator string) map[string]any {
	o := map[string]any{"indicator": indicator, "default_expiration_enabled": r.Bool("enable_default_expiration")}
	for in, wire := range map[string]string{"indicator_type": "type", "severity": "severity", "comment": "comment",
		"reputation": "reputation", "reliability": "reliability"} {
		if s := r.String(in); s != "" {
			o[wire] = s
		}
	}
	if _, ok := r.Inputs["expiration_date"]; ok {
		o["expiration_date"] = r.Time("expiration_date").UnixMilli()
	}
	return o
}

func (x *XDR) addIOCs() *command {
	spec := actions.Spec{
		Name: AddIOCsName, Title: "Add IOCs",
		Description: "Adds indicators to the tenant's IOC list (POST /indicators/insert); Cortex XDR 4.2 or later.",
		Inputs: append([]actions.Input{
			{Name: "indicators", Type: actions.Array, Items: actions.String, Required: true, Description: "The indicators to add."},
			{Name: "indicator_type", Type: actions.String, Required: true, Options: iocTypes, Description: "The indicators' type."},
		}, iocInputs("The")...),
		KeyFields:   []string{"Indicators"},
		Permissions: []string{permLicense, permAdmin},
		Mutates:     true,
	}
	build := func(r actions.Request) (call, error) {
		var objs []any
		for _, ind := range r.Strings("indicators") {
			objs = append(objs, iocObject(r, ind))
		}
		if len(objs) == 0 {
			return call{}, fmt.Errorf("indicators is empty")
		}
		return call{path: "indicators/insert", data: objs, mutates: true}, nil
	}
	return &command{spec: spec, first: build, run: func(ctx context.Context, e *exec) actions.Envelope {
		return e.insertReply(ctx, build, e.r.Strings("indicators"))
	}}
}

// insertReply sends an insert call and reads
// {"reply": {"success": true, "validation_errors": [{"indicator", "error"}]}}
// [PA]: indicators with a validation error are named, and the rest are
// the Indicators Key Field.
func (e *exec) insertReply(ctx context.Context, build func(actions.Request) (call, error), sent []string) actions.Envelope {
	cl, err := build(e.r)
	if err != nil {
		return e.failf(400, "%v", err)
	}
	rep, f := e.do(ctx, cl)
	if f != nil {
		return e.fail(f)
	}
	bad := map[string]string{}
	var order []string
	for _, ve := range list(field(rep.value, "reply", "validation_errors")) {
		ind := text(field(ve, "indicator"))
		if _, dup := bad[ind]; !dup {
			order = append(order, ind)
		}
		bad[ind] = text(field(ve, "error"))
	}
	keys := newKeys(true, "Indicators")
	rows := [][]string{}
	for _, s := range sent {
		if msg, ok := bad[s]; ok {
			rows = append(rows, []string{s, "Rejected: " + msg})
			continue
		}
		keys.Add("Indicators", s)
		rows = append(rows, []string{s, "Added"})
	}
	env := actions.Succeed(rep.value, keys.Fields())
	env.Result = table([]string{"Indicator", "Result"}, rows)
	if success, ok := field(rep.value, "reply", "success").(bool); ok && !success && len(bad) == 0 {
		env.ReturnData = actions.Failed
		env.Error = &actions.Error{FailureIndicator: e.spec.FailureIndicator(), StatusCode: rep.status, Message: "the API reports success: false"}
		return env
	}
	if len(bad) > 0 {
		env.ReturnData = actions.PartiallySuccessful
		if len(bad) >= len(sent) {
			env.ReturnData = actions.Failed
		}
		msg := fmt.Sprintf("%d of %d rejected:", len(bad), len(sent))
		for i, ind := range order {
			if i > 0 {
				msg += ";"
			}
			msg += " " + ind + ": " + bad[ind]
		}
		env.Error = &actions.Error{FailureIndicator: e.spec.FailureIndicator(), StatusCode: rep.status, Message: msg}
	}
	return env
}

func (x *XDR) createIndicator() *command {
	spec := actions.Spec{
		Name: CreateIndicatorName, Title: "Create Indicator",
		Description: "Uploads an IOC as a JSON object, validated by the API (POST /indicators/insert_jsons).",
		Inputs: []actions.Input{
			{Name: "indicator_type", Type: actions.String, Required: true,
				Options: opts("Hash", "HASH", "IP", "IP", "Domain", "DOMAIN_NAME", "File", "FILENAME"), Description: "The indicator's type."},
			{Name: "indicator", Type: actions.String, Required: true, Description: "The indicator to insert."},
			// Unknown has no documented wire value; UNKNOWN is inferred.
			{Name: "severity", Type: actions.String, Required: true,
				Options:     opts("Informational", "INFO", "Low", "LOW", "Medium", "MEDIUM", "High", "HIGH", "Critical", "CRITICAL", "Unknown", "UNKNOWN"),
				Description: "The indicator's severity."},
			{Name: "reputation", Type: actions.String, Options: opts("Good", "GOOD", "Bad", "BAD", "Suspicious", "SUSPICIOUS", "Unknown", "UNKNOWN"),
				Description: "The indicator's reputation."},
			{Name: "reliability", Type: actions.String, Options: opts("A", "A", "B", "B", "C", "C", "D", "D", "E", "E", "F", "F"),
				Description: "Reliability, A (most reliable) to F."},
			{Name: "expiration_date", Type: actions.Time, Description: "The indicator's expiration date (UTC)."},
			{Name: "comment", Type: actions.String, Description: "A comment."},
			{Name: "vendors", Type: actions.Array, Items: actions.Object,
				Description: `Vendors: [{"vendor_name", "reliability", "reputation"}].`},
		},
		KeyFields:   []string{"Indicators"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}
	build := func(r actions.Request) (call, error) {
		o := map[string]any{"indicator": r.String("indicator"), "type": r.String("indicator_type"), "severity": r.String("severity")}
		for _, k := range []string{"reputation", "reliability", "comment"} {
			if s := r.String(k); s != "" {
				o[k] = s
			}
		}
		if _, ok := r.Inputs["expiration_date"]; ok {
			o["expiration_date"] = r.Time("expiration_date").UnixMilli()
		}
		if v := list(r.Value("vendors")); v != nil {
			o["vendors"] = v
		}
		// validate: true makes the API say why it drops an IOC [PA].
		return call{path: "indicators/insert_jsons", data: []any{o}, mutates: true, top: map[string]any{"validate": true}}, nil
	}
	return &command{spec: spec, first: build, run: func(ctx context.Context, e *exec) actions.Envelope {
		return e.insertReply(ctx, build, []string{e.r.String("indicator")})
	}}
}

// iocFilters builds the IOC API filters from the filter inputs
// [PA-XSIAM]; every filter is ANDed.
func iocFilters(r actions.Request) []any {
	var filters []any
	if inds := r.Strings("indicators"); len(inds) > 0 {
		filters = append(filters, map[string]any{"field": "indicator", "operator": "IN", "value": anyList(inds)})
	}
	for in, wire := range map[string]string{"indicator_type": "type", "severity": "severity", "reputation": "reputation", "reliability": "reliability"} {
		if s := r.String(in); s != "" {
			filters = append(filters, map[string]any{"field": wire, "operator": "EQ", "value": s})
		}
	}
	sortFilters(filters)
	return filters
}

// filterInputs are the filter inputs of Get and Delete IOCs.
func filterInputs(verb string) []actions.Input {
	return []actions.Input{
		{Name: "indicators", Type: actions.Array, Items: actions.String, Description: "Indicator values to " + verb + "."},
		{Name: "indicator_type", Type: actions.String, Options: iocTypes, Description: "Only indicators of this type."},
		{Name: "severity", Type: actions.String, Options: iocSeverities, Description: "Only indicators of this severity."},
		{Name: "reputation", Type: actions.String, Options: iocReputations, Description: "Only indicators of this reputation."},
		{Name: "reliability", Type: actions.String, Options: iocReliabilities, Description: "Only indicators of this reliability grade."},
	}
}

func (x *XDR) deleteIOCs() *command {
	spec := actions.Spec{
		Name: DeleteIOCsName, Title: "Delete IOCs",
		Description: "Deletes the IOCs matching every given filter (POST /indicators/delete). At least one filter is needed: " +
			"this command never deletes every IOC.",
		Inputs:      filterInputs("delete"),
		KeyFields:   []string{"Indicators"},
		Permissions: []string{permLicense, permAdmin},
		Mutates:     true,
	}
	build := func(r actions.Request) (call, error) {
		filters := iocFilters(r)
		if len(filters) == 0 {
			return call{}, fmt.Errorf("no filter given: Delete IOCs never deletes every IOC; give indicators, indicator_type, severity, reputation or reliability")
		}
		return call{path: "indicators/delete", mutates: true, data: map[string]any{"filters": filters}}, nil
	}
	return &command{spec: spec, first: build, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := build(e.r)
		if err != nil {
			return e.failf(400, "%v", err)
		}
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		keys := newKeys(true, "Indicators")
		rows := [][]string{}
		for _, ind := range e.r.Strings("indicators") {
			keys.Add("Indicators", ind)
			rows = append(rows, []string{ind})
		}
		env := actions.Succeed(rep.value, keys.Fields())
		env.Result = table([]string{"Indicator"}, rows)
		return env
	}}
}

func (x *XDR) getIOCs() *command {
	spec := actions.Spec{
		Name: GetIOCsName, Title: "Get IOCs",
		Description: "Retrieves the IOCs matching every given filter (POST /indicators/get); Cortex XDR 4.2 or later.",
		Inputs: append(filterInputs("return"),
			actions.Input{Name: "offset", Type: actions.Integer, Default: int64(0), Min: actions.Float(0),
				Description: "Zero-based start offset of the result set."},
			actions.Input{Name: "number_of_iocs_to_return", Type: actions.Integer, Min: actions.Float(1),
				Description: "The ending offset of the result set (search_to); no value returns through the end of the list."},
		),
		KeyFields:   []string{"Indicators", "RuleIDs"},
		Permissions: []string{permLicense, permAdmin},
	}
	build := func(r actions.Request) (call, error) {
		data := map[string]any{"filters": orEmpty(iocFilters(r)), "search_from": r.Int("offset"), "extended_view": false}
		if _, ok := r.Inputs["number_of_iocs_to_return"]; ok {
			to := r.Int("number_of_iocs_to_return")
			if to <= r.Int("offset") {
				return call{}, fmt.Errorf("number_of_iocs_to_return is the ending offset and must be greater than offset (%d)", r.Int("offset"))
			}
			data["search_to"] = to
		}
		return call{path: "indicators/get", data: data}, nil
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := build(e.r)
		if err != nil {
			return e.failf(400, "%v", err)
		}
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		keys, result := iocKeys(rep.value)
		env := actions.Succeed(rep.value, keys.Fields())
		env.Result = result
		return env
	}}
}

// iocKeys reads indicators/get's {"objects": [...]} (the page's
// $.objects[*].indicator).
func iocKeys(v any) (*keyset, string) {
	keys := newKeys(false, "Indicators", "RuleIDs")
	rows := [][]string{}
	for _, o := range list(field(v, "objects")) {
		keys.Add("Indicators", field(o, "indicator"))
		keys.Add("RuleIDs", field(o, "rule_id"))
		rows = append(rows, []string{text(field(o, "rule_id")), text(field(o, "indicator")), text(field(o, "type")),
			text(field(o, "severity")), text(field(o, "reputation")), text(field(o, "reliability"))})
	}
	return keys, table([]string{"Rule ID", "Indicator", "Type", "Severity", "Reputation", "Reliability"}, rows)
}

func (x *XDR) updateIOCs() *command {
	spec := actions.Spec{
		Name: UpdateIOCsName, Title: "Update IOCs",
		Description: "Updates the IOC with the given rule ID (POST /indicators/insert with its rule_id). The API overwrites " +
			"the whole IOC, so the current IOC is read first and the given inputs laid over it.",
		Inputs: append([]actions.Input{
			{Name: "rule_id", Type: actions.Integer, Required: true, Description: "The IOC's rule ID, from Get IOCs ($.objects[*].rule_id)."},
			{Name: "indicator", Type: actions.String, Description: "The new indicator value."},
			{Name: "indicator_type", Type: actions.String, Options: iocTypes, Description: "The new indicator type."},
		}, updateIOCInputs()...),
		KeyFields:   []string{"Indicators", "RuleIDs"},
		Permissions: []string{permLicense, permAdmin},
		Mutates:     true,
	}
	merge := func(r actions.Request, current map[string]any) call {
		o := map[string]any{}
		for _, k := range []string{"indicator", "type", "severity", "expiration_date", "default_expiration_enabled", "comment", "reputation", "reliability"} {
			if v, ok := current[k]; ok && v != nil {
				o[k] = v
			}
		}
		given := iocObject(r, r.String("indicator"))
		for k, v := range given {
			if k == "default_expiration_enabled" {
				if _, set := r.Inputs["enable_default_expiration"]; !set && o[k] != nil {
					continue
				}
			}
			if k == "indicator" && v == "" {
				continue
			}
			o[k] = v
		}
		o["rule_id"] = r.Int("rule_id")
		return call{path: "indicators/insert", mutates: true, data: []any{o}}
	}
	return &command{spec: spec,
		first: func(r actions.Request) (call, error) { return merge(r, map[string]any{}), nil },
		run: func(ctx context.Context, e *exec) actions.Envelope {
			id := e.r.Int("rule_id")
			cur, f := e.do(ctx, call{path: "indicators/get", data: map[string]any{
				"filters": []any{map[string]any{"field": "rule_id", "operator": "EQ", "value": []any{id}}}, "extended_view": true}})
			if f != nil {
				return e.fail(f)
			}
			objs := list(field(cur.value, "objects"))
			if len(objs) == 0 {
				env := e.failf(404, "Rule ID Not Found: %d", id)
				env.RawData = cur.value
				return env
			}
			current, _ := objs[0].(map[string]any)
			cl := merge(e.r, current)
			rep, f := e.do(ctx, cl)
			if f != nil {
				return e.fail(f)
			}
			ind := text(cl.data.([]any)[0].(map[string]any)["indicator"])
			if ves := list(field(rep.value, "reply", "validation_errors")); len(ves) > 0 {
				env := e.failf(rep.status, "rejected: %s", text(field(ves[0], "error")))
				env.RawData = rep.value
				return env
			}
			env := actions.Succeed(rep.value, map[string][]any{"Indicators": {ind}, "RuleIDs": {id}})
			env.Result = table([]string{"Rule ID", "Indicator", "Result"}, [][]string{{fmt.Sprint(id), ind, "Updated"}})
			return env
		}}
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// sortFilters orders filters by field, so requests are stable.
func sortFilters(f []any) {
	slices.SortStableFunc(f, func(a, b any) int {
		return strings.Compare(text(field(a, "field")), text(field(b, "field")))
	})
}
