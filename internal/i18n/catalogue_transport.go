package i18n

// Issue 10's transport messages: the request's form as the HTTP layer reads
// it, and how its body arrives. Each is worded here, never taken from a Go
// parser's error text; a position "byte N" counts the body's bytes from 1
// (the first byte is byte 1).
const (
	// JSON bodies. Each starts "JSON tidak valid:" / "Malformed JSON:".
	JSONSyntax    Msg = "json_syntax"
	JSONTruncated Msg = "json_truncated"
	JSONTrailing  Msg = "json_trailing_data"
	JSONTooDeep   Msg = "json_too_deep"

	// Urlencoded and multipart forms. Each starts "Data form tidak valid:" /
	// "Malformed form data:".
	FormBadEscape       Msg = "form_bad_escape"
	FormSemicolon       Msg = "form_semicolon"
	MultipartNoBoundary Msg = "multipart_boundary_missing"
	MultipartMalformed  Msg = "multipart_malformed"

	// The body's delivery.
	BodyIncomplete Msg = "body_incomplete"
	BodyTooSlow    Msg = "body_too_slow"

	// Headers and the request line.
	DuplicateHeader  Msg = "duplicate_header"
	MalformedRequest Msg = "malformed_request"
)

func init() {
	register(map[Msg]entry{
		JSONSyntax: {
			"JSON tidak valid: karakter tak terduga pada byte %d",
			"Malformed JSON: unexpected character at byte %d"},
		JSONTruncated: {
			"JSON tidak valid: isi permintaan berakhir pada byte %d sebelum JSON-nya selesai",
			"Malformed JSON: the body ends at byte %d before the JSON does"},
		JSONTrailing: {
			"JSON tidak valid: ada data lain setelah objek JSON, mulai byte %d; kirim satu objek saja",
			"Malformed JSON: more data follows the JSON object from byte %d; send one object only"},
		JSONTooDeep: {
			"JSON tidak valid: bersarang terlalu dalam pada byte %d",
			"Malformed JSON: nested too deep at byte %d"},
		FormBadEscape: {
			"Data form tidak valid: tanda %% pada byte %d harus diikuti dua digit heksadesimal (%%20, %%2B, ...)",
			"Malformed form data: the %% at byte %d must be followed by two hex digits (%%20, %%2B, ...)"},
		FormSemicolon: {
			"Data form tidak valid: tanda ; pada byte %d bukan pemisah; pisahkan field dengan & (atau kirim ; sebagai %%3B)",
			"Malformed form data: the ; at byte %d is not a separator; separate fields with & (or send ; as %%3B)"},
		MultipartNoBoundary: {
			"Data form tidak valid: Content-Type multipart/form-data tanpa parameter boundary",
			"Malformed form data: the multipart/form-data Content-Type has no boundary parameter"},
		MultipartMalformed: {
			"Data form tidak valid: isi multipart rusak atau tidak diakhiri boundary penutup",
			"Malformed form data: the multipart body is damaged or lacks its closing boundary"},
		BodyIncomplete: {
			"Isi permintaan tidak lengkap: koneksi berakhir sebelum seluruh isi (Content-Length atau chunk terakhir) terkirim",
			"Incomplete request body: the connection ended before the whole body (its Content-Length or last chunk) arrived"},
		BodyTooSlow: {
			"Isi permintaan terkirim terlalu lambat: minimal %d byte per detik; kirim ulang",
			"The request body arrived too slowly: at least %d bytes per second are needed; send it again"},
		DuplicateHeader: {
			"Header %s dikirim lebih dari sekali; kirim tepat satu kali",
			"The %s header is sent more than once; send it exactly once"},
		MalformedRequest: {
			"Permintaan HTTP tidak valid: baris permintaan atau header-nya tidak sesuai HTTP/1.1",
			"Malformed HTTP request: its request line or headers are not valid HTTP/1.1"},
	})
}
