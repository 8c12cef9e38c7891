-- wrk script for scripts/soak.sh: one request in twenty a write (a hazard
-- opened, with its ledger entry), the rest the reads a command centre and
-- case boards make. Counts answers by status class.
local token = os.getenv("FQ_TOKEN")
local n = 0
local writes, failures = 0, 0

request = function()
  n = n + 1
  local h = { ["Authorization"] = "Bearer " .. token }
  local k = n % 20
  if k == 0 then
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/cases", h, '{"type":"hazard","category":"hazard.fire","title":"soak"}')
  elseif k < 6 then
    return wrk.format("GET", "/api/v1/incidents/aggregate?by=cell&cell=250", h)
  elseif k < 10 then
    return wrk.format("GET", "/api/v1/incidents?limit=50", h)
  elseif k < 14 then
    return wrk.format("GET", "/api/v1/cases?type=hazard&open=true&limit=100", h)
  elseif k < 17 then
    return wrk.format("GET", "/api/v1/incidents/aggregate?by=hour_of_week", h)
  else
    return wrk.format("GET", "/api/v1/kpis/shift", h)
  end
end
