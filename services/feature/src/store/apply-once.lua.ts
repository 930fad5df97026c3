/**
 * The feature store's atomic step, run by Redis for a chunk of one partition's events.
 *
 * KEYS: [1] offsets hash, [2..] one seen-marker per event.
 * ARGV: [1] partition field, [2] mode, then per event: offset, seen-marker TTL (0: check it but
 * do not set it), op count, ops (ops.ts).
 *
 * The offsets hash holds, per partition: the watermark (`<partition>`, highest offset applied),
 * `first:<partition>` (the first offset this store ever applied) and `fill:<partition>` (how far
 * a rebuild has filled below `first`). An event is applied when its seen-marker did not exist
 * (else it is a client retry's second copy) and:
 * - mode `live` (the consumer): its offset is above the watermark (else it is a redelivery);
 * - mode `fill` (a rebuild from the ClickHouse log): its offset is above the watermark, or below
 *   `first` and above `fill` — the part of the log the store lost or never had. A rebuild and the
 *   live consumer can therefore run at once: each offset is applied by exactly one of them.
 * Returns the number of events applied.
 *
 * Feature keys are built by the service and passed as arguments rather than KEYS: the store
 * assumes one Redis primary (the product's deployment), where this is safe.
 */
export const APPLY_ONCE_LUA = `
local partition = ARGV[1]
local fillMode = ARGV[2] == 'fill'
local watermark = tonumber(redis.call('HGET', KEYS[1], partition) or '-1')
local first = tonumber(redis.call('HGET', KEYS[1], 'first:' .. partition) or '-1')
local fill = tonumber(redis.call('HGET', KEYS[1], 'fill:' .. partition) or '-1')
local applied = 0
local last = watermark
local lastFill = fill
local newFirst = nil
local a = 3

-- Set by a 'follow' op: the next rewriteLeft ops write to the aliased user's keys.
local rewriteFrom, rewriteTo, rewriteLeft = '', '', 0
local function key(name)
  if rewriteLeft > 0 and string.sub(name, 1, #rewriteFrom) == rewriteFrom then
    return rewriteTo .. string.sub(name, #rewriteFrom + 1)
  end
  return name
end

local function expire(key, ttl)
  if ttl ~= '0' then redis.call('EXPIRE', key, ttl) end
end
local function cap(key, n)
  if n ~= '0' then redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(n) + 1)) end
end
local function logadd(current, add)
  if not current then return add end
  local c = tonumber(current)
  local hi = math.max(c, add)
  return hi + math.log(1 + math.exp(-math.abs(c - add)))
end

-- Each op reads its arguments from ARGV[p] on.
local run = {}
run.zlog = function(p)
  local k, member = key(ARGV[p]), ARGV[p + 1]
  redis.call('ZADD', k, logadd(redis.call('ZSCORE', k, member), tonumber(ARGV[p + 2])), member)
  cap(k, ARGV[p + 3]); expire(k, ARGV[p + 4])
end
run.zmax = function(p)
  local k = key(ARGV[p])
  redis.call('ZADD', k, 'GT', ARGV[p + 2], ARGV[p + 1])
  cap(k, ARGV[p + 3]); expire(k, ARGV[p + 4])
end
run.zincr = function(p)
  local k = key(ARGV[p])
  redis.call('ZINCRBY', k, ARGV[p + 2], ARGV[p + 1])
  cap(k, ARGV[p + 3]); expire(k, ARGV[p + 4])
end
run.hincr = function(p)
  local k = key(ARGV[p])
  redis.call('HINCRBYFLOAT', k, ARGV[p + 1], ARGV[p + 2])
  expire(k, ARGV[p + 3])
end
run.win = function(p)
  local hash, etype, window = ARGV[p], ARGV[p + 1], ARGV[p + 2]
  local bucket, keep = tonumber(ARGV[p + 3]), tonumber(ARGV[p + 4])
  local ttl, ntypes = ARGV[p + 5], tonumber(ARGV[p + 6])
  local headField = 'head:' .. window
  local head = tonumber(redis.call('HGET', hash, headField) or tostring(bucket))
  if bucket > head - keep then
    if bucket > head then
      -- Buckets kept under the old head but not under the new one leave the hash.
      for b = head - keep + 1, math.min(head, bucket - keep) do
        for t = 1, ntypes do
          redis.call('HDEL', hash, ARGV[p + 6 + t] .. ':' .. window .. ':' .. string.format('%d', b))
        end
      end
      head = bucket
    end
    redis.call('HSET', hash, headField, string.format('%d', head))
    redis.call('HINCRBY', hash, etype .. ':' .. window .. ':' .. string.format('%d', bucket), 1)
    expire(hash, ttl)
  end
end
run.covis = function(p)
  local sessionKey, item = ARGV[p], ARGV[p + 1]
  local time, weight = tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3])
  local maxGap, tau = tonumber(ARGV[p + 4]), tonumber(ARGV[p + 5])
  local n, ttl = ARGV[p + 6], ARGV[p + 7]
  local prefix, suffix = ARGV[p + 10], ARGV[p + 11]
  -- Session members are events, '<ms>|<weight>|<item>': each pair of events is counted once, by
  -- whichever of the two is applied second, with a weight symmetric in the two, so the result
  -- does not depend on the order events are applied in.
  local events = redis.call('ZRANGE', sessionKey, 0, -1)
  for i = 1, #events do
    local t, w, other = string.match(events[i], '^(%-?%d+)|([^|]+)|(.*)$')
    if other ~= item then
      local gap = math.abs(time - tonumber(t))
      if gap <= maxGap then
        local pairWeight = math.min(weight, tonumber(w)) * math.exp(-gap / tau)
        local mine, theirs = prefix .. item .. suffix, prefix .. other .. suffix
        redis.call('ZINCRBY', mine, pairWeight, other); cap(mine, n); expire(mine, ttl)
        redis.call('ZINCRBY', theirs, pairWeight, item); cap(theirs, n); expire(theirs, ttl)
      end
    end
  end
  redis.call('ZADD', sessionKey, ARGV[p + 2], ARGV[p + 2] .. '|' .. ARGV[p + 3] .. '|' .. item)
  cap(sessionKey, ARGV[p + 8]); expire(sessionKey, ARGV[p + 9])
end
run.zmerge = function(p)
  local k, from, mode = key(ARGV[p]), ARGV[p + 1], ARGV[p + 2]
  local source = redis.call('ZRANGE', from, 0, -1, 'WITHSCORES')
  if #source > 0 then
    for i = 1, #source, 2 do
      if mode == 'log' then
        redis.call('ZADD', k, logadd(redis.call('ZSCORE', k, source[i]), tonumber(source[i + 1])), source[i])
      else
        redis.call('ZADD', k, 'GT', source[i + 1], source[i])
      end
    end
    cap(k, ARGV[p + 3]); expire(k, ARGV[p + 4])
    -- Merged once: a later merge (say the alias expired) cannot count these again.
    redis.call('DEL', from)
  end
end

-- How many arguments follow an op's name (all fixed but 'win', which lists the event types).
local arity = { zlog = 5, zmax = 5, zincr = 5, hincr = 4, covis = 12, zmerge = 5, once = 4, follow = 5 }
local function argCount(name, p)
  if name == 'win' then return 7 + tonumber(ARGV[p + 6]) end
  return arity[name]
end

for k = 2, #KEYS do
  local offset = tonumber(ARGV[a])
  local seenTtl = ARGV[a + 1]
  local nops = tonumber(ARGV[a + 2])
  a = a + 3
  -- Compared with the running marks, so a repeated offset within one chunk is applied once.
  local above = offset > last
  local below = fillMode and first >= 0 and offset < first and offset > lastFill
  if above and newFirst == nil then newFirst = offset end
  local fresh = false
  if above or below then
    if seenTtl == '0' then
      fresh = redis.call('EXISTS', KEYS[k]) == 0
    else
      fresh = redis.call('SET', KEYS[k], '1', 'NX', 'EX', seenTtl) ~= false
    end
  end
  local skip = 0
  rewriteLeft = 0
  for _ = 1, nops do
    local name = ARGV[a]
    local count = argCount(name, a + 1)
    if not count then return redis.error_reply('unknown feature op ' .. tostring(name)) end
    if not fresh then
      -- A redelivery or a retry's copy: nothing of it is applied.
    elseif skip > 0 then
      skip = skip - 1
    elseif name == 'once' then
      if not redis.call('SET', ARGV[a + 1], ARGV[a + 2], 'NX', 'EX', ARGV[a + 3]) then
        skip = tonumber(ARGV[a + 4])
      end
    elseif name == 'follow' then
      local alias = redis.call('GET', ARGV[a + 1])
      if alias then
        redis.call('EXPIRE', ARGV[a + 1], ARGV[a + 5])
        rewriteFrom, rewriteTo, rewriteLeft = ARGV[a + 2], ARGV[a + 3] .. alias .. ':', tonumber(ARGV[a + 4])
      end
    else
      run[name](a + 1)
      if rewriteLeft > 0 then rewriteLeft = rewriteLeft - 1 end
    end
    a = a + 1 + count
  end
  if fresh then applied = applied + 1 end
  if below then
    if offset > lastFill then lastFill = offset end
  elseif offset > last then
    last = offset
  end
end
if last > watermark then
  redis.call('HSET', KEYS[1], partition, string.format('%d', last))
  if first < 0 then
    -- The first offset this store covered: a rebuild fills the log below it.
    redis.call('HSET', KEYS[1], 'first:' .. partition, string.format('%d', newFirst))
  end
end
if lastFill > fill then
  redis.call('HSET', KEYS[1], 'fill:' .. partition, string.format('%d', lastFill))
end
return applied
`;
