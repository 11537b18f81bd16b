package backoffice

import "testing"

// The login's steps: the second factor when enrolled, then the password
// change, then the enrolment the policy requires (admins in production).
func TestNextStep(t *testing.T) {
	prod, sandbox := New(Deps{Policy: DefaultPolicy(true)}), New(Deps{Policy: DefaultPolicy(false)})
	for _, c := range []struct {
		s    *Service
		op   Operator
		want string
	}{
		{prod, Operator{Role: RoleAdmin}, StepEnrolTOTP},
		{prod, Operator{Role: RoleReviewer}, ""},
		{prod, Operator{Role: RoleAdmin, MustChange: true}, StepChangePassword},
		{prod, Operator{Role: RoleAdmin, MustChange: true, TOTPEnabled: true}, StepTOTP},
		{prod, Operator{Role: RoleAdmin, TOTPEnabled: true}, StepTOTP},
		{sandbox, Operator{Role: RoleAdmin}, ""},
		{sandbox, Operator{Role: RoleViewer, MustChange: true}, StepChangePassword},
	} {
		if got := c.s.NextStep(c.op, StagePassword); got != c.want {
			t.Errorf("%+v in production %v: %q, want %q", c.op, c.s == prod, got, c.want)
		}
		if got := c.s.NextStep(c.op, StageFull); got != "" {
			t.Errorf("a full session has a step %q", got)
		}
	}
	p := DefaultPolicy(true)
	if p.MaxFailures != 5 || p.LockFor.Minutes() != 15 || p.Idle.Minutes() != 30 || p.Absolute.Hours() != 12 {
		t.Fatalf("policy %+v", p)
	}
}

func TestRoles(t *testing.T) {
	if !RoleAdmin.AtLeast(RoleReviewer) || RoleViewer.AtLeast(RoleReviewer) || Role("root").AtLeast(RoleViewer) || Role("").Valid() {
		t.Fatal("role order")
	}
}
