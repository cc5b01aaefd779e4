-- wrk scenario, configured from the environment:
--   SCENARIO  list | get | toggle | create | filtered | health
--   PREFIX    path before /tasks: "/api" for the project, "/api/<user id>" for the floor and peer
--   HEALTH    path of the liveness endpoint (health scenario only)
--   TOKEN     bearer token; IDS comma list of task ids (get, toggle)
local scenario = os.getenv("SCENARIO")
local prefix = os.getenv("PREFIX") or "/api"
local health = os.getenv("HEALTH") or "/api/health"
local token = os.getenv("TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("IDS") or "", "[^,]+") do ids[#ids + 1] = id end

if scenario ~= "health" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Content-Type"] = "application/json"

local counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  if scenario == "list" then
    return wrk.format("GET", prefix .. "/tasks")
  elseif scenario == "filtered" then
    return wrk.format("GET", prefix .. "/tasks?completed=false&ordering=-priority,due_at")
  elseif scenario == "get" then
    return wrk.format("GET", prefix .. "/tasks/" .. id)
  elseif scenario == "toggle" then
    return wrk.format("PATCH", prefix .. "/tasks/" .. id .. "/complete")
  elseif scenario == "create" then
    return wrk.format("POST", prefix .. "/tasks", nil, '{"title": "bench task", "description": "made by wrk"}')
  elseif scenario == "health" then
    return wrk.format("GET", health)
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    "RESULT rps=%.1f mean=%.2f p50=%.2f p90=%.2f p95=%.2f p99=%.2f max=%.1f requests=%d errors=%d non2xx=%d timeouts=%d\n",
    summary.requests / (summary.duration / 1e6), latency.mean / 1000,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, errors, summary.errors.status, summary.errors.timeout))
end
