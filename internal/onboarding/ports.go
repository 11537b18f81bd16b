package onboarding

import (
	"context"
	"errors"
	"io"
)

// Blobs stores files such as images. Get of a key that does not exist returns
// an error wrapping fs.ErrNotExist. Put is durable when it returns nil.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// SMS is one text message to a customer.
type SMS struct {
	To            string // +628… (E.164)
	Text          string
	Secret        string // the part of Text that must not be logged (an OTP code)
	PartnerID     int64
	ApplicationID int64
}

// SMSSender delivers text messages. An error wrapping ErrSMSNotSent means
// the message was certainly not accepted; any other error leaves it unknown
// whether the gateway took it.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) error
}

// ErrSMSNotSent marks a message the gateway certainly did not accept: it
// refused it, or could not be reached at all.
var ErrSMSNotSent = errors.New("sms not accepted")
