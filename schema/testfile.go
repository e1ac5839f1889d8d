package schema

// TestFile builds the JSON Schema of a playbook test file
// (NAME.test.yaml), the format package pbtest loads.
func TestFile() ([]byte, error) {
	envelope := obj{
		"type":                 "object",
		"description":          "A mocked envelope. Unset fields default to Successful; an error alone makes it Failed.",
		"additionalProperties": false,
		"properties": obj{
			"return_data": obj{"enum": []string{"Successful", "Failed", "Partially Successful", "Successful with No Event Data"}, "description": "The Return Data."},
			"raw_data":    obj{"description": "The vendor's reply, as the task's raw_data."},
			"key_fields":  obj{"type": "object", "description": "Key Fields by name; a scalar becomes a list of one.", "additionalProperties": obj{}},
			"result":      str("The Result summary."),
			"error": obj{
				"type": "object", "additionalProperties": false, "description": "The D3 error.",
				"properties": obj{
					"failure_indicator": str("Defaults to the command's (\"Isolate Hosts failed.\")."),
					"status_code":       obj{"type": "integer", "minimum": 0, "maximum": 999},
					"message":           str("The vendor's message."),
				},
			},
		},
	}
	sequence := obj{"type": "array", "minItems": 1, "items": obj{"$ref": "#/$defs/envelope"},
		"description": "Envelopes for successive attempts or polls; the last repeats."}
	mock := obj{"anyOf": []any{
		obj{"$ref": "#/$defs/envelope"},
		obj{"$ref": "#/$defs/sequence"},
		obj{
			"type": "object", "additionalProperties": false, "required": []string{"items"},
			"description": "One envelope (or sequence) per for_each item, by index.",
			"properties":  obj{"items": obj{"type": "array", "items": obj{"anyOf": []any{obj{"$ref": "#/$defs/envelope"}, obj{"$ref": "#/$defs/sequence"}}}}},
		},
		obj{
			"type": "object", "additionalProperties": false, "required": []string{"match"},
			"description": "Per for_each item, by condition: the first rule whose when holds answers.",
			"properties": obj{"match": obj{"type": "array", "minItems": 1, "items": obj{
				"type": "object", "additionalProperties": false, "required": []string{"then"},
				"properties": obj{
					"when": str("A CEL condition over item and index (item == \"e-17\"); without it the rule holds for every item."),
					"then": obj{"anyOf": []any{obj{"$ref": "#/$defs/envelope"}, obj{"$ref": "#/$defs/sequence"}}, "description": "The envelope, or envelopes for successive attempts, of the items it matches."},
				},
			}}},
		},
	}}
	conditions := func(desc string) obj {
		return obj{"description": desc, "anyOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}}}}
	}
	taskExpect := obj{
		"type": "object", "additionalProperties": false,
		"properties": obj{
			"status":      obj{"enum": []string{"succeeded", "failed", "skipped", "cancelled", "dry_run"}},
			"reason":      str("The skip or cancel reason, exactly (\"when was false\", \"need isolate failed\")."),
			"return_data": obj{"enum": []string{"Successful", "Failed", "Partially Successful", "Successful with No Event Data"}},
			"attempts":    obj{"type": "integer", "minimum": 0},
			"with":        obj{"description": "The inputs after templating, compared as a subset: maps by the keys given, lists whole."},
			"with_assert": conditions("CEL conditions over with, the inputs after templating (a list of them, one per item, under for_each)."),
		},
	}
	testCase := obj{
		"type": "object", "additionalProperties": false,
		"properties": obj{
			"description": str("What the case checks."),
			"inputs":      obj{"type": "object", "description": "The playbook's inputs."},
			"event":       obj{"description": "The ingested event the run sees as event."},
			"sandbox":     boolean("Let unmocked commands use their integration's fake instead of failing."),
			"dry_run":     boolean("Run as playbook run --dry-run: mutating commands report dry_run."),
			"mocks": obj{"type": "object", "description": "Mocks by task id (\"task/subtask\" inside a sub-playbook).",
				"additionalProperties": obj{"$ref": "#/$defs/mock"}},
			"expect": obj{
				"type": "object", "additionalProperties": false,
				"properties": obj{
					"status":  obj{"enum": []string{"Successful", "Failed", "Partially Successful", "Cancelled"}},
					"tasks":   obj{"type": "object", "additionalProperties": obj{"$ref": "#/$defs/taskExpect"}},
					"outputs": obj{"type": "object", "description": "Outputs compared exactly, by the names given."},
					"assert":  conditions("CEL conditions over the run report (status, error, tasks, outputs, inputs, side_effects)."),
				},
			},
		},
	}
	s := obj{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://playbook.sh/schema/test.schema.json",
		"title":                "playbook test file",
		"description":          "Test cases of one playbook, run by playbook test.",
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"playbook", "tests"},
		"properties": obj{
			"playbook":    str("The playbook under test, relative to this file."),
			"description": str("What these tests cover."),
			"tests": obj{"type": "object", "minProperties": 1, "description": "Cases by name.",
				"propertyNames":        obj{"pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"},
				"additionalProperties": obj{"$ref": "#/$defs/case"}},
		},
		"$defs": obj{"envelope": envelope, "sequence": sequence, "mock": mock, "taskExpect": taskExpect, "case": testCase},
	}
	return encode(s)
}
