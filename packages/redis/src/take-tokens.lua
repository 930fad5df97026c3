local cost = tonumber(ARGV[1])
local wanted = tonumber(ARGV[2])
local partial = ARGV[3] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tokens = {}
local wait, short = 0, 0
local available = cost
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 + 2 * i])
  local burst = tonumber(ARGV[3 + 2 * i])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local left = tonumber(state[1])
  local at = tonumber(state[2])
  if left == nil or at == nil then
    left = burst
    at = now
  end
  left = math.min(burst, left + math.max(0, now - at) * rate / 1000)
  tokens[i] = left
  available = math.min(available, left)
  if left < cost then
    local ms = math.ceil((math.max(cost, wanted) - left) * 1000 / rate)
    if ms > wait then wait, short = ms, i end
  end
end
if short > 0 and not partial then return {0, wait, short} end
local take = math.max(0, available)
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 + 2 * i])
  local burst = tonumber(ARGV[3 + 2 * i])
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i] - take), 'at', tostring(now))
  -- Once refilled to burst, the bucket is the same as no bucket: let it go (the memory bound).
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst * 1000 / rate) + 1000)
end
return {1, 0, 0}
