package i18n

// Loans (issue 13): the partner-facing refusals of the loan routes, with
// production's Indonesian wording where production has one.
const (
	LoanAccountNotReady         Msg = "loan_account_not_ready"
	LoanTransactionTypeInvalid  Msg = "loan_transaction_type_invalid"
	LoanTransactionTypeMismatch Msg = "loan_transaction_type_mismatch"
	LoanAmountNotPositive       Msg = "loan_amount_not_positive"
	LoanTenorInvalid            Msg = "loan_tenor_invalid"
	LoanLimitExceeded           Msg = "loan_limit_exceeded"
	LoanNoOwnAccount            Msg = "loan_no_own_account"
	LoanNoSettlementAccount     Msg = "loan_no_settlement_account"
	LoanMissing                 Msg = "loan_missing"
	LoanImageType               Msg = "loan_image_type"
	LoanImagesClosed            Msg = "loan_images_closed"
	LoanSignatureMissing        Msg = "loan_signature_missing"
	LoanNotSignable             Msg = "loan_not_signable"
	LoanAgreementExpired        Msg = "loan_agreement_expired"
	LoanNotCancellable          Msg = "loan_not_cancellable"
	LoanAgreementAction         Msg = "loan_agreement_action"
	LoanNotWaiting              Msg = "loan_not_waiting"
	LoanNotDisbursing           Msg = "loan_not_disbursing"
)

func init() {
	register(map[Msg]entry{
		LoanAccountNotReady: {
			"akun belum dapat mengajukan loan: aplikasi berstatus %d %s, bukan 190 LIMIT_READY_TO_USE dengan akun aktif",
			"the account cannot take a loan yet: the application is at %d %s, not 190 LIMIT_READY_TO_USE with an active account"},
		LoanTransactionTypeInvalid: {
			"transaction_type_code harus 1 (ke rekening) atau 2 (ke pihak ketiga)",
			"transaction_type_code must be 1 (to a bank account) or 2 (to a third party)"},
		LoanTransactionTypeMismatch: {
			"self_bank_account dan transaction_type_code salah: 1 ke rekening nasabah sendiri (true), 2 ke pihak ketiga (false)",
			"self_bank_account and transaction_type_code are wrong: 1 goes to the customer's own account (true), 2 to a third party (false)"},
		LoanAmountNotPositive: {
			"loan_amount_request harus bilangan bulat rupiah lebih dari 0",
			"loan_amount_request must be a whole number of rupiah above 0"},
		LoanTenorInvalid: {
			"loan_duration harus jumlah bulan, 1 sampai 60",
			"loan_duration must be a number of months, 1 to 60"},
		LoanLimitExceeded: {
			"jumlah pinjaman %s melebihi limit tersedia %s",
			"the loan amount %s is more than the available limit %s"},
		LoanNoOwnAccount: {
			"nasabah belum memiliki rekening bank di data aplikasi; pilih self_bank_account=false",
			"the customer has no bank account in the application data; send self_bank_account=false"},
		LoanNoSettlementAccount: {
			"mitra belum memiliki rekening penampung untuk transaksi pihak ketiga; hubungi pemberi pinjaman",
			"the partner has no settlement account for third-party transactions; ask the lender to set one"},
		LoanMissing: {
			"pinjaman tidak ditemukan",
			"loan not found"},
		LoanImageType: {
			"image_type pinjaman harus signature",
			"a loan's image_type must be signature"},
		LoanImagesClosed: {
			"tanda tangan hanya bisa diunggah sebelum perjanjian ditandatangani: pinjaman berstatus %d %s",
			"a signature can be uploaded only before the agreement is signed: the loan is at %d %s"},
		LoanSignatureMissing: {
			"tanda tangan belum diunggah: unggah gambar signature ke loan/{loan_xid}/images lebih dulu",
			"the signature is not uploaded: upload a signature image to loan/{loan_xid}/images first"},
		LoanNotSignable: {
			"perjanjian hanya bisa ditandatangani pada status 210 LOAN_CREATED: pinjaman berstatus %d %s",
			"the agreement can be signed at 210 LOAN_CREATED only: the loan is at %d %s"},
		LoanAgreementExpired: {
			"perjanjian sudah kedaluwarsa pada %s; ajukan pinjaman baru",
			"the agreement expired at %s; create a new loan"},
		LoanNotCancellable: {
			"pinjaman hanya bisa dibatalkan sebelum pencairan (210 atau 211): pinjaman berstatus %d %s",
			"a loan can be cancelled before disbursement only (210 or 211): the loan is at %d %s"},
		LoanAgreementAction: {
			"status tidak valid: kirim sign atau cancel",
			"invalid status: send sign or cancel"},
		LoanNotWaiting: {
			"pinjaman tidak menunggu persetujuan pemberi pinjaman: berstatus %d %s",
			"the loan does not wait for the lender's approval: it is at %d %s"},
		LoanNotDisbursing: {
			"pinjaman tidak sedang dicairkan (212 LOAN_DISBURSAL_ON_PROCESS): berstatus %d %s",
			"the loan is not being disbursed (212 LOAN_DISBURSAL_ON_PROCESS): it is at %d %s"},
	})
}
