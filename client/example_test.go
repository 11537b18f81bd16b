package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/julo-partnership/julo/client"
)

// A whole onboarding in the sandbox: register, upload the KTP and selfie
// images, verify the phone by OTP (the sandbox outbox shows the code), then
// complete the customer data. (Not run by go test: it needs a server.)
func Example() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8080", "acme", os.Getenv("JULO_SECRET_KEY"),
		client.WithTimeout(20*time.Second), client.WithAcceptLanguage("en"))

	reg, err := c.Register(ctx, client.RegisterRequest{NIK: "3173050101920001", PIN: "482915",
		Email: "budi.ismail@test.com", Latitude: -6.1815657, Longitude: 106.7229445})
	var apiErr *client.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Has("nik_registered"):
		if xid, ok := apiErr.ExistingApplicationXID(); ok {
			log.Printf("already registered by us as %d: go on with it", xid)
		}
		return
	case err != nil:
		log.Fatal(err)
	}
	xid := reg.ApplicationXID

	for _, typ := range []string{client.ImageKTPSelf, client.ImageSelfie} {
		f, err := os.Open(typ + ".jpg")
		if err != nil {
			log.Fatal(err)
		}
		_, err = c.UploadImage(ctx, xid, typ, f.Name(), f)
		f.Close()
		if err != nil {
			log.Fatal(err)
		}
	}

	const phone = "085330838909"
	if err := c.SendOTP(ctx, xid, phone); err != nil {
		if errors.As(err, &apiErr) && apiErr.Has("otp_resend_too_soon") {
			log.Fatalf("wait %s before sending again", apiErr.RetryAfter)
		}
		log.Fatal(err)
	}
	msgs, err := c.SandboxSMS(ctx, phone) // in production the customer types the code
	if err != nil || len(msgs) == 0 {
		log.Fatal("no SMS in the outbox: ", err)
	}
	if err := c.ValidateOTP(ctx, xid, msgs[0].OTP); err != nil {
		log.Fatal(err)
	}

	_, err = c.CompleteApplication(ctx, xid, client.CompleteApplicationRequest{
		Fullname: "budi ismail", MobilePhone1: phone, MonthlyHousingCost: client.Int64(0),
		// ... the other fields of the customer data ...
		IsVerificationAgreed: true, IsTermAccepted: true,
	})
	if errors.As(err, &apiErr) {
		for _, d := range apiErr.Details {
			fmt.Printf("%s: %s (%s)\n", d.Field, d.Message, d.Code)
		}
		return
	}
	st, err := c.ApplicationStatus(ctx, xid)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.StatusCode, st.Status) // 105 FORM_SUBMITTED
}
