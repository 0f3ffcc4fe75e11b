-- wrk script of the tile and query benchmarks: cycle through a list of
-- request paths, one per line. Thread k starts at path k * (n / SPREAD), so
-- threads do not request the same path at the same moment. Prints one JSON
-- line with the counts and latency percentiles when the run ends.
--
-- wrk -t2 -c16 -d10s -s wrk_paths.lua http://127.0.0.1:PORT -- LIST [SPREAD]
-- SPREAD defaults to 8.

local threads = {}
local paths = {}
local next_index = 1

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  local spread = tonumber(args[2] or "8")
  next_index = (id * math.floor(#paths / spread)) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
