// Command julo serves the JULO Partnership API and administers it.
//
//	julo serve                      run the partner API
//	julo migrate                    apply database migrations and exit
//	julo partner create NAME        create a partner; prints its secret once
//	julo partner list
//	julo partner disable NAME | enable NAME
//	julo partner rotate NAME        new secret; the previous one keeps working
//	julo partner rotate --revoke-old NAME   end a rotation: only the newest works
//	julo keys generate              print a new key file for production
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "julo:", err)
		os.Exit(1)
	}
}

// run is the whole program; tests call it with their own arguments,
// environment and output, and cancel ctx to stop a server.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runWith(ctx, args, getenv, stdout, stderr, hooks{})
}
