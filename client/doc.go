// Package client is the Go client of the JULO Partnership API: one typed
// method per partner endpoint, the partner headers on every request, and
// every failure answer decoded into an *Error.
//
//	c := client.New("https://partner-sandbox.julo.example", "acme", secretKey,
//		client.WithTimeout(20*time.Second), client.WithAcceptLanguage("en"))
//	reg, err := c.Register(ctx, client.RegisterRequest{NIK: "3203020101930001", PIN: "482915",
//		Email: "budi@test.com", Latitude: -6.18, Longitude: 106.72})
//	switch {
//	case client.HasCode(err, "nik_registered"):
//		// the NIK is taken; if it is this partner's own application,
//		// (*Error).ExistingApplicationXID names it, to go on with
//	case err != nil:
//		return err
//	}
//	xid := reg.ApplicationXID
//
// The client needs only the standard library. It talks to the API under
// /api/partnership/v1 of the base URL given to New; the vendors' callback
// routes and the sandbox's BPJS login page (an HTML page for the customer's
// browser, whose URL BPJSLogin returns) are not partner calls and have no
// method here.
//
// # Errors
//
// Every failure the server answers is an *Error: the HTTP status, the
// envelope's errors strings (in the language of WithAcceptLanguage), its
// error_details (Code, Field, Message: switch on Code, which is the same in
// every language), its data, and Retry-After. An answer that is not the
// API's envelope (a proxy's HTML 502, say) is an *Error too, with the status
// and the start of the body in Snippet. A request that got no answer (a
// refused connection, a timeout, a cancelled context) returns the transport
// error wrapped: errors.Is(err, context.DeadlineExceeded) holds for a
// timeout.
//
// # Retries
//
// The client never retries a write (POST, PATCH): the server has no
// Idempotency-Key yet, so a repeated registration or OTP send could be a
// second one. GET requests are retried only when asked (WithGETRetries), on
// a 502/503/504 or a reset connection, with a short bounded backoff.
//
// Idempotency-Key on retried writes, and VerifyWebhook for the signed
// callbacks the server will send partners, arrive with the callbacks issue;
// until then there is neither, and nothing in this package pretends to do
// them.
package client
