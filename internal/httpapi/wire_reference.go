package httpapi

import (
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
)

// The wire forms of the reference routes (see wire_customers.go for how a
// request converts to its domain input). Their answers are the reference
// lists themselves.

// dropdownRequest is GET /dropdown-data and /dropdowns: the list is named by
// data_selected or data (errata 20).
type dropdownRequest struct {
	Problems julo.Problems
	List     *string `form:"data_selected,data"`
	Industry *string `form:"job_industry"`
}

func (r dropdownRequest) input() onboarding.DropdownInput { return onboarding.DropdownInput(r) }

// addressRequest is GET /address: the level is get_address or address_type.
type addressRequest struct {
	Problems julo.Problems
	Level    *string `form:"get_address,address_type"`
	Province *string `form:"province"`
	City     *string `form:"city"`
	District *string `form:"district"`
}

func (r addressRequest) input() onboarding.AddressInput { return onboarding.AddressInput(r) }
