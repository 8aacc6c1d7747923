-- wrk's summary as one line of JSON: latencies in microseconds.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"p50": %d, "p95": %d, "requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d}\n',
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
