package core

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
)

func run(t *testing.T, ctx context.Context, name string, with map[string]any) actions.Envelope {
	t.Helper()
	r := actions.NewRegistry()
	Register(r)
	cmd, ok := r.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", name)
	}
	in, err := cmd.Spec().CoerceInputs(with)
	if err != nil {
		t.Fatalf("CoerceInputs(%v) error = %v", with, err)
	}
	return cmd.Run(ctx, actions.Request{Task: "t", Inputs: in, Logger: hclog.NewNullLogger()})
}

func TestRegister(t *testing.T) {
	t.Parallel()
	r := actions.NewRegistry()
	Register(r)
	if diff := cmp.Diff([]string{FailName, SetName, SleepName}, r.Names()); diff != "" {
		t.Fatalf("Names() mismatch (-want +got):\n%s", diff)
	}
	for _, name := range r.Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd, _ := r.Lookup(name)
			s := cmd.Spec()
			if !s.Local || s.Mutates || s.Connection != "" {
				t.Errorf("Spec() Local, Mutates, Connection = %v, %v, %q, want true, false, \"\"", s.Local, s.Mutates, s.Connection)
			}
			if s.Title == "" || s.Description == "" {
				t.Errorf("Spec() has Title %q, Description %q, want both", s.Title, s.Description)
			}
			for _, in := range s.Inputs {
				if in.Description == "" {
					t.Errorf("input %q has no Description", in.Name)
				}
			}
		})
	}
}

var ignoreCause = cmpopts.IgnoreFields(actions.Error{}, "Err")

func TestSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		with map[string]any
		want actions.Envelope
	}{
		{
			name: "value",
			with: map[string]any{"value": map[string]any{"a": 1}},
			want: actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"a": int64(1)}},
		},
		{
			name: "nothing",
			with: nil,
			want: actions.Envelope{ReturnData: actions.Successful},
		},
		{
			name: "key fields",
			with: map[string]any{"key_fields": map[string]any{"IDs": []any{"a", "b"}, "One": "x", "None": nil, "Empty": []any{}}},
			want: actions.Envelope{ReturnData: actions.Successful, KeyFields: map[string][]any{
				"IDs": {"a", "b"}, "One": {"x"}, "None": {}, "Empty": {},
			}},
		},
		{
			name: "return data by wire form",
			with: map[string]any{"value": "v", "return_data": "partially_successful"},
			want: actions.Envelope{ReturnData: actions.PartiallySuccessful, RawData: "v"},
		},
		{
			name: "no event data",
			with: map[string]any{"return_data": "Successful with No Event Data"},
			want: actions.Envelope{ReturnData: actions.SuccessfulNoEventData},
		},
		{
			name: "failed",
			with: map[string]any{"value": "v", "return_data": "failed"},
			want: actions.Envelope{ReturnData: actions.Failed, RawData: "v", Error: &actions.Error{
				FailureIndicator: "Set failed.", StatusCode: 0, Message: "return_data set to Failed",
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := run(t, t.Context(), SetName, tc.with)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), ignoreCause); diff != "" {
				t.Errorf("core.set %v mismatch (-want +got):\n%s", tc.with, diff)
			}
		})
	}
}

func TestSetRejectsUnknownReturnData(t *testing.T) {
	t.Parallel()
	err := setSpec.CheckLiteral("return_data", "Done")
	if err == nil {
		t.Fatal(`CheckLiteral("return_data", "Done") = nil, want an error`)
	}
	want := `input "return_data": must be one of "Successful", "Failed", "Partially Successful", "Successful with No Event Data", got "Done"`
	if got := err.Error(); got != want {
		t.Errorf("CheckLiteral error = %q, want %q", got, want)
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		with map[string]any
		want *actions.Error
	}{
		{
			name: "defaults",
			want: &actions.Error{FailureIndicator: "Fail failed.", StatusCode: 0, Message: "failed"},
		},
		{
			name: "given",
			with: map[string]any{"message": "upstream down", "status_code": 503},
			want: &actions.Error{FailureIndicator: "Fail failed.", StatusCode: 503, Message: "upstream down"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := run(t, t.Context(), FailName, tc.with)
			if got.ReturnData != actions.Failed {
				t.Errorf("ReturnData = %q, want %q", got.ReturnData, actions.Failed)
			}
			if diff := cmp.Diff(tc.want, got.Error, ignoreCause); diff != "" {
				t.Errorf("Error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailStatusCodeRange(t *testing.T) {
	t.Parallel()
	for _, code := range []int{-1, 1000} {
		if err := failSpec.CheckLiteral("status_code", code); err == nil {
			t.Errorf("CheckLiteral(status_code, %d) = nil, want an error", code)
		}
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		got := run(t, t.Context(), SleepName, map[string]any{"duration": "90s"})
		if elapsed := time.Since(start); elapsed != 90*time.Second {
			t.Errorf("core.sleep took %v, want 1m30s", elapsed)
		}
		want := actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"slept": "1m30s"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("core.sleep mismatch (-want +got):\n%s", diff)
		}
	})
}

var errTaskTimeout = errors.New("timed out after 1m0s")

func TestSleepCancelled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ctx     func(context.Context) (context.Context, func())
		wantMsg string
		wantIs  []error
	}{
		{
			name: "cancelled",
			ctx: func(parent context.Context) (context.Context, func()) {
				ctx, cancel := context.WithCancel(parent)
				time.AfterFunc(time.Second, cancel)
				return ctx, cancel
			},
			wantMsg: "cancelled",
			wantIs:  []error{context.Canceled},
		},
		{
			name: "deadline",
			ctx: func(parent context.Context) (context.Context, func()) {
				return context.WithTimeout(parent, time.Second)
			},
			wantMsg: "timed out",
			wantIs:  []error{context.DeadlineExceeded},
		},
		{
			name: "deadline with cause",
			ctx: func(parent context.Context) (context.Context, func()) {
				return context.WithTimeoutCause(parent, time.Second, errTaskTimeout)
			},
			wantMsg: "timed out after 1m0s",
			wantIs:  []error{context.DeadlineExceeded, errTaskTimeout},
		},
		{
			name: "already cancelled",
			ctx: func(parent context.Context) (context.Context, func()) {
				ctx, cancel := context.WithCancel(parent)
				cancel()
				return ctx, cancel
			},
			wantMsg: "cancelled",
			wantIs:  []error{context.Canceled},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := tc.ctx(t.Context())
				defer cancel()
				start := time.Now()
				got := run(t, ctx, SleepName, map[string]any{"duration": "1h"})
				if elapsed := time.Since(start); elapsed > time.Second {
					t.Errorf("core.sleep returned after %v, want at most 1s", elapsed)
				}
				if got.ReturnData != actions.Failed || got.Error == nil {
					t.Fatalf("core.sleep = %+v, want Failed with an error", got)
				}
				want := &actions.Error{FailureIndicator: "Sleep failed.", Message: tc.wantMsg}
				if diff := cmp.Diff(want, got.Error, ignoreCause); diff != "" {
					t.Errorf("Error mismatch (-want +got):\n%s", diff)
				}
				for _, target := range tc.wantIs {
					if !errors.Is(got.Error, target) {
						t.Errorf("errors.Is(%v, %v) = false, want true", got.Error.Err, target)
					}
				}
			})
		})
	}
}
