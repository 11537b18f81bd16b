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
// # Retries and idempotency
//
// Every write (POST, PATCH) carries an Idempotency-Key header: a new
// random key (NewIdempotencyKey, a UUID from crypto/rand) for each call,
// or the caller's own, set with WithIdempotencyKey on the call's context.
// The server runs a write once per key: the same request sent again with
// the key within 24 hours gets the first answer (a 2xx or a 409) again
// instead of a second registration or OTP send; the same key with another
// request is a 422 (code idempotency_key_reused); while the first attempt
// still runs, a 409 (idempotency_key_in_use) with Retry-After: 1.
//
// The client retries only when asked. WithGETRetries retries a GET on a
// 502/503/504 or a reset connection; WithWriteRetries retries a write, with
// the same key, on those, on an attempt that timed out before its answer
// (WithTimeout) and on idempotency_key_in_use; both with a short bounded
// backoff. Writes are not retried by default: a server that does not
// honour Idempotency-Key would run a retried write twice. To retry a write
// yourself (after a timeout your code saw, or a restart of your process),
// keep its key and send it again with the same input:
//
//	key := client.NewIdempotencyKey() // store it with the customer's record
//	reg, err := c.Register(client.WithIdempotencyKey(ctx, key), in)
//	// ... on a timeout, later: the same key and input get the first 201
//	reg, err = c.Register(client.WithIdempotencyKey(ctx, key), in)
//
// An upload (UploadImage) is retried only when its reader can seek.
//
// # Callbacks and the events feed
//
// JULO POSTs every event of the partner's applications to the callback URL
// it configured for the partner, signed per Standard Webhooks 1.0 with the
// partner's secret ("whsec_..."). VerifyWebhook checks one (its headers
// and raw body: a v1 signature of the body under the secret, and a
// webhook-timestamp within 5 minutes); a Webhook verifier holds the
// secrets (two while switching after a rotation), a tolerance and a clock
// of its own, and decodes a verified body into a Callback:
//
//	hook, err := client.NewWebhook(secret)
//	http.HandleFunc("/julo", func(w http.ResponseWriter, r *http.Request) {
//		cb, err := hook.Request(r) // read, verified, decoded
//		if err != nil {
//			http.Error(w, "bad signature", http.StatusUnauthorized)
//			return
//		}
//		// deduplicate by cb.EventID; order by cb.Sequence per application
//		w.WriteHeader(http.StatusNoContent)
//	})
//
// The verifier needs nothing of the server's code: it is written from the
// specification. Events pages through the same events of the last 30
// days (the fallback when callbacks were missed), Event shows one with its
// deliveries and their attempts, Redeliver sends it again, and in the
// sandbox SandboxWebhookTest sends a signed test callback at once.
package client
