package i18n

// Image upload messages. Field messages are rendered as "field: message"
// ("upload: ...", "image_type: ..."), so the texts do not repeat the field.
const (
	ImageUploaded        Msg = "image_uploaded"
	ImageTypeRequired    Msg = "image_type_required"
	ImageTypeUnknown     Msg = "image_type_unknown"
	ImageFileRequired    Msg = "image_file_required"
	ImageFileNotFile     Msg = "image_file_not_file"
	ImageFileOneOnly     Msg = "image_file_one_only"
	ImageFileEmpty       Msg = "image_file_empty"
	ImageFileNotImage    Msg = "image_file_not_image"
	ImageFileCorrupt     Msg = "image_file_corrupt"
	ImageFileTooManyPix  Msg = "image_file_too_many_pixels"
	ImagesClosed         Msg = "images_closed"
	ImageMissing         Msg = "image_missing"
	ImageLimitReached    Msg = "image_limit_reached"
	ImageUploadsInFlight Msg = "image_uploads_in_flight"
)

func init() {
	register(map[Msg]entry{
		// The documented success data, returned verbatim in both languages:
		// partners may compare it.
		ImageUploaded: {
			"success upload image",
			"success upload image"},
		ImageTypeRequired: {
			"wajib diisi; gunakan salah satu dari: %s",
			"is required; use one of: %s"},
		ImageTypeUnknown: {
			"tipe gambar %q tidak dikenal; gunakan salah satu dari: %s",
			"unknown image type %q; use one of: %s"},
		ImageFileRequired: {
			`wajib diisi: kirim file gambar sebagai bagian multipart/form-data dengan nama file, misalnya curl -F "upload=@foto.jpg"`,
			`is required: send the image file as a multipart/form-data part with a filename, e.g. curl -F "upload=@photo.jpg"`},
		ImageFileNotFile: {
			`harus berupa file, bukan teks (yang diterima: %q); kirim sebagai bagian multipart dengan nama file, misalnya curl -F "upload=@foto.jpg" (dengan @)`,
			`must be a file, not text (received %q); send it as a multipart part with a filename, e.g. curl -F "upload=@photo.jpg" (with the @)`},
		ImageFileOneOnly: {
			"kirim tepat satu file per permintaan",
			"send exactly one file per request"},
		ImageFileEmpty: {
			"file kosong; kirim gambar JPEG, PNG atau WebP",
			"the file is empty; send a JPEG, PNG or WebP image"},
		ImageFileNotImage: {
			"isi file bukan gambar JPEG, PNG atau WebP (jenis file dikenali dari isinya, bukan dari nama atau Content-Type)",
			"the content is not a JPEG, PNG or WebP image (the type is read from the bytes, not from the file name or Content-Type)"},
		ImageFileCorrupt: {
			"file %s rusak atau terpotong: ukuran gambar tidak dapat dibaca; kirim ulang file aslinya",
			"the %s file is damaged or truncated: its dimensions cannot be read; send the original file again"},
		ImageFileTooManyPix: {
			"gambar terlalu besar: %dx%d piksel; maksimal %d piksel per sisi dan %d megapiksel, perkecil gambarnya",
			"the image is too large: %dx%d pixels; at most %d pixels per side and %d megapixels, scale it down"},
		ImagesClosed: {
			"Gambar tidak dapat diunggah lagi: data aplikasi sudah dikirim (status %d %s)",
			"Images can no longer be uploaded: the application's data was already submitted (status %d %s)"},
		ImageMissing: {
			"Gambar tidak ditemukan",
			"Image not found"},
		ImageLimitReached: {
			"Aplikasi ini sudah mencapai batas %d gambar (termasuk gambar yang sudah diganti); gambar tidak dapat diunggah lagi, gambar yang ada tetap berlaku",
			"This application has reached its limit of %d images (replaced images included); no more images can be uploaded, the current ones remain valid"},
		ImageUploadsInFlight: {
			"Terlalu banyak unggahan gambar sedang berjalan untuk partner ini (maksimal %d bersamaan); coba lagi setelah salah satunya selesai",
			"Too many image uploads are in progress for this partner (at most %d at a time); retry once one of them has finished"},
	})
}
