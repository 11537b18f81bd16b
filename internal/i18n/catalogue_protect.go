package i18n

// Issue 10's messages (protecting data and resisting abuse). The image
// messages are field messages, rendered "upload: ...", after the header
// checks of catalogue_images.go have passed: the whole image is decoded
// before it is accepted.
const (
	ImageFileTruncated    Msg = "image_file_truncated"
	ImageFileUndecodable  Msg = "image_file_undecodable"
	ImageFileTrailingData Msg = "image_file_trailing_data"
)

func init() {
	register(map[Msg]entry{
		ImageFileTruncated: {
			"file %s terpotong: file berakhir sebelum data gambarnya selesai; kirim file aslinya secara utuh",
			"the %s file is truncated: it ends before its image data does; send the whole original file"},
		ImageFileUndecodable: {
			"data gambar file %s rusak dan tidak dapat dibaca; kirim ulang file aslinya",
			"the %s file's image data is damaged and cannot be decoded; send the original file again"},
		ImageFileTrailingData: {
			"file %s berisi %d byte lain setelah akhir gambarnya; kirim file gambarnya saja, tanpa data tambahan",
			"the %s file holds %d more bytes after the end of its image; send the image file alone, with nothing appended"},
	})
}
