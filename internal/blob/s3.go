package blob

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3Config names a bucket of Amazon S3 or of any S3-compatible store.
type S3Config struct {
	Bucket   string
	Endpoint string // http(s)://host[:port]; empty: Amazon S3 itself
	Region   string // empty: us-east-1
	// PathStyle addresses the bucket as ENDPOINT/BUCKET/KEY instead of
	// BUCKET.ENDPOINT/KEY, as most S3-compatible stores expect.
	PathStyle bool
	// Prefix is put before every key ("test-1/"), so that several stores
	// can share a bucket.
	Prefix string
	// Timeout bounds each call, reading a Get's body included; 0: 1 minute.
	Timeout time.Duration

	AccessKeyID, SecretAccessKey, SessionToken string
}

// S3 stores each blob as an object of one bucket. A Put is one PUT request
// of exactly the promised size, so an object is complete or absent.
type S3 struct {
	client  *s3.Client
	bucket  string
	prefix  string
	timeout time.Duration
	where   string // "s3://bucket at endpoint" for messages; holds no secret
}

// checkTimeout bounds the reachability check of NewS3.
const checkTimeout = 10 * time.Second

// NewS3 returns a store on the bucket of cfg after checking that the bucket
// answers (a list of one object), so that a misconfigured server fails at start
// rather than at its first upload. Its errors name the bucket and endpoint,
// never the credentials.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("s3 blob store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
	}
	where := "s3://" + cfg.Bucket
	if cfg.Endpoint != "" {
		where += " at " + cfg.Endpoint
	}
	opts := s3.Options{
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken),
		UsePathStyle: cfg.PathStyle,
		// Checksums only where the API requires them: the SDK's default
		// (CRC32 trailers on every upload) is refused by several
		// S3-compatible stores. Put relies on Content-Length and, for
		// seekable bodies, on the signed SHA-256 of the payload instead.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient: awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) {
			d.Timeout = 10 * time.Second
		}),
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	s := &S3{client: s3.New(opts), bucket: cfg.Bucket, prefix: cfg.Prefix, timeout: cfg.Timeout, where: where}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// check lists (at most) one object of the bucket and turns the usual
// failures into advice. A list, not a HEAD, because an error's code is in
// the body, which a HEAD answer has not.
func (s *S3) check(ctx context.Context) error {
	wait := min(checkTimeout, s.timeout)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	_, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &s.prefix, MaxKeys: aws.Int32(1)})
	if err == nil {
		return nil
	}
	code, msg := "", ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg = ae.ErrorCode(), ae.ErrorMessage()
	}
	st := status(err)
	switch {
	case code == "NoSuchBucket" || st == http.StatusNotFound && (code == "" || code == "NotFound"):
		return fmt.Errorf("s3 blob store %s: the bucket does not exist", s.where)
	case st == http.StatusForbidden || st == http.StatusUnauthorized ||
		code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied":
		return fmt.Errorf("s3 blob store %s: access denied (%s); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", s.where, cmp.Or(code, strconv.Itoa(st)))
	case st == http.StatusMovedPermanently || code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed":
		return fmt.Errorf("s3 blob store %s: refused (%s); check the region and use_path_style", s.where, cmp.Or(code, strconv.Itoa(st)))
	case st != 0:
		return fmt.Errorf("s3 blob store %s: refused with HTTP %d %s %s", s.where, st, code, msg)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("s3 blob store %s: no answer within %s", s.where, wait)
	}
	return fmt.Errorf("s3 blob store %s is not reachable: %w", s.where, err)
}

// status is the HTTP status of a failed call, 0 when there was no answer.
func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// notFound tells whether err says that the object does not exist (not the
// bucket: that is a configuration error, never a missing blob).
func notFound(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket" {
		return false
	}
	return status(err) == http.StatusNotFound
}

// object maps a key to its object name, refusing the keys Dir refuses.
func (s *S3) object(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// Put stores the blob; r must yield exactly size bytes, or nothing is stored.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob %s: negative size %d", key, size)
	}
	var optFns []func(*s3.Options)
	body, err := exactly(r, size)
	if err != nil {
		return fmt.Errorf("blob %s: %w", key, err)
	}
	if _, seekable := body.(io.Seeker); !seekable {
		// A stream cannot be hashed before it is sent: its size is still
		// enforced by Content-Length, as the reader ends early or late.
		optFns = append(optFns, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	}
	in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &name, Body: body, ContentLength: aws.Int64(size)}
	if contentType != "" {
		in.ContentType = &contentType
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if _, err := s.client.PutObject(ctx, in, optFns...); err != nil {
		return fmt.Errorf("blob %s: storing in %s: %w", key, s.where, err)
	}
	return nil
}

// Get opens the blob; a missing key gives an error wrapping fs.ErrNotExist.
// The reader must be closed; reading it is bounded by the store's timeout.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &name})
	if err != nil {
		cancel()
		if notFound(err) {
			return nil, fmt.Errorf("blob %s: %w", key, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("blob %s: reading from %s: %w", key, s.where, err)
	}
	return &cancelOnClose{ReadCloser: out.Body, cancel: cancel}, nil
}

// Delete removes the blob; deleting a missing blob is not an error.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &name}); err != nil && !notFound(err) {
		return fmt.Errorf("blob %s: deleting from %s: %w", key, s.where, err)
	}
	return nil
}

// Rename moves the blob at from to the key to, replacing a blob there: a
// copy inside the bucket, then the deletion of from. A failure between the
// two leaves the blob at both keys, never at neither. A missing from gives
// an error wrapping fs.ErrNotExist.
func (s *S3) Rename(ctx context.Context, from, to string) error {
	src, err := s.object(from)
	if err != nil {
		return err
	}
	dst, err := s.object(to)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	// BUCKET/KEY with the key URL-encoded segment by segment (its slashes
	// kept), as S3 documents x-amz-copy-source.
	segs := strings.Split(src, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	source := s.bucket + "/" + strings.Join(segs, "/")
	if _, err := s.client.CopyObject(cctx, &s3.CopyObjectInput{Bucket: &s.bucket, Key: &dst, CopySource: &source}); err != nil {
		if notFound(err) {
			return fmt.Errorf("blob %s: %w", from, fs.ErrNotExist)
		}
		return fmt.Errorf("blob %s: copying to %s in %s: %w", from, to, s.where, err)
	}
	return s.Delete(ctx, from)
}

// List returns, sorted, the keys that start with prefix.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	out, err := s.list(ctx, prefix)
	slices.Sort(out)
	return out, err
}

// keys lists the keys under the store's prefix, without it.
func (s *S3) keys(ctx context.Context) ([]string, error) { return s.list(ctx, "") }

// list lists the keys under the store's prefix and then prefix, without
// the store's prefix.
func (s *S3) list(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	full := s.prefix + prefix
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &full})
	for p.HasMorePages() {
		pctx, cancel := context.WithTimeout(ctx, s.timeout)
		page, err := p.NextPage(pctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", s.where, err)
		}
		for _, o := range page.Contents {
			out = append(out, strings.TrimPrefix(aws.ToString(o.Key), s.prefix))
		}
	}
	return out, nil
}

// cancelOnClose ends a Get's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// exactly returns a body that yields the size bytes of r, or fails. A
// seekable r is measured up front and returned as is, so the SDK can hash
// it and rewind it for a retry. Any other r is wrapped in a reader that
// fails instead of delivering its last bytes when r ends early or holds
// more than size bytes, so the request is cut short and the store keeps
// nothing.
func exactly(r io.Reader, size int64) (io.Reader, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		cur, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, err
		}
		if _, err := rs.Seek(cur, io.SeekStart); err != nil {
			return nil, err
		}
		if end-cur != size {
			return nil, fmt.Errorf("the reader holds %d bytes, expected %d", end-cur, size)
		}
		return rs, nil
	}
	e := &exactReader{r: r, size: size, left: size}
	if size == 0 {
		// An empty body may never be read by the HTTP client: look now.
		if e.extra() {
			return nil, e.err
		}
		return bytes.NewReader(nil), nil
	}
	return e, nil
}

type exactReader struct {
	r          io.Reader
	size, left int64
	err        error
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.left == 0 {
		if e.extra() {
			return 0, e.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case e.left == 0:
		// Hold the last bytes back until r is known to end here.
		if e.extra() {
			return 0, e.err
		}
		return n, nil
	case err == io.EOF:
		e.err = fmt.Errorf("the reader ended after %d bytes, expected %d", e.size-e.left, e.size)
		return 0, e.err
	case err != nil:
		e.err = err
		return 0, err
	}
	return n, nil
}

// extra tells whether r yields more bytes (or fails) after the size read.
func (e *exactReader) extra() bool {
	var b [1]byte
	for {
		n, err := e.r.Read(b[:])
		switch {
		case n > 0:
			e.err = fmt.Errorf("the reader holds more than %d bytes", e.size)
			return true
		case err == io.EOF:
			return false
		case err != nil:
			e.err = err
			return true
		}
	}
}
