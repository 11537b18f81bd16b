// Package julo is the root of the domain: the types every capability shares
// and nothing else. It holds the one error type and its codes, the partner,
// money as integer rupiah, the clock, the status codes of applications and
// loans with their partner-facing names, the transition tables that say
// which status may follow which, and the events a status change records.
//
// It imports only the standard library. The capabilities (onboarding today;
// credit, lending and notify later) are sibling packages over it, and the
// adapters (store, httpapi, ...) implement or call them. See the README's
// Architecture section for the arrows that must never exist.
package julo
