#!/usr/bin/env bash
# examples/walkthrough.sh: the README's walk through the API, end to end,
# against a running sandbox server:
#
#   preregister-check -> check-strong-pin -> register -> upload the KTP and
#   selfie (examples/ktp.jpg, examples/selfie.jpg) -> send the OTP -> read it
#   from the sandbox outbox (GET /sandbox/sms) -> validate it -> status ->
#   complete the customer data (examples/customer.json, with the README's
#   worked example as its money) -> status is 105 FORM_SUBMITTED, then the
#   credit assessment's decision: 130 LIMIT_GENERATED, 9,000,000 offered ->
#   input-pin (the PIN window) -> limit-activation: 190 LIMIT_READY_TO_USE ->
#   a loan of 1,000,000: range-loan-amount -> loan-duration (the offers) ->
#   loan (210 LOAN_CREATED) -> the agreement page -> the signature image ->
#   sign (211) -> the loan status, polled until the sandbox's transfer is
#   confirmed (about 2 s): 220 LOAN_DISBURSAL_SUCCESS.
#
# Every run makes up a new customer: a random valid NIK (a real province,
# regency and district code from the area data in
# internal/refdata/areadata/area.tsv.gz, a random birth date 21-60 years ago
# and gender encoded in it, women's day + 40, a random serial), a random
# email and a random mobile number; the NIK's dob and gender and the phone
# are put into customer.json's body. So it can run any number of times
# against the same database.
#
# Inputs, from the environment (the README's short names work too):
#   JULO_API       the API's base URL (or API); default
#                  http://127.0.0.1:8080/api/partnership/v1
#   JULO_USERNAME  the partner's username (or U); required
#   JULO_SECRET    the partner's secret key (or S); required
#   JULO_TIMEOUT   seconds each request may take; default 30
#   JULO_DISBURSE_WAIT  seconds (and polls) to wait for the loan's
#                  disbursement; default 60
#
# Create a partner first (the secret is printed once):
#   go run ./cmd/julo partner create acme
#   JULO_USERNAME=acme JULO_SECRET=... examples/walkthrough.sh
# .ci/walkthrough.sh starts a throwaway server and does both, twice.
#
# Needs bash, curl, jq, gzip (zcat), shuf and base64. Each step is printed; an
# unexpected answer stops the run with the server's answer and exit status 1.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
api="${JULO_API:-${API:-http://127.0.0.1:8080/api/partnership/v1}}"
api="${api%/}"
user="${JULO_USERNAME:-${U:-}}"
secret="${JULO_SECRET:-${S:-}}"
timeout="${JULO_TIMEOUT:-30}"
disburse_wait="${JULO_DISBURSE_WAIT:-60}"
area_data="$here/../internal/refdata/areadata/area.tsv.gz"

fail() {
  echo "walkthrough: FAILED: $*" >&2
  exit 1
}

[ -n "$user" ] && [ -n "$secret" ] || fail "set JULO_USERNAME and JULO_SECRET (a partner from: julo partner create NAME)"
for c in curl jq zcat shuf od base64; do
  command -v "$c" >/dev/null || fail "$c is needed"
done
[ -r "$area_data" ] || fail "area data not found at $area_data"
[[ "$disburse_wait" =~ ^[1-9][0-9]{0,3}$ ]] || fail "JULO_DISBURSE_WAIT=$disburse_wait: a number of seconds, 1-9999"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/julo-walkthrough.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# The credentials go to curl in a file, not on its command line (ps shows that).
(
  umask 077
  printf 'username: %s\nsecret-key: %s\n' "$user" "$secret" >"$tmp/headers"
)

# rand N: a random whole number in [0, N).
rand() { echo $(($(od -An -tu4 -N4 /dev/urandom | tr -d ' ') % $1)); }

# call STEP WANT_STATUS METHOD PATH [curl arguments...]: one request with the
# partner's headers; the answer's body is left in $body. Anything but the
# wanted status, or an envelope without success true, fails the run.
body=""
call() {
  local step="$1" want="$2" method="$3" path="$4"
  shift 4
  echo "+ $step: $method $path" >&2
  local code
  code="$(curl -sS --max-time "$timeout" -o "$tmp/body" -w '%{http_code}' -X "$method" \
    -H @"$tmp/headers" -H 'Accept-Language: en' "$@" "$api$path")" ||
    fail "$step: the request failed (is the server running at $api?)"
  body="$(cat "$tmp/body")"
  [ "$code" = "$want" ] || fail "$step: HTTP $code, expected $want. The server answered: $body"
  if [ "$want" -lt 300 ]; then
    jq -e '.success == true' <<<"$body" >/dev/null 2>&1 || fail "$step: not a success envelope: $body"
  fi
}

# check STEP JQ_FILTER [jq arguments...]: the last answer must satisfy the filter.
check() {
  local step="$1" filter="$2"
  shift 2
  jq -e "$@" "$filter" <<<"$body" >/dev/null 2>&1 || fail "$step: the answer does not satisfy $filter: $body"
}

# json JQ_ARGS... FILTER: a request body built by jq, so values are quoted right.
json() { jq -cn "$@"; }

# new_customer sets nik, dob, gender, email, phone and fullname to a fresh
# random customer.
new_customer() {
  # A real district: the area data's lines are the code's last segment after
  # one dot per level (11 province, .05 regency, ..07 district, ...2001 village).
  local district
  district="$(zcat "$area_data" | awk -F'\t' '
    /^[0-9][0-9]\t/   { p = $1 }
    /^\.[0-9][0-9]\t/ { r = substr($1, 2) }
    /^\.\.[0-9][0-9]\t/ { print p r substr($1, 3) }' | shuf -n 1)"
  [[ "$district" =~ ^[1-9][0-9]{5}$ ]] || fail "could not pick a district code from $area_data (got '$district')"
  local year month day serial dd
  # 22-59 years before this year: 21 to 59 on any day of it, within the
  # credit policy's ages (21-60).
  year=$(($(date -u +%Y) - 22 - $(rand 38)))
  month=$((1 + $(rand 12)))
  day=$((1 + $(rand 28)))
  # 0001-8999: the serials 9001-9006 are the sandbox's magic ones (README
  # "Sandbox test data"), which decide the credit assessment.
  serial=$((1 + $(rand 8999)))
  if [ "$(rand 2)" = 0 ]; then
    gender=Pria dd=$day fullname="budi santoso"
  else
    gender=Wanita dd=$((day + 40)) fullname="siti rahmawati"
  fi
  nik="$(printf '%s%02d%02d%02d%04d' "$district" "$dd" "$month" $((year % 100)) "$serial")"
  dob="$(printf '%04d-%02d-%02d' "$year" "$month" "$day")"
  email="walkthrough.$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')@example.com"
  phone="$(printf '0812%08d' "$(rand 100000000)")"
}

echo "walkthrough against $api as partner $user" >&2

# 1. Pre-register check: the NIK and email are free. A random NIK that is
#    taken already (400 "already registered") is replaced by another one.
for attempt in 1 2 3 4 5; do
  new_customer
  echo "  customer: NIK $nik ($gender, born $dob), email $email, phone $phone" >&2
  code="$(curl -sS --max-time "$timeout" -o "$tmp/body" -w '%{http_code}' -H @"$tmp/headers" \
    -H 'Accept-Language: en' -H 'Content-Type: application/json' \
    -d "$(json --arg nik "$nik" --arg email "$email" '{nik: $nik, email: $email}')" "$api/preregister-check")" ||
    fail "preregister-check: the request failed (is the server running at $api?)"
  body="$(cat "$tmp/body")"
  echo "+ preregister-check: POST /preregister-check -> $code" >&2
  [ "$code" = 200 ] && break
  [ "$code" = 400 ] && [ "$attempt" -lt 5 ] || fail "preregister-check: HTTP $code, expected 200. The server answered: $body"
  echo "  taken, another customer: $body" >&2
done
check preregister-check '.data == null'

# 2. The PIN is strong for this NIK.
pin=159357
call check-strong-pin 200 POST /check-strong-pin -H 'Content-Type: application/json' \
  -d "$(json --arg nik "$nik" --arg pin "$pin" '{nik: $nik, pin: $pin}')"
check check-strong-pin '.data == "Strong password"'

# 3. Register: 201 with the application's xid.
call register 201 POST /customer/ -H 'Content-Type: application/json' \
  -d "$(json --arg nik "$nik" --arg pin "$pin" --arg email "$email" \
    '{username: $nik, pin: $pin, email: $email, latitude: -6.1815657, longitude: 106.7229445}')"
check register '.data.ktp == $nik and .data.email == $email' --arg nik "$nik" --arg email "$email"
xid="$(jq -r '.data.application_xid' <<<"$body")"
[[ "$xid" =~ ^[0-9]{10}$ ]] || fail "register: no 10-digit application_xid: $body"
echo "  application_xid $xid" >&2

# 4. The KTP and selfie images (multipart, the file part is `upload`).
call "upload ktp_self" 200 POST "/applications/$xid/images" \
  -F image_type=ktp_self -F "upload=@$here/ktp.jpg;type=image/jpeg"
check "upload ktp_self" '.data == "success upload image"'
call "upload selfie" 200 POST "/applications/$xid/images" \
  -F image_type=selfie -F "upload=@$here/selfie.jpg;type=image/jpeg"
check "upload selfie" '.data == "success upload image"'

# 5. OTP: send it, read it from the sandbox outbox, validate it.
call "send OTP" 200 POST "/application/otp/$xid" -H 'Content-Type: application/json' \
  -d "$(json --arg phone "$phone" '{phone: $phone}')"
call "sandbox outbox" 200 GET "/sandbox/sms?phone=$phone"
otp="$(jq -r --argjson xid "$xid" '[.data[] | select(.application_xid == $xid)][0].otp // empty' <<<"$body")"
[[ "$otp" =~ ^[0-9]{6}$ ]] || fail "sandbox outbox: no OTP for application $xid: $body"
echo "  OTP $otp" >&2
call "validate OTP" 200 POST "/application/otp/validate/$xid" -H 'Content-Type: application/json' \
  -d "$(json --arg otp "$otp" '{otp_token: $otp}')"

# 6. Only the customer data is missing now.
call "status before" 200 GET "/application/status/$xid"
check "status before" '.data.application_status_code == 100 and .data.missing_steps == ["complete_customer_data"]'

# 7. Complete the customer data: customer.json with this customer's NIK
#    dob and gender, its name and its verified phone, and the README's
#    worked example as its money (income 4,000,000, expenses 1,500,000,
#    housing 500,000, no debt, no dependents: a limit of 9,000,000, which
#    needs no manual review; the documentation's own figures ask for
#    15,000,000 and wait for an operator at 125).
jq --arg dob "$dob" --arg gender "$gender" --arg phone "$phone" --arg name "$fullname" \
  '.dob = $dob | .gender = $gender | .mobile_phone_1 = $phone | .fullname = $name
   | .monthly_income = 4000000 | .monthly_expenses = 1500000 | .monthly_housing_cost = 500000
   | .total_current_debt = 0 | .dependent = 0' \
  "$here/customer.json" >"$tmp/customer.json" || fail "examples/customer.json is not JSON"
call "complete data" 200 PATCH "/applications/$xid" -H 'Content-Type: application/json' \
  --data-binary @"$tmp/customer.json"
check "complete data" '.data.ktp == $nik and .data.dob == $dob and .data.gender == $gender' \
  --arg nik "$nik" --arg dob "$dob" --arg gender "$gender"

# 8. The application is submitted (105 FORM_SUBMITTED, nothing missing), and
#    its credit assessment, a background job, decides it a moment later.
for try in $(seq 30); do
  call "status after" 200 GET "/application/status/$xid"
  jq -e '.data.decision != null' <<<"$body" >/dev/null 2>&1 && break
  check "status after" '.data.application_status_code == 105 and .data.missing_steps == []'
  sleep 1
done
check "status after" '.data.decision != null and .data.missing_steps == [] and .data.application_status_code != 100'
decided="$(jq -r '"\(.data.application_status_code) \(.data.application_status) (\(.data.decision.outcome): \(.data.decision.reason_codes | join(",")))"' <<<"$body")"
echo "  decided: $decided" >&2
check "status after" '.data.application_status_code == 130 and .data.credit_info.set_limit == 9000000
  and .data.credit_info.available_limit == 0 and .data.can_continue' # the offer

# 9. Activation: the customer's PIN opens a 5-minute window, inside which
#    the customer accepts the limit: 190 with the credit account, all of it
#    available.
call "input PIN" 200 POST /input-pin -H 'Content-Type: application/json' \
  -d "$(json --arg xid "$xid" --arg pin "$pin" '{application_xid: $xid, pin: $pin}')"
check "input PIN" '.data.pin_verified_until != null'
call "limit activation" 200 POST "/limit-activation/$xid" -H 'Content-Type: application/json' -d '{"accept": true}'
check "limit activation" '.data.application_status_code == 190 and .data.credit_info.set_limit == 9000000
  and .data.credit_info.available_limit == 9000000 and .data.credit_info.used_limit == 0'
call "status at 190" 200 GET "/application/status/$xid"
check "status at 190" '.data.application_status == "LIMIT_READY_TO_USE" and .data.credit_info.available_limit == 9000000'

# 10. A loan on the limit: the range, the offers for 1,000,000 (to the
#     customer's own bank account, transaction type 1), the loan on the
#     first offer's tenor (inside the PIN window of step 9): 210, the amount
#     drawn from the limit at once.
call "loan range" 200 GET "/range-loan-amount/$xid?self_bank_account=true&transaction_type_code=1"
check "loan range" '.data.min_amount == 300000 and .data.max_amount == 9000000'
call "loan offers" 200 POST "/loan-duration/$xid" -H 'Content-Type: application/json' \
  -d '{"loan_amount_request": 1000000, "self_bank_account": true, "transaction_type_code": 1}'
check "loan offers" '(.data | length) >= 1 and all(.data[]; .loan_amount == 1000000
  and .disbursement_amount == .loan_amount - .provision_amount and .available_limit_after_transaction == 8000000)'
duration="$(jq -r '.data[0].duration' <<<"$body")"
installment="$(jq -r '.data[0].monthly_installment' <<<"$body")"
echo "  offers: $(jq -r '[.data[] | "\(.duration) months at \(.monthly_installment)"] | join(", ")' <<<"$body")" >&2
call "create loan" 201 POST "/loan/$xid" -H 'Content-Type: application/json' \
  -d "$(json --argjson d "$duration" \
    '{loan_amount_request: 1000000, loan_duration: $d, self_bank_account: true, transaction_type_code: 1, loan_purpose: "Modal usaha"}')"
check "create loan" '.data.loan_status == "LOAN_CREATED" and .data.loan_amount == 1000000
  and .data.loan_duration == $d and .data.installment_amount == $i' --argjson d "$duration" --argjson i "$installment"
loan="$(jq -r '.data.loan_xid' <<<"$body")"
[[ "$loan" =~ ^[0-9]{10}$ ]] || fail "create loan: no 10-digit loan_xid: $body"
echo "  loan_xid $loan: $(jq -r '"\(.data.loan_amount) over \(.data.loan_duration) months, \(.data.installment_amount) a month, interest \(.data.monthly_interest) a month"' <<<"$body")" >&2
call "loan status" 200 GET "/loan/status/$loan/"
check "loan status" '.data.loan.status_code == 210 and .data.loan.signature_status == false
  and .data.limit.available_limit == 8000000 and .data.limit.used_limit == 1000000
  and ([.data.payments[].principal_amount] | add) == 1000000'

# 11. The agreement (SPHP): an HTML page to show the customer in a webview
#     (not an envelope, so fetched here without call's envelope check).
echo "+ agreement: GET /agreement/content/$loan/" >&2
code="$(curl -sS --max-time "$timeout" -o "$tmp/agreement.html" -w '%{http_code} %{content_type}' \
  -H @"$tmp/headers" "$api/agreement/content/$loan/")" || fail "agreement: the request failed"
[[ "$code" == "200 text/html"* ]] || fail "agreement: HTTP $code, expected 200 text/html: $(head -c 500 "$tmp/agreement.html")"
grep -q 'Surat Perjanjian' "$tmp/agreement.html" && grep -q 'Rp1\.000\.000' "$tmp/agreement.html" ||
  fail "agreement: the page does not name the agreement and its amount"

# 12. The customer's signature (a small PNG, multipart like the KYC images),
#     then sign: 211, approved by the lender and paid out by the sandbox.
base64 -d >"$tmp/signature.png" <<'PNG'
iVBORw0KGgoAAAANSUhEUgAAAGAAAAAgCAAAAADIqyKIAAAAxklEQVR42uyWXRKDIAyEseMV9v4H3EPY6ajFEIKbdnyDNzDZb8NPxnUrz45XmYAJmIDHAasaiFL4C2DZVPkSEzBga4DdfqSDEVwCnMp9wmcVDaJW3AP46HMGhnRzRrt+ADg+VlGTyXj/v4EmowWc7nFZ4+A44X3bDA9gUEmX4KYuowHg9q6D4v3svmTc3yiaGOZaBaTHikS9FqDpM1PvAUBC/7pJlLspoOtXQ9SbHVQ/7qHK3RSpZpwwtMw/uwn4e7wDAAD//7KFP4KJe89YAAAAAElFTkSuQmCC
PNG
call "upload signature" 201 POST "/loan/$loan/images" \
  -F image_type=signature -F "upload=@$tmp/signature.png;type=image/png"
check "upload signature" '.data.image_type == "signature"'
call "sign" 200 POST "/agreement/loan/status/$loan/" -H 'Content-Type: application/json' -d '{"status": "sign"}'
check "sign" '.data.status == "LOAN_WAITING_FOR_APPROVAL" and .data.loan_xid == $l' --argjson l "$loan"

# 13. The disbursement is background work: 212 while the sandbox's transfer
#     is pending, 220 once it is confirmed (about 2 s). Polled once a second,
#     at most JULO_DISBURSE_WAIT times and seconds; 218 (a failed transfer)
#     or any other end stops the run.
deadline=$((SECONDS + disburse_wait))
for try in $(seq "$disburse_wait"); do
  call "loan status" 200 GET "/loan/status/$loan/"
  st="$(jq -r '.data.loan.status_code' <<<"$body")"
  echo "  loan status $st $(jq -r '.data.loan.status' <<<"$body")" >&2
  [ "$st" = 220 ] && break
  case "$st" in 211 | 212) ;; *) fail "loan status: $st while waiting for the disbursement: $body" ;; esac
  [ "$SECONDS" -lt "$deadline" ] || break
  sleep 1
done
check "loan status" '.data.loan.status_code == 220 and .data.loan.status == "LOAN_DISBURSAL_SUCCESS"
  and .data.loan.fund_transfer_ts != null and .data.loan.signature_status == true
  and .data.limit.available_limit == 8000000 and .data.limit.used_limit == 1000000'
call "status with the loan" 200 GET "/application/status/$xid"
check "status with the loan" '.data.existing_loans == [{loan_xid: $l, loan_status: "LOAN_DISBURSAL_SUCCESS"}]
  and .data.credit_info.available_limit == 8000000 and .data.credit_info.used_limit == 1000000' --argjson l "$loan"

echo "walkthrough: OK: application $xid (NIK $nik) was submitted, decided ($decided) and its limit of 9,000,000 activated (190 LIMIT_READY_TO_USE); loan $loan of 1,000,000 was signed and disbursed: 220 LOAN_DISBURSAL_SUCCESS" >&2
