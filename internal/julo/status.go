package julo

import (
	"fmt"
	"slices"
)

// AppStatus is an application status code (domain §9, production's codes).
type AppStatus int

// Application statuses. Registration creates an application at 100; the
// complete-data step moves it to 105; the credit decision and activation
// take it on from there. The name after each code is the one partners see.
const (
	AppNone                AppStatus = 0   // before registration: only the first move starts here
	AppFormCreated         AppStatus = 100 // FORM_CREATED
	AppFormSubmitted       AppStatus = 105 // FORM_SUBMITTED (production's FORM_PARTIAL)
	AppFormExpired         AppStatus = 106 // FORM_EXPIRED
	AppDocumentsSubmitted  AppStatus = 120 // DOCUMENTS_SUBMITTED
	AppScrapedVerified     AppStatus = 121 // SCRAPPED_DATA_VERIFIED
	AppVerified            AppStatus = 124 // VERIFICATION_SUCCESSFUL
	AppManualReview        AppStatus = 125 // MANUAL_REVIEW
	AppLimitGenerated      AppStatus = 130 // LIMIT_GENERATED
	AppResubmission        AppStatus = 131 // RESUBMISSION_APPLICATION_REQUESTED
	AppFraud               AppStatus = 133 // APPLICATION_FRAUD
	AppRejected            AppStatus = 135 // APPLICATION_REJECTED
	AppCancelledByCustomer AppStatus = 137 // APPLICATION_CANCELLED_BY_CUSTOMER
	AppOfferExpired        AppStatus = 139 // LIMIT_OFFER_EXPIRED
	AppLimitActivation     AppStatus = 141 // LIMIT_ACTIVATION
	AppActivationRejected  AppStatus = 142 // LIMIT_ACTIVATION_REJECTED
	AppActivationSuccess   AppStatus = 150 // LIMIT_ACTIVATION_SUCCESS
	AppLimitReady          AppStatus = 190 // LIMIT_READY_TO_USE
)

var appNames = map[AppStatus]string{
	AppFormCreated: "FORM_CREATED", AppFormSubmitted: "FORM_SUBMITTED", AppFormExpired: "FORM_EXPIRED",
	AppDocumentsSubmitted: "DOCUMENTS_SUBMITTED", AppScrapedVerified: "SCRAPPED_DATA_VERIFIED",
	AppVerified: "VERIFICATION_SUCCESSFUL", AppManualReview: "MANUAL_REVIEW",
	AppLimitGenerated: "LIMIT_GENERATED", AppResubmission: "RESUBMISSION_APPLICATION_REQUESTED",
	AppFraud: "APPLICATION_FRAUD", AppRejected: "APPLICATION_REJECTED",
	AppCancelledByCustomer: "APPLICATION_CANCELLED_BY_CUSTOMER", AppOfferExpired: "LIMIT_OFFER_EXPIRED",
	AppLimitActivation: "LIMIT_ACTIVATION", AppActivationRejected: "LIMIT_ACTIVATION_REJECTED",
	AppActivationSuccess: "LIMIT_ACTIVATION_SUCCESS", AppLimitReady: "LIMIT_READY_TO_USE",
}

// Name is the partner-facing name of the status ("" for an unknown code).
func (s AppStatus) Name() string { return appNames[s] }

// Known reports whether s is a status of the table.
func (s AppStatus) Known() bool { _, ok := appNames[s]; return ok }

func (s AppStatus) String() string { return fmt.Sprintf("%d %s", int(s), s.Name()) }

// AppStatuses lists every application status, in code order.
func AppStatuses() []AppStatus { return sortedKeys(appNames) }

// appMoves is the transition table of applications: the statuses each
// status may move to. A status that is not a key is final.
var appMoves = map[AppStatus][]AppStatus{
	AppNone:          {AppFormCreated},
	AppFormCreated:   {AppFormSubmitted, AppFormExpired, AppCancelledByCustomer},
	AppFormSubmitted: {AppDocumentsSubmitted, AppScrapedVerified, AppVerified, AppManualReview, AppLimitGenerated, AppResubmission, AppFraud, AppRejected, AppCancelledByCustomer},
	// 131: an operator asked for documents (from 125 or 120); they come in
	// (120), or the operator sends it back to review (125).
	AppResubmission:       {AppDocumentsSubmitted, AppManualReview, AppCancelledByCustomer},
	AppDocumentsSubmitted: {AppScrapedVerified, AppVerified, AppManualReview, AppLimitGenerated, AppResubmission, AppFraud, AppRejected, AppCancelledByCustomer},
	AppScrapedVerified:    {AppVerified, AppManualReview, AppLimitGenerated, AppFraud, AppRejected, AppCancelledByCustomer},
	AppVerified:           {AppManualReview, AppLimitGenerated, AppFraud, AppRejected, AppCancelledByCustomer},
	AppManualReview:       {AppLimitGenerated, AppResubmission, AppFraud, AppRejected, AppCancelledByCustomer},
	// An operator may overturn a rejection the customer objected to (UU PDP).
	AppRejected:          {AppLimitGenerated},
	AppLimitGenerated:    {AppLimitActivation, AppActivationRejected, AppOfferExpired, AppCancelledByCustomer},
	AppLimitActivation:   {AppActivationSuccess, AppLimitReady, AppActivationRejected},
	AppActivationSuccess: {AppLimitReady},
}

// AppMoves returns the statuses s may move to.
func AppMoves(s AppStatus) []AppStatus { return slices.Clone(appMoves[s]) }

// CanMoveApp reports whether the transition table allows from -> to.
func CanMoveApp(from, to AppStatus) bool { return slices.Contains(appMoves[from], to) }

// LoanStatus is a loan status code (production's codes 209-260).
type LoanStatus int

// Loan statuses with the names production shows partners.
const (
	LoanNone              LoanStatus = 0
	LoanCreated           LoanStatus = 210 // LOAN_CREATED: the limit is deducted
	LoanWaitingApproval   LoanStatus = 211 // LOAN_WAITING_FOR_APPROVAL: signed
	LoanDisbursing        LoanStatus = 212 // LOAN_DISBURSAL_ON_PROCESS
	LoanTransactionFailed LoanStatus = 215 // LOAN_TRANSACTION_FAILED: limit restored
	LoanCancelledByUser   LoanStatus = 216 // LOAN_CANCELLED_BY_CUSTOMER: limit restored
	LoanExpired           LoanStatus = 217 // LOAN_EXPIRED: not signed in time, limit restored
	LoanDisbursalFailed   LoanStatus = 218 // LOAN_DISBURSAL_FAILED: limit restored
	LoanLenderRejected    LoanStatus = 219 // LOAN_LENDER_REJECTED: limit restored
	LoanCurrent           LoanStatus = 220 // LOAN_DISBURSAL_SUCCESS: disbursed, current
	Loan1DPD              LoanStatus = 230 // LOAN_1_DPD
	Loan5DPD              LoanStatus = 231 // LOAN_5_DPD
	Loan30DPD             LoanStatus = 232 // LOAN_30_DPD
	Loan60DPD             LoanStatus = 233 // LOAN_60_DPD
	Loan90DPD             LoanStatus = 234 // LOAN_90_DPD
	Loan120DPD            LoanStatus = 235 // LOAN_120_DPD
	Loan150DPD            LoanStatus = 236 // LOAN_150_DPD
	Loan180DPD            LoanStatus = 237 // LOAN_180_DPD
	LoanPaidOff           LoanStatus = 250 // LOAN_PAID_OFF: limit restored
)

var loanNames = map[LoanStatus]string{
	LoanCreated: "LOAN_CREATED", LoanWaitingApproval: "LOAN_WAITING_FOR_APPROVAL",
	LoanDisbursing: "LOAN_DISBURSAL_ON_PROCESS", LoanTransactionFailed: "LOAN_TRANSACTION_FAILED",
	LoanCancelledByUser: "LOAN_CANCELLED_BY_CUSTOMER", LoanExpired: "LOAN_EXPIRED",
	LoanDisbursalFailed: "LOAN_DISBURSAL_FAILED", LoanLenderRejected: "LOAN_LENDER_REJECTED",
	LoanCurrent: "LOAN_DISBURSAL_SUCCESS",
	Loan1DPD:    "LOAN_1_DPD", Loan5DPD: "LOAN_5_DPD", Loan30DPD: "LOAN_30_DPD", Loan60DPD: "LOAN_60_DPD",
	Loan90DPD: "LOAN_90_DPD", Loan120DPD: "LOAN_120_DPD", Loan150DPD: "LOAN_150_DPD", Loan180DPD: "LOAN_180_DPD",
	LoanPaidOff: "LOAN_PAID_OFF",
}

// Name is the partner-facing name of the status ("" for an unknown code).
func (s LoanStatus) Name() string { return loanNames[s] }

// Known reports whether s is a status of the table.
func (s LoanStatus) Known() bool { _, ok := loanNames[s]; return ok }

func (s LoanStatus) String() string { return fmt.Sprintf("%d %s", int(s), s.Name()) }

// LoanStatuses lists every loan status, in code order.
func LoanStatuses() []LoanStatus { return sortedKeys(loanNames) }

// dpd are the statuses of a disbursed loan that is not paid off: current
// and the days-past-due buckets. Lateness moves a loan between any two of
// them: a payment can bring it back several buckets at once, and a
// lateness run after downtime can skip buckets.
var dpd = []LoanStatus{LoanCurrent, Loan1DPD, Loan5DPD, Loan30DPD, Loan60DPD, Loan90DPD, Loan120DPD, Loan150DPD, Loan180DPD}

// loanMoves is the transition table of loans. A status that is not a key
// is final.
var loanMoves = func() map[LoanStatus][]LoanStatus {
	m := map[LoanStatus][]LoanStatus{
		LoanNone:            {LoanCreated},
		LoanCreated:         {LoanWaitingApproval, LoanCancelledByUser, LoanExpired, LoanTransactionFailed},
		LoanWaitingApproval: {LoanDisbursing, LoanCancelledByUser, LoanLenderRejected},
		LoanDisbursing:      {LoanCurrent, LoanDisbursalFailed},
	}
	for _, from := range dpd {
		for _, to := range dpd {
			if to != from {
				m[from] = append(m[from], to)
			}
		}
		m[from] = append(m[from], LoanPaidOff)
	}
	return m
}()

// LoanMoves returns the statuses s may move to.
func LoanMoves(s LoanStatus) []LoanStatus { return slices.Clone(loanMoves[s]) }

// CanMoveLoan reports whether the transition table allows from -> to.
func CanMoveLoan(from, to LoanStatus) bool { return slices.Contains(loanMoves[from], to) }

func sortedKeys[K ~int, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// DPDStatuses are the statuses of a disbursed loan not paid off: current
// and the days-past-due buckets, in order.
func DPDStatuses() []LoanStatus { return slices.Clone(dpd) }

// RestoresLimit reports whether a loan reaching s gives its amount back to
// the available limit: it failed, was cancelled, expired or rejected
// before the money moved, or it is paid off. The store's status machine
// restores the limit in the move's own transaction.
func (s LoanStatus) RestoresLimit() bool {
	switch s {
	case LoanTransactionFailed, LoanCancelledByUser, LoanExpired, LoanDisbursalFailed, LoanLenderRejected, LoanPaidOff:
		return true
	}
	return false
}
