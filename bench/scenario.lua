-- wrk scenario: SCENARIO=list|get|toggle|create, TOKEN, IDS (comma list of task ids).
local scenario = os.getenv("SCENARIO")
local token = os.getenv("TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("IDS") or "", "[^,]+") do ids[#ids + 1] = id end

wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"

local counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  if scenario == "list" then
    return wrk.format("GET", "/api/tasks")
  elseif scenario == "get" then
    return wrk.format("GET", "/api/tasks/" .. id)
  elseif scenario == "toggle" then
    return wrk.format("PATCH", "/api/tasks/" .. id .. "/complete")
  elseif scenario == "create" then
    return wrk.format("POST", "/api/tasks", nil, '{"title": "bench task", "description": "made by wrk"}')
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    "RESULT rps=%.1f p50=%.1f p95=%.1f p99=%.1f max=%.1f requests=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, errors, summary.errors.status))
end
