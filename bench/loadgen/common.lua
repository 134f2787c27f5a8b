-- Shared by list.lua and order.lua (wrk 4, LuaJIT): a fixed number of responses per thread
-- (wrk itself runs for a duration), then the figures of the run as one JSON line.
-- Each thread stops after `limit` responses and says so on stdout ("BENCH_THREAD_DONE");
-- wrk itself waits out its -d duration, so bench_api_load.py interrupts it (SIGINT) once
-- every thread is done, and wrk then reports. The requests still in flight are not counted. Latency is wrk's own per-request time, send to last byte, closed loop: each
-- connection (one client) sends its next request when the answer came.

local threads = {}

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

responses = 0

function count_response(status, body)
  if status >= 400 and not error_shown then
    error_shown = true  -- the first error answer of each thread, for the reason
    io.write("BENCH_ERROR " .. status .. " " .. string.sub(body or "", 1, 400) .. "\n")
    io.flush()
  end
  responses = responses + 1
  if responses == limit then
    io.write("BENCH_THREAD_DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
