package backoffice

import (
	"time"

	"github.com/julo-partnership/julo/internal/julo"
)

// LoanRow is a line of the console's loans list: no personal data.
type LoanRow struct {
	ID             int64 // the store's row id (paging)
	XID            int64
	ApplicationXID int64
	Partner        string
	Status         julo.LoanStatus
	LoanAmount     julo.Money
	Duration       int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// LoanFilter selects loans, newest first.
type LoanFilter struct {
	Status         int   // 0: any
	Statuses       []int // any of these (with Status 0)
	Partner        string
	ApplicationXID int64 // 0: any
	BeforeID       int64 // paging: older than this row id
	Limit          int
}

// LoanHistoryItem is one status change of a loan.
type LoanHistoryItem struct {
	From   *julo.LoanStatus
	To     julo.LoanStatus
	At     time.Time
	Reason string
}

// DeliveryRow is one partner callback delivery, with its event and its
// last attempt: ids, codes and times only.
type DeliveryRow struct {
	ID             int64
	Partner        string
	EventID        string
	EventType      string
	ApplicationXID int64
	LoanXID        int64 // 0: an application's event
	Target         string
	State          string
	Attempts       int
	CreatedAt      time.Time
	// The last attempt's answer (0 and "": none yet).
	LastStatus int
	LastError  string
}

// LoanPayment is one payment as it went to one loan: the payment's own
// figures and the parts of it allocated to the loan.
type LoanPayment struct {
	Source, PaymentID string // the gateway's (or the sandbox's) id
	Amount            julo.Money
	PaidAt            time.Time
	ReceivedAt        time.Time
	// To this loan.
	LateFee, Interest, Principal, WaivedInterest julo.Money
}
