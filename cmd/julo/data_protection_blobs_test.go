package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/julo-partnership/julo/internal/blob"
	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/onboarding"
	"github.com/julo-partnership/julo/internal/store"
)

// pendingName is the pending name of an upload's blob (onboarding's
// pendingBlobKey, restated: the test plants what a killed upload leaves).
func pendingName(key string, at time.Time) string {
	return "pending/" + strconv.FormatInt(at.UnixMilli(), 10) + "-" + url.PathEscape(key)
}

// Issue 10, item 12: what killed uploads leave is swept. An upload killed
// before its commit leaves a pending blob that no row names: the periodic
// sweep deletes it once it is an hour old. One killed between its commit and
// the promotion leaves a pending blob its row names: the image is served
// meanwhile, and the sweep promotes it. A young pending blob (an upload under
// way) is left alone.
func TestDataProtectionKilledUploadsLeaveNothingBehind(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	xid := imgRegister(t, s, 1)
	content := imgPNG(t, 16, 16, 9)
	imgUpload(t, s, xid, "selfie", "selfie.png", content).expect(t, http.StatusOK)
	var key string
	var createdMS int64
	s.query(t, `SELECT blob_key, created_at FROM images`, nil, &key, &createdMS)
	if got := s.blobKeys(t); !slices.Equal(got, []string{key}) {
		t.Fatalf("after an upload the store holds %q, want only %q", got, key)
	}

	ctx := context.Background()
	st, err := blob.Open(ctx, s.blobURL, s.Data, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	// Killed after the commit: the blob is still at its pending name.
	unpromoted := pendingName(key, time.UnixMilli(createdMS))
	if err := st.Rename(ctx, key, unpromoted); err != nil {
		t.Fatal(err)
	}
	l := imgList(t, s, xid)
	if resp, b := imgFetch(t, s, l[0].URL); resp.StatusCode != 200 || !bytes.Equal(b, content) {
		t.Fatalf("an unpromoted image: %d, %d bytes", resp.StatusCode, len(b))
	}
	// Killed before the commit: a pending blob no row names; and one of an
	// upload still under way (30 minutes younger).
	orphan := pendingName("images/"+strconv.FormatInt(xid, 10)+"/ktp_self/0123456789abcdef0123456789abcdef.png", s.Clock.Now())
	young := pendingName("images/"+strconv.FormatInt(xid, 10)+"/ktp_self/fedcba9876543210fedcba9876543210.png", s.Clock.Now().Add(30*time.Minute))
	for _, k := range []string{orphan, young} {
		if err := st.Put(ctx, k, bytes.NewReader(content), int64(len(content)), "image/png"); err != nil {
			t.Fatal(err)
		}
	}

	s.Clock.Add(61 * time.Minute)
	// The job River inserts every 15 minutes, inserted now (the test moves
	// the server's clock, not River's timer).
	db, err := store.Open(ctx, s.dbURL, s.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Enqueue(ctx, julo.Scheduled{Job: onboarding.PendingBlobSweepJob{}, At: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if n := s.countWhere("river_job", "kind = 'pending_blob_sweep' AND state = 'completed'"); n != 1 {
		t.Fatalf("the sweep did not complete: %s", s.jobDumpAll())
	}
	want := []string{key, young}
	slices.Sort(want)
	if got := s.blobKeys(t); !slices.Equal(got, want) {
		t.Fatalf("after the sweep the store holds %q, want %q", got, want)
	}
	if resp, b := imgFetch(t, s, l[0].URL); resp.StatusCode != 200 || !bytes.Equal(b, content) {
		t.Fatalf("the promoted image: %d, %d bytes", resp.StatusCode, len(b))
	}
	// The sweep logs no error. River's producer may log one of its own
	// ("Error fetching queue settings") on PostgreSQL when its queue row is
	// cleaned up under it, because the test clock runs a week behind the
	// database's; that is the harness's clock, not the sweep.
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) && !strings.Contains(line, "Error fetching queue settings") {
			t.Fatalf("error logged: %s\n%s", line, s.logs.String())
		}
	}
}

// The sweep is one of the server's periodic jobs, every 15 minutes.
func TestDataProtectionPendingBlobSweepIsPeriodic(t *testing.T) {
	found := false
	for _, p := range periodic {
		if _, ok := p.job.(onboarding.PendingBlobSweepJob); ok && p.every == 15*time.Minute {
			found = true
		}
	}
	if !found || len(periodicJobs()) != len(periodic) {
		t.Fatalf("periodic jobs %v", periodic)
	}
}
