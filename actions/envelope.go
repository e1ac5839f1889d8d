package actions

import (
	"fmt"
)

// ReturnData is the D3 Return Data of a command: the outcome users branch on.
type ReturnData string

// The four Return Data values of the vendor pages.
const (
	Successful            ReturnData = "Successful"
	Failed                ReturnData = "Failed"
	PartiallySuccessful   ReturnData = "Partially Successful"
	SuccessfulNoEventData ReturnData = "Successful with No Event Data"
)

// ParseReturnData reads one of the four Return Data values, matched
// case-insensitively with "_" equal to a space.
func ParseReturnData(s string) (ReturnData, bool) {
	n := normLabel(s)
	for _, rd := range []ReturnData{Successful, Failed, PartiallySuccessful, SuccessfulNoEventData} {
		if normLabel(string(rd)) == n {
			return rd, true
		}
	}
	return "", false
}

// Envelope is what every command returns: the D3 Return Data, Raw Data,
// Key Fields, Result and, on failure, Error.
//
// RawData and the Key Fields hold JSON-shaped values only (nil, bool,
// int64, float64, string, []any, map[string]any); see [Normalize].
type Envelope struct {
	ReturnData ReturnData       `json:"return_data"`
	RawData    any              `json:"raw_data"`
	KeyFields  map[string][]any `json:"key_fields"`
	Result     string           `json:"result"`
	Error      *Error           `json:"error"`
}

// Error is the D3 error shown on a failed command. It is also a Go error,
// so callers can use errors.Is and errors.As on its cause.
type Error struct {
	FailureIndicator string `json:"failure_indicator"` // "Isolate Hosts failed."
	StatusCode       int    `json:"status_code"`       // vendor HTTP status; 0 when no response came
	Message          string `json:"message"`           // vendor's message, secrets masked
	Err              error  `json:"-"`                 // cause; never serialised
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s status %d: %s", e.FailureIndicator, e.StatusCode, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Fail returns a Failed envelope with the given error fields.
func Fail(indicator string, status int, msg string, cause error) Envelope {
	return Envelope{
		ReturnData: Failed,
		Error:      &Error{FailureIndicator: indicator, StatusCode: status, Message: msg, Err: cause},
	}
}

// Succeed returns a Successful envelope with the given raw data and Key Fields.
func Succeed(raw any, keys map[string][]any) Envelope {
	return Envelope{ReturnData: Successful, RawData: raw, KeyFields: keys}
}
