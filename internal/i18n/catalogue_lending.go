package i18n

// Loan offers and the lending rules (package lending).
const (
	LoanAmountBelowThreshold Msg = "loan_amount_below_threshold"
	LoanAmountOutOfRange     Msg = "loan_amount_out_of_range"
	LoanDurationUnavailable  Msg = "loan_duration_unavailable"
	LoanDurationNotOffered   Msg = "loan_duration_not_offered"
	DebtServiceNoIncome      Msg = "debt_service_no_income"
	DebtServiceExceeded      Msg = "debt_service_exceeded"
)

func init() {
	register(map[Msg]entry{
		// Production's messages of loan-duration and loan (LeadGen
		// partnership views); partners match on the Indonesian text.
		LoanAmountBelowThreshold: {
			"Kamu belum dapat mengajukan pinjaman",
			"You cannot apply for a loan of this amount yet: it is below the minimum"},
		LoanAmountOutOfRange: {
			"Jumlah yang kamu masukkan salah, periksa kembali",
			"The amount you entered is wrong, please check it again: it is outside the range you can borrow"},
		LoanDurationUnavailable: {
			"Gagal mendapatkan durasi pinjaman",
			"No loan duration can be offered for this amount"},
		LoanDurationNotOffered: {
			"loan_duration yang dipilih tidak sesuai",
			"the chosen loan_duration is not one of the offers"},
		// Ours: the debt-service cap (OJK) is dated configuration.
		DebtServiceNoIncome: {
			"penghasilan bulanan tidak diketahui, sehingga batas cicilan terhadap penghasilan tidak dapat diperiksa",
			"the monthly income is unknown, so the cap of installments to income cannot be checked"},
		DebtServiceExceeded: {
			"seluruh cicilan bulanan dengan pinjaman ini menjadi %s dari penghasilan bulanan, melebihi batas %s yang berlaku sejak %s",
			"all monthly installments with this loan would be %s of the monthly income, above the cap of %s in force since %s"},
	})
}
