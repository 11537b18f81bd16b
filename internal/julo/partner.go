package julo

// Partner is an organisation that calls the API. Every operation a partner
// asks for is scoped to it: one partner never sees or touches another's data.
type Partner struct {
	ID       int64
	Username string
	Disabled bool
}
