package keyring

import (
	"testing"
)

// Every key of every set has a check value; it depends on the key only,
// and reveals nothing of it.
func TestChecksCoverEveryKeyAndDependOnItsValue(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate()
	ka, err := Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := Parse(b)
	ca, ca2, cb := Checks(ka), Checks(ka), Checks(kb)
	if len(ca) != len(purposes) || len(cb) != len(purposes) {
		t.Fatalf("checks %v", ca)
	}
	for i, c := range ca {
		if c != ca2[i] || c.Set != purposes[i] || len(c.Value) != 64 {
			t.Fatalf("check %d: %+v, again %+v", i, c, ca2[i])
		}
		if c.Set != cb[i].Set || c.Value == cb[i].Value {
			t.Fatalf("other keys, same check: %+v %+v", c, cb[i])
		}
	}
}
