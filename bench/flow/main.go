// Command flow drives whole onboardings against a running julo server, for
// bench/run.sh: N workers each register a customer (a fresh NIK, email and
// phone), upload the KTP and selfie images, send an OTP, read it from the
// sandbox outbox, validate it and complete the customer data, until the
// time or the count runs out. It prints flows/s, requests/s and p50/p99
// latency over all requests, and per step. It makes its requests with the
// Go client partners import (package client), so a step's latency is the
// client call's: the request and its whole answer read and decoded.
//
//	flow run -url http://127.0.0.1:8080 -user bench -secret S [-c 8] [-d 15s] [-n 2000]
//	flow register -url ... -user ... -secret ...   registers one customer, prints its xid
//	flow createdb ADMIN_URL                         creates julo_bench_<random>, prints its URL
//	flow dropdb ADMIN_URL NAME                      drops it
//	flow fsync DIR [-d 2s]                          fsyncs/s of a 4 KiB write in DIR
//	flow argon2 [-d 2s]                             argon2id PIN hashes/s, one core and all
//
// It talks to 127.0.0.1 only: it is a benchmark, not a load generator for
// other people's servers.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/julo-partnership/julo/client"
	"github.com/julo-partnership/julo/internal/store/storetest"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: flow run|register|createdb|dropdb|fsync ..."))
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runFlows(os.Args[2:])
	case "register":
		err = registerOne(os.Args[2:])
	case "createdb":
		err = createDB(os.Args[2:])
	case "dropdb":
		err = dropDB(os.Args[2:])
	case "fsync":
		err = fsyncRate(os.Args[2:])
	case "argon2":
		err = argon2Rate(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flow:", err)
	os.Exit(1)
}

// target is the server under test, driven through the Go client partners
// use (github.com/julo-partnership/julo/client).
type target struct {
	c *client.Client
	// uploads holds a slot per upload in flight: the server takes at most
	// 4 at once per partner (429 beyond), and a partner's client keeps to it.
	uploads chan struct{}
}

func targetFlags(fs *flag.FlagSet) func() (*target, error) {
	u := fs.String("url", "", "server URL (http://127.0.0.1:PORT)")
	user := fs.String("user", "", "partner username")
	secret := fs.String("secret", "", "partner secret key")
	uploads := fs.Int("uploads", 4, "uploads in flight at most (the server's cap per partner)")
	return func() (*target, error) {
		p, err := url.Parse(*u)
		if err != nil || p.Scheme != "http" {
			return nil, fmt.Errorf("-url %q: want http://127.0.0.1:PORT", *u)
		}
		if ip := net.ParseIP(p.Hostname()); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("-url %q: only loopback addresses are driven", *u)
		}
		if *user == "" || *secret == "" {
			return nil, errors.New("-user and -secret are required")
		}
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
		c := client.New(*u, *user, *secret, client.WithHTTPClient(hc), client.WithTimeout(60*time.Second),
			client.WithUserAgent("julo-bench-flow"))
		return &target{c: c, uploads: make(chan struct{}, *uploads)}, nil
	}
}

// timed runs one client call and returns how long its answer took.
func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// nik is a valid NIK for flow i: DKI Jakarta (31), regency 73, a district
// and serial that together are unique up to 99 x 9999 flows, born
// 1992-01-01 (a man), as the completed data says.
func nik(i int) string {
	return fmt.Sprintf("3173%02d010192%04d", i/9999%99+1, i%9999+1)
}

// completeData is the partner documentation's complete-data example, for
// a customer born 1992-01-01 whose verified phone is phone.
func completeData(phone string) client.CompleteApplicationRequest {
	return client.CompleteApplicationRequest{
		Fullname: "budi ismail", BirthPlace: "Jakarta", DOB: "1992-01-01", Gender: "Pria", MotherMaidenName: "Nani",
		AddressStreetNum: "Batcave, Gotham City", AddressProvinsi: "DKI Jakarta", AddressKabupaten: "Jakarta Barat",
		AddressKecamatan: "Cengkareng", AddressKelurahan: "Cengkareng Barat", AddressKodepos: "11730",
		OccupiedSince: "1999-07-13", HomeStatus: "Milik sendiri, lunas", MaritalStatus: "Menikah", Dependent: client.Int64(2),
		MobilePhone1: phone, SpouseName: "Jeane Melany", SpouseDOB: "1972-01-28", SpouseMobilePhone: "085330838901",
		CloseKinMobilePhone: "08533038906", KinRelationship: "Saudara kandung", KinName: "Lawage Nugroho",
		KinDOB: "1978-01-28", KinMobilePhone: "087778231801", JobType: "Pegawai swasta", JobIndustry: "Kesehatan",
		JobDescription: "Apoteker", CompanyName: "DBS Bank", CompanyPhoneNumber: "02153653232", JobStart: "2010-07-01",
		Payday: client.Int64(24), LastEducation: "Diploma", MonthlyIncome: client.Int64(10000000),
		MonthlyExpenses: client.Int64(500000), MonthlyHousingCost: client.Int64(0), TotalCurrentDebt: client.Int64(0),
		BankName: "BANK NEGARA INDONESIA (PERSERO), Tbk (BNI)", BankAccountNumber: "0672272764",
		LoanPurpose: "Membeli kendaraan", LoanPurposeDesc: "Need to buy new gadget",
		IsVerificationAgreed: true, IsTermAccepted: true,
	}
}

// steps of one flow, in order, as reported.
var steps = []string{"register", "upload ktp_self", "upload selfie", "otp send", "outbox read", "otp validate", "complete data"}

// photo is a JPEG of about the size a phone's KTP photo is sent at after
// the app shrinks it (the server reads only its header; the size costs
// reading, hashing and writing it).
func photo() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 800, 500))
	r := mrand.New(mrand.NewPCG(1, 2))
	for y := 0; y < 500; y++ {
		for x := 0; x < 800; x++ {
			n := uint8(r.IntN(40))
			img.Set(x, y, color.RGBA{uint8(x/4) + n, uint8(y/2) + n, 128 + n, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}

// flow runs onboarding i; it records each step's latency in lat (the
// client call: the request and its whole answer, not the wait for an
// upload slot).
func (t *target) flow(i int, run string, img []byte, lat [][]time.Duration) error {
	ctx := context.Background()
	phone := fmt.Sprintf("0853%08d", i)
	record := func(step int, d time.Duration) { lat[step] = append(lat[step], d) }
	var reg *client.Registration
	d, err := timed(func() (err error) {
		reg, err = t.c.Register(ctx, client.RegisterRequest{NIK: nik(i), PIN: "482915",
			Email: fmt.Sprintf("flow%d-%s@test.com", i, run), Latitude: -6.2, Longitude: 106.8})
		return err
	})
	if err != nil {
		return err
	}
	record(0, d)
	xid := reg.ApplicationXID
	for k, typ := range []string{client.ImageKTPSelf, client.ImageSelfie} {
		t.uploads <- struct{}{}
		d, err = timed(func() error {
			_, err := t.c.UploadImage(ctx, xid, typ, typ+".jpg", bytes.NewReader(img))
			return err
		})
		<-t.uploads
		if err != nil {
			return err
		}
		record(1+k, d)
	}
	if d, err = timed(func() error { return t.c.SendOTP(ctx, xid, phone) }); err != nil {
		return err
	}
	record(3, d)
	var msgs []client.SandboxMessage
	d, err = timed(func() (err error) {
		msgs, err = t.c.SandboxSMS(ctx, phone)
		return err
	})
	if err != nil {
		return err
	}
	record(4, d)
	if len(msgs) == 0 || msgs[0].OTP == "" {
		return fmt.Errorf("no code in the outbox of %s: %+v", phone, msgs)
	}
	if d, err = timed(func() error { return t.c.ValidateOTP(ctx, xid, msgs[0].OTP) }); err != nil {
		return err
	}
	record(5, d)
	d, err = timed(func() error {
		_, err := t.c.CompleteApplication(ctx, xid, completeData(phone))
		return err
	})
	if err != nil {
		return err
	}
	record(6, d)
	return nil
}

func runFlows(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	tf := targetFlags(fs)
	workers := fs.Int("c", 8, "concurrent flows")
	dur := fs.Duration("d", 15*time.Second, "start no flow after this long")
	max := fs.Int("n", 2000, "at most this many flows")
	first := fs.Int("first", 0, "number of the first flow (its NIK, phone and email); runs on one database need distinct ranges")
	fs.Parse(args)
	t, err := tf()
	if err != nil {
		return err
	}
	if *max > 99*9999 {
		return errors.New("-n: at most 989901 distinct NIKs")
	}
	img := photo()
	run := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	var next, done, failed atomic.Int64
	var mu sync.Mutex
	all := make([][]time.Duration, len(steps))
	var firstErr error
	start := time.Now()
	deadline := start.Add(*dur)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([][]time.Duration, len(steps))
			for time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= *max {
					break
				}
				if err := t.flow(*first+i, run, img, lat); err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				done.Add(1)
			}
			mu.Lock()
			for k := range all {
				all[k] = append(all[k], lat[k]...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var every []time.Duration
	for k, l := range all {
		every = append(every, l...)
		p50, p99 := percentiles(l)
		fmt.Printf("STEP %-16s n=%-6d p50_ms=%.2f p99_ms=%.2f\n", steps[k], len(l), ms(p50), ms(p99))
	}
	p50, p99 := percentiles(every)
	fmt.Printf("RESULT flows=%d failed=%d requests=%d secs=%.1f flows_per_s=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f image_kb=%d\n",
		done.Load(), failed.Load(), len(every), elapsed.Seconds(), float64(done.Load())/elapsed.Seconds(),
		float64(len(every))/elapsed.Seconds(), ms(p50), ms(p99), len(img)/1024)
	if firstErr != nil {
		fmt.Fprintln(os.Stderr, "first failure:", firstErr)
	}
	return nil
}

func percentiles(l []time.Duration) (p50, p99 time.Duration) {
	if len(l) == 0 {
		return 0, 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.50), at(0.99)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// registerOne registers a customer (born 1993-03-03, outside the flows'
// NIKs) for the status reads and prints its xid (the existing one when
// this partner registered it before).
func registerOne(args []string) error {
	fs := flag.NewFlagSet("register", flag.ExitOnError)
	tf := targetFlags(fs)
	fs.Parse(args)
	t, err := tf()
	if err != nil {
		return err
	}
	reg, err := t.c.Register(context.Background(), client.RegisterRequest{NIK: "3173050303930001", PIN: "482915",
		Email: "status@test.com", Latitude: -6.2, Longitude: 106.8})
	var e *client.Error
	if errors.As(err, &e) {
		if xid, ok := e.ExistingApplicationXID(); ok {
			fmt.Println(xid)
			return nil
		}
	}
	if err != nil {
		return err
	}
	fmt.Println(reg.ApplicationXID)
	return nil
}

// createDB creates an empty database julo_bench_<random> on the server of
// the admin URL and prints its URL.
func createDB(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: flow createdb ADMIN_URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Dropped by dropdb, a later run of this program: the drop function
	// is not needed.
	u, _, err := storetest.CreateDatabase(ctx, args[0], "julo_bench_")
	if err != nil {
		return fmt.Errorf("createdb: %w", err)
	}
	fmt.Println(u)
	return nil
}

func dropDB(args []string) error {
	if len(args) != 2 || !strings.HasPrefix(args[1], "julo_bench_") {
		return errors.New("usage: flow dropdb ADMIN_URL julo_bench_NAME")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return storetest.DropDatabase(ctx, args[0], args[1])
}

// fsyncRate measures how many 4 KiB write+fsync rounds a second the disk
// under dir takes: the ceiling of SQLite commits with synchronous=FULL,
// which fsync the WAL once per commit with a single writer.
func fsyncRate(args []string) error {
	fs := flag.NewFlagSet("fsync", flag.ExitOnError)
	dur := fs.Duration("d", 2*time.Second, "how long to measure")
	fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("usage: flow fsync DIR")
	}
	f, err := os.CreateTemp(fs.Arg(0), "fsync-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	n := 0
	start := time.Now()
	for time.Since(start) < *dur {
		if _, err := f.WriteAt(buf, int64(n%256)*4096); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		n++
	}
	fmt.Printf("RESULT fsyncs_per_s=%.0f dir=%s\n", float64(n)/time.Since(start).Seconds(), filepath.Clean(fs.Arg(0)))
	return nil
}

// argon2Rate measures PIN hashes with the server's argon2id parameters
// (19 MiB, 2 passes, 1 lane; see internal/onboarding/pinhash.go): the time
// of one on one core, and how many a second all cores make, which is the
// ceiling of registrations per second (the server runs at most GOMAXPROCS
// hashes at once).
func argon2Rate(args []string) error {
	fs := flag.NewFlagSet("argon2", flag.ExitOnError)
	dur := fs.Duration("d", 2*time.Second, "how long to measure each of one core and all")
	fs.Parse(args)
	hashes := func(workers int) float64 {
		var n atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				salt := make([]byte, 16)
				for time.Since(start) < *dur {
					argon2.IDKey([]byte("482915"), salt, 2, 19*1024, 1, 32)
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return float64(n.Load()) / time.Since(start).Seconds()
	}
	one := hashes(1)
	all := hashes(runtime.GOMAXPROCS(0))
	fmt.Printf("RESULT ms_per_hash=%.1f hashes_per_s_all_cores=%.1f cores=%d\n", 1000/one, all, runtime.GOMAXPROCS(0))
	return nil
}
