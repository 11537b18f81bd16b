package main

import "testing"

// testBlobURL is the --blob-url each test server gets: empty means files
// under the server's data dir.
func testBlobURL(t *testing.T) string { return "" }
