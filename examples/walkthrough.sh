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
#   input-pin (the PIN window) -> limit-activation: 190 LIMIT_READY_TO_USE.
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
#
# Create a partner first (the secret is printed once):
#   go run ./cmd/julo partner create acme
#   JULO_USERNAME=acme JULO_SECRET=... examples/walkthrough.sh
# .ci/walkthrough.sh starts a throwaway server and does both, twice.
#
# Needs bash, curl, jq, gzip (zcat) and shuf. Each step is printed; an
# unexpected answer stops the run with the server's answer and exit status 1.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
api="${JULO_API:-${API:-http://127.0.0.1:8080/api/partnership/v1}}"
api="${api%/}"
user="${JULO_USERNAME:-${U:-}}"
secret="${JULO_SECRET:-${S:-}}"
timeout="${JULO_TIMEOUT:-30}"
area_data="$here/../internal/refdata/areadata/area.tsv.gz"

fail() {
  echo "walkthrough: FAILED: $*" >&2
  exit 1
}

[ -n "$user" ] && [ -n "$secret" ] || fail "set JULO_USERNAME and JULO_SECRET (a partner from: julo partner create NAME)"
for c in curl jq zcat shuf od; do
  command -v "$c" >/dev/null || fail "$c is needed"
done
[ -r "$area_data" ] || fail "area data not found at $area_data"

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

echo "walkthrough: OK: application $xid (NIK $nik) was submitted, decided ($decided) and its limit of 9,000,000 activated: 190 LIMIT_READY_TO_USE" >&2
