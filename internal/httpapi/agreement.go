package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
	"github.com/julo-partnership/julo/internal/lending"
)

// The loan agreement (SPHP) page of GET agreement/content/{loan_xid}/: a
// self-contained Indonesian page for a webview, every number from the
// stored loan. It loads nothing; its one style block is allowed by hash in
// its Content-Security-Policy, and it runs no script.

//go:embed agreement/sphp.html
var agreementFS embed.FS

var agreementPage = template.Must(template.ParseFS(agreementFS, "agreement/sphp.html"))

const agreementCSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
main{max-width:46rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .2rem;text-align:left;font-size:.9rem}
.wide{overflow-x:auto}
td{font-variant-numeric:tabular-nums}.meta{color:#555;font-size:.9rem}dt{font-weight:600;margin-top:.5rem}dd{margin:0 0 .5rem 0}`

var agreementCSP = "default-src 'none'; style-src 'sha256-" + func() string {
	h := sha256.Sum256([]byte(agreementCSS))
	return base64.StdEncoding.EncodeToString(h[:])
}() + "'; img-src 'none'; frame-ancestors *; base-uri 'none'; form-action 'none'"

type agreementRow struct {
	Number                     int
	Due                        string
	Principal, Interest, Total string
}

type agreementData struct {
	CSS                                    template.CSS
	Loan                                   lending.Loan
	Lender                                 lending.Lender
	Borrower                               lending.Borrower
	Created, Expires                       string
	Amount, Provision, Disbursement        string
	ProvisionRate, InterestRate            string
	TotalInterest, TotalDue, Benefit       string
	Destination                            string
	DailyRate, CapRate, CapSource, CapFrom string
	LateRate, LateSource, LateFrom         string
	TotalCap, TotalCapAmount               string
	DebtRate, DebtSource, DebtFrom         string
	Schedule                               []agreementRow
}

// wib is Asia/Jakarta (UTC+7, no daylight saving), as the agreement shows
// times.
var wib = time.FixedZone("WIB", 7*3600)

func newAgreementData(a lending.Agreement) agreementData {
	l, q := a.Loan, a.Loan.Quote
	var totalDue julo.Money
	rows := make([]agreementRow, 0, len(q.Schedule))
	for _, in := range q.Schedule {
		totalDue += in.Total
		rows = append(rows, agreementRow{Number: in.Number, Due: day(in.Due), Principal: in.Principal.String(),
			Interest: in.Interest.String(), Total: in.Total.String()})
	}
	capAmount, _ := q.LoanAmount.MulDiv(a.TotalCostCapBPS, 10_000)
	dest := l.Destination.BankName + " " + l.Destination.Masked()
	if l.Destination.Kind == lending.DestinationPartner {
		dest = "rekening penampung mitra, " + dest
	} else {
		dest = "rekening Anda, " + dest
	}
	return agreementData{CSS: template.CSS(agreementCSS), Loan: l, Lender: a.Lender, Borrower: a.Borrower,
		Created: l.CreatedAt.In(wib).Format("2006-01-02 15:04 WIB"), Expires: l.ExpiresAt.In(wib).Format("2006-01-02 15:04 WIB"),
		Amount: q.LoanAmount.String(), Provision: q.Provision.String(), Disbursement: q.Disbursement.String(),
		ProvisionRate: percent(bpsRate(q.ProvisionBPS)), InterestRate: percent(bpsRate(q.InterestBPS)),
		TotalInterest: q.TotalInterest.String(), TotalDue: totalDue.String(), Benefit: (q.TotalInterest + q.Provision).String(),
		Destination: dest,
		DailyRate:   percent(ppmRate(q.DailyCostPPM)), CapRate: percent(ppmRate(q.Cap.DailyPPM)), CapSource: q.Cap.Source,
		CapFrom:  day(q.Cap.From),
		LateRate: percent(ppmRate(a.LateFee.DailyPPM)), LateSource: a.LateFee.Source, LateFrom: day(a.LateFee.From),
		TotalCap: percent(bpsRate(a.TotalCostCapBPS)), TotalCapAmount: capAmount.String(),
		DebtRate: percent(bpsRate(l.DebtCap.MaxShareBPS)), DebtSource: l.DebtCap.Source, DebtFrom: day(l.DebtCap.From),
		Schedule: rows}
}

// percent writes a rate as an Indonesian percentage: 0.04 -> "4%", 0.003
// -> "0,3%" (exact: the decimal's digits moved two places).
func percent(d decimalJSON) string {
	p := decimalJSON{units: d.units, scale: d.scale - 2}
	if p.scale < 0 {
		p.units *= pow10(-p.scale)
		p.scale = 0
	}
	s := p.String()
	out := make([]byte, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, ',')
			continue
		}
		out = append(out, s[i])
	}
	return string(out) + "%"
}

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

// renderAgreement writes the page; a template error before anything is
// written is a 500 in the envelope.
func renderAgreement(w http.ResponseWriter, r *http.Request, a lending.Agreement) {
	var buf bytes.Buffer
	if err := agreementPage.Execute(&buf, newAgreementData(a)); err != nil {
		fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", agreementCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
