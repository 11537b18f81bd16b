//go:build !linux

package client_test

import "os/exec"

// dieWithTests: only Linux has a parent-death signal; elsewhere a test
// binary that panics leaves the server to be stopped by hand.
func dieWithTests(cmd *exec.Cmd) {}
