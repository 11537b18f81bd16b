package lending

import (
	"fmt"
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// Lateness (issue 14): days past due, the DPD loan statuses, the daily late
// fee within the caps, and production's words for the state of a due date.

// DaysPastDue is the days from the due date of the oldest installment with
// anything left to pay (late fees included) to Day today; 0 when there is
// none or it is not yet past due.
func DaysPastDue(inst []InstallmentState, today time.Time) int {
	today = Day(today)
	dpd := 0
	for _, i := range inst {
		if i.Outstanding() > 0 && i.Due.Before(today) {
			dpd = max(dpd, daysBetween(i.Due, today))
		}
	}
	return dpd
}

// dpdStatuses are production's loan statuses by days past due (its
// LoanStatusCodes 230-237 and the DPD each begins at), the largest first.
// They are production's status definitions, not policy numbers.
var dpdStatuses = []struct {
	from   int
	status julo.LoanStatus
}{
	{180, julo.Loan180DPD},
	{150, julo.Loan150DPD},
	{120, julo.Loan120DPD},
	{90, julo.Loan90DPD},
	{60, julo.Loan60DPD},
	{30, julo.Loan30DPD},
	{5, julo.Loan5DPD},
	{1, julo.Loan1DPD},
}

// DPDStatus is the status of a disbursed loan that is dpd days past due:
// 220 when it is not late (dpd 0 or less), 230 from 1 day, 231 from 5, 232
// from 30, 233 from 60, 234 from 90, 235 from 120, 236 from 150, 237 from
// 180 on.
func DPDStatus(dpd int) julo.LoanStatus {
	for _, s := range dpdStatuses {
		if dpd >= s.from {
			return s.status
		}
	}
	return julo.LoanCurrent
}

// maxAccrueDays bounds one Accrue: no loan's lateness is run for more than
// 20 years at once (the caller's days are wrong, not the loan).
const maxAccrueDays = 20 * 366

// Accrue charges the late fees of the days (from, to], each a Jakarta Day:
// on each day d, for each installment (in order) whose due date is before
// d, a fee on its principal not yet paid, as Terms.LateFee computes it: the
// late-fee cap in force on d (its daily rate), rounded down to the rupiah
// per installment and day (so the sum never passes the rate on the loan's
// overdue principal either), and never more than what leaves interest +
// provision + all late fees of the loan within TotalCostCapBPS of
// loanAmount. Once the cap is reached no fee is charged again.
//
// It returns the installments with LateFee increased (inst itself is not
// modified) and the total charged. A day no late-fee cap covers, amounts
// out of range, installments no loan can have, or more than 20 years of
// days are errors, and then nothing is charged.
func (t Terms) Accrue(inst []InstallmentState, loanAmount, provision julo.Money, from, to time.Time) ([]InstallmentState, julo.Money, error) {
	if err := checkInstallments(inst); err != nil {
		return nil, 0, err
	}
	if loanAmount < 1 || loanAmount > maxAmount || provision < 0 || provision > loanAmount {
		return nil, 0, fmt.Errorf("lending: accrue on a loan of %d with a provision of %d", loanAmount, provision)
	}
	from, to = Day(from), Day(to)
	days := daysBetween(from, to)
	if days > maxAccrueDays {
		return nil, 0, fmt.Errorf("lending: accrue over %d days (at most %d at once)", days, maxAccrueDays)
	}
	out := append([]InstallmentState(nil), inst...)
	charged := provision
	for _, i := range out {
		charged += i.Charged()
	}
	var total julo.Money
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		for k := range out {
			i := &out[k]
			overdue := i.Principal - i.PaidPrincipal
			if !i.Due.Before(d) || overdue == 0 {
				continue
			}
			fee, _, err := t.LateFee(d, overdue, loanAmount, charged)
			if err != nil {
				return nil, 0, err
			}
			i.LateFee += fee
			charged += fee
			total += fee
		}
	}
	return out, total, nil
}

// Production's words for the state of a customer's dues of one date (its
// account payment due_status, as the partner API shows it).
const (
	StatusNotDue     = "Belum jatuh tempo"
	StatusDueToday   = "Jatuh tempo hari ini"
	StatusLate       = "TERLAMBAT"
	StatusPaidOnTime = "Terbayar tepat waktu"
	StatusPaidLate   = "Terbayar terlambat"
)

// AccountPaymentStatus is production's status of the dues of Day due on Day
// today. With nothing outstanding they are paid: "Terbayar terlambat" when
// the day they were paid off is after the due date, otherwise (paid on or
// before it, or no day known) "Terbayar tepat waktu". Otherwise: "Belum
// jatuh tempo" before the due date, "Jatuh tempo hari ini" on it,
// "TERLAMBAT" after it.
func AccountPaymentStatus(due time.Time, outstanding julo.Money, paidOff time.Time, today time.Time) string {
	due, today = Day(due), Day(today)
	if outstanding <= 0 {
		if !paidOff.IsZero() && Day(paidOff).After(due) {
			return StatusPaidLate
		}
		return StatusPaidOnTime
	}
	switch {
	case today.Before(due):
		return StatusNotDue
	case today.Equal(due):
		return StatusDueToday
	}
	return StatusLate
}
