package store

import "github.com/julo-partnership/julo/internal/store/storetest"

// freshPostgres creates an empty database on the server that
// JULO_TEST_DATABASE_URL names and returns its URL; the database is dropped
// when the test ends. It skips the test when no server is given (CI always
// gives one). See storetest.FreshPostgres.
var freshPostgres = storetest.FreshPostgres
