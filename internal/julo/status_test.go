package julo

import (
	"testing"
)

// Every move the application table allows, written out: a change to the
// table must change this list too.
var wantAppMoves = map[AppStatus][]AppStatus{
	0:   {100},
	100: {105, 106, 137},
	105: {120, 121, 124, 125, 130, 131, 133, 135, 137},
	131: {120, 125, 137},
	120: {121, 124, 125, 130, 131, 133, 135, 137},
	121: {124, 125, 130, 133, 135, 137},
	124: {125, 130, 133, 135, 137},
	125: {130, 131, 133, 135, 137},
	135: {130},
	130: {141, 142, 139, 137},
	141: {150, 190, 142},
	150: {190},
}

func TestAppTransitionTable(t *testing.T) {
	all := append([]AppStatus{AppNone}, AppStatuses()...)
	allowed := 0
	for _, from := range all {
		for _, to := range all {
			want := contains(wantAppMoves[from], to)
			if got := CanMoveApp(from, to); got != want {
				t.Errorf("CanMoveApp(%d, %d) = %v, want %v", from, to, got, want)
			}
			if want {
				allowed++
			}
		}
	}
	n := 0
	for _, tos := range wantAppMoves {
		n += len(tos)
	}
	if allowed != n {
		t.Errorf("%d moves allowed among known statuses, the list has %d: a move to an unknown status?", allowed, n)
	}
	// Nothing moves to "before registration", and the final statuses stay.
	for _, final := range []AppStatus{106, 133, 137, 139, 142, 190} {
		if len(AppMoves(final)) != 0 {
			t.Errorf("%v is final but may move to %v", final, AppMoves(final))
		}
	}
}

func TestAppStatusNames(t *testing.T) {
	want := map[AppStatus]string{100: "FORM_CREATED", 105: "FORM_SUBMITTED", 130: "LIMIT_GENERATED", 133: "APPLICATION_FRAUD",
		135: "APPLICATION_REJECTED", 190: "LIMIT_READY_TO_USE"}
	for s, name := range want {
		if s.Name() != name {
			t.Errorf("%d: name %q, want %q", s, s.Name(), name)
		}
	}
	for _, s := range AppStatuses() {
		if s.Name() == "" {
			t.Errorf("%d has no name", s)
		}
	}
	if AppStatus(101).Known() || AppStatus(101).Name() != "" {
		t.Error("101 is not a status")
	}
}

func TestLoanTransitionTable(t *testing.T) {
	dpd := []LoanStatus{220, 230, 231, 232, 233, 234, 235, 236, 237}
	want := map[LoanStatus][]LoanStatus{
		0:   {210},
		210: {211, 215, 216, 217},
		211: {212, 216, 219},
		212: {218, 220},
	}
	for _, from := range dpd {
		for _, to := range dpd {
			if to != from {
				want[from] = append(want[from], to)
			}
		}
		want[from] = append(want[from], 250)
	}
	all := append([]LoanStatus{LoanNone}, LoanStatuses()...)
	for _, from := range all {
		for _, to := range all {
			if got, w := CanMoveLoan(from, to), contains(want[from], to); got != w {
				t.Errorf("CanMoveLoan(%d, %d) = %v, want %v", from, to, got, w)
			}
		}
	}
	for _, final := range []LoanStatus{215, 216, 217, 218, 219, 250} {
		if len(LoanMoves(final)) != 0 {
			t.Errorf("%v is final but may move to %v", final, LoanMoves(final))
		}
	}
	names := map[LoanStatus]string{210: "LOAN_CREATED", 211: "LOAN_WAITING_FOR_APPROVAL", 212: "LOAN_DISBURSAL_ON_PROCESS",
		216: "LOAN_CANCELLED_BY_CUSTOMER", 217: "LOAN_EXPIRED", 218: "LOAN_DISBURSAL_FAILED", 220: "LOAN_DISBURSAL_SUCCESS",
		230: "LOAN_1_DPD", 231: "LOAN_5_DPD", 232: "LOAN_30_DPD", 233: "LOAN_60_DPD", 234: "LOAN_90_DPD",
		235: "LOAN_120_DPD", 236: "LOAN_150_DPD", 237: "LOAN_180_DPD", 250: "LOAN_PAID_OFF"}
	for s, n := range names {
		if s.Name() != n {
			t.Errorf("%d: name %q, want %q", s, s.Name(), n)
		}
	}
}

func TestMovesAreCopies(t *testing.T) {
	m := AppMoves(AppFormCreated)
	m[0] = AppLimitReady
	if !CanMoveApp(AppFormCreated, AppFormSubmitted) || CanMoveApp(AppFormCreated, AppLimitReady) {
		t.Fatal("changing the returned slice changed the table")
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
