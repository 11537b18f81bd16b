package client_test

import (
	"os/exec"
	"syscall"
)

// dieWithTests makes the server die with the test binary, so that a test
// that panics or times out (TestMain's stop never runs) leaves no server.
func dieWithTests(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
