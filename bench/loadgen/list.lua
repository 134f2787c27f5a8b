-- GET /api/v1/persons/?page=N: pages of 50 spread over every page of the list.
-- wrk -s list.lua URL -- <responses per thread> <pages> <API key>
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
require("common")

function init(args)
  limit = tonumber(args[1])
  pages = tonumber(args[2])
  wrk.headers["Authorization"] = "Token " .. args[3]
  sent = 0
end

function request()
  sent = sent + 1
  -- a different page each time, every page in turn (7919 is prime to the page count)
  local page = ((sent * 7919 + thread_no * 104729) % pages) + 1
  return wrk.format("GET", "/api/v1/persons/?page=" .. page)
end

function response(status, headers, body)
  count_response(status, body)
end
