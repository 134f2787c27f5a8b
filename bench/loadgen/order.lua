-- POST /api/v1/orders/ with bodies written beforehand (one JSON body a line, new hires with
-- unique valid ID numbers): thread k sends lines k, k + threads, k + 2 threads, ...
-- wrk -s order.lua URL -- <responses per thread> <bodies file> <threads> <API key> <run id>
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
require("common")

function init(args)
  limit = tonumber(args[1])
  local threads_n = tonumber(args[3])
  authorization = "Token " .. args[4]
  run_id = args[5]
  bodies = {}
  local n = 0
  for line in io.lines(args[2]) do
    if n % threads_n == thread_no then
      table.insert(bodies, line)
    end
    n = n + 1
  end
  sent = 0
end

function request()
  sent = sent + 1
  local body = bodies[((sent - 1) % #bodies) + 1]
  -- headers given here replace wrk.headers: every one of them
  return wrk.format("POST", "/api/v1/orders/", {
    ["Host"] = wrk.host .. ":" .. wrk.port, ["Authorization"] = authorization,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run_id .. "-" .. thread_no .. "-" .. sent }, body)
end

function response(status, headers, body)
  count_response(status, body)
end
