package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Store is what Dir and S3 both are: the onboarding.Blobs port, with the
// Rename and List of onboarding.BlobMover.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
	// Rename moves a blob to another key (replacing what is there); a
	// missing one gives an error wrapping fs.ErrNotExist.
	Rename(ctx context.Context, from, to string) error
	// List returns, sorted, the keys that start with prefix.
	List(ctx context.Context, prefix string) ([]string, error)
}

// Open opens the store a blob URL names:
//
//	""  or  file://          a Dir at DATA_DIR/files
//	file:///abs/path         a Dir at /abs/path
//	s3://BUCKET?endpoint=http://127.0.0.1:7070&region=us-east-1
//	                         an S3 bucket (see S3Config); the query may also
//	                         give use_path_style=false, prefix=some/dir/ and
//	                         timeout=30s
//
// S3 credentials are read with getenv: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and optionally AWS_SESSION_TOKEN. A URL carrying a
// user or password is refused, so that no secret sits in a flag (flags show
// in ps). An S3 store is checked to answer before Open returns. Errors never
// repeat the URL's text.
func Open(ctx context.Context, rawURL, dataDir string, getenv func(string) string) (Store, error) {
	if rawURL == "" || rawURL == "file://" {
		return NewDir(filepath.Join(dataDir, "files"))
	}
	// url.Parse's errors quote the URL, which could hold a password.
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("blob URL: not a URL; use file://, file:///ABS/PATH or s3://BUCKET?endpoint=...")
	}
	if u.User != nil {
		return nil, errors.New("blob URL: must not carry a user or password; " +
			"give S3 credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" || u.RawQuery != "" || u.Fragment != "" || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
			return nil, errors.New("blob URL: use file:// (the data dir's files/) or file:///ABSOLUTE/PATH")
		}
		return NewDir(filepath.FromSlash(u.Path))
	case "s3":
		cfg, err := parseS3(u)
		if err != nil {
			return nil, fmt.Errorf("blob URL: %w", err)
		}
		cfg.AccessKeyID = getenv("AWS_ACCESS_KEY_ID")
		cfg.SecretAccessKey = getenv("AWS_SECRET_ACCESS_KEY")
		cfg.SessionToken = getenv("AWS_SESSION_TOKEN")
		return NewS3(ctx, cfg)
	}
	return nil, fmt.Errorf("blob URL: unknown scheme %q; use file:// or s3://", u.Scheme)
}

// bucketName is the common ground of S3's bucket naming rules.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// parseS3 reads everything but the credentials from an s3:// URL.
func parseS3(u *url.URL) (S3Config, error) {
	var cfg S3Config
	if !bucketName.MatchString(u.Host) {
		return cfg, fmt.Errorf("s3://BUCKET: %q is not a bucket name (3 to 63 of a-z, 0-9, '.', '-')", u.Host)
	}
	cfg.Bucket = u.Host
	if u.Path != "" && u.Path != "/" {
		return cfg, errors.New("s3://BUCKET takes no path; to store under a folder, add prefix=FOLDER/")
	}
	if u.Fragment != "" {
		return cfg, errors.New("s3://BUCKET takes no #fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return cfg, errors.New("s3://BUCKET?...: the query does not parse")
	}
	for k, v := range q {
		if !slices.Contains([]string{"endpoint", "region", "use_path_style", "prefix", "timeout"}, k) {
			return cfg, fmt.Errorf("s3://BUCKET?%s=...: unknown setting; use endpoint, region, use_path_style, prefix or timeout", k)
		}
		if len(v) != 1 {
			return cfg, fmt.Errorf("s3://BUCKET?%s=...: given %d times", k, len(v))
		}
	}
	if e := q.Get("endpoint"); e != "" {
		eu, err := url.Parse(e)
		if err != nil || (eu.Scheme != "http" && eu.Scheme != "https") || eu.Host == "" || eu.User != nil ||
			(eu.Path != "" && eu.Path != "/") || eu.RawQuery != "" || eu.Fragment != "" {
			return cfg, errors.New("endpoint: use http://HOST[:PORT] or https://HOST[:PORT], without credentials or a path")
		}
		cfg.Endpoint = eu.Scheme + "://" + eu.Host
		// S3-compatible stores are reached by path: their buckets rarely
		// have DNS names of their own.
		cfg.PathStyle = true
	}
	cfg.Region = q.Get("region")
	if v := q.Get("use_path_style"); v != "" {
		if cfg.PathStyle, err = strconv.ParseBool(v); err != nil {
			return cfg, fmt.Errorf("use_path_style=%q: use true or false", v)
		}
	}
	if p := q.Get("prefix"); p != "" {
		if checkKey(strings.TrimSuffix(p, "/")) != nil {
			return cfg, fmt.Errorf("prefix=%q: use a clean relative path such as images/", p)
		}
		cfg.Prefix = strings.TrimSuffix(p, "/") + "/"
	}
	if v := q.Get("timeout"); v != "" {
		if cfg.Timeout, err = time.ParseDuration(v); err != nil || cfg.Timeout <= 0 {
			return cfg, fmt.Errorf("timeout=%q: use a duration such as 30s", v)
		}
	}
	return cfg, nil
}

// Keys lists every key of a store Open returned, sorted: for tests and
// maintenance, not for requests (it reads the whole store).
func Keys(ctx context.Context, st Store) ([]string, error) { return st.List(ctx, "") }
