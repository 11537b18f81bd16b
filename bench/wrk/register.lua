-- Registration with a fresh customer per request (appended to report.lua).
-- Each NIK is valid: DKI Jakarta (31), regency 73, born 1992-02-02 (the
-- onboarding flows use 1992-01-01, the status customer 1993-03-03, so no
-- phase collides with another), a district and serial unique per wrk
-- thread and request. The email is unique too.
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

local n = 0

function request()
   n = n + 1
   local i = (tid - 1) * 200000 + n
   local nik = string.format("3173%02d020292%04d", math.floor(i / 9999) % 99 + 1, i % 9999 + 1)
   local body = string.format(
      '{"username": "%s", "pin": "482915", "email": "w%d-%d@test.com", "latitude": -6.2, "longitude": 106.8}',
      nik, tid, n)
   wrk.headers["Content-Type"] = "application/json"
   return wrk.format("POST", nil, wrk.headers, body)
end
