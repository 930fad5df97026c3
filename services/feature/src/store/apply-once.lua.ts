/**
 * The feature store's atomic step, run by Redis for a chunk of one partition's events.
 *
 * KEYS: [1] offsets hash, [2..] one seen-marker per event.
 * ARGV: [1] partition field, [2] mode, [3] the chunk as JSON (ops.ts `encodeChunk`):
 * `{events: [[offset, seen-marker TTL (0: check it but do not set it)], …], expected: [1|0, …],
 * ops: [[op name, args…], …]}` — the operations of the events the caller expects to be new,
 * aggregated (aggregate.ts). One JSON argument rather than thousands of small ones: parsing it is
 * one C call in Redis, and the client encodes one string per chunk.
 *
 * The script first judges every event (below). If its verdicts differ from `expected` (a
 * redelivery, a retry's copy), it writes nothing and returns them, as a JSON array, for the
 * caller to aggregate again over the new events only; otherwise it applies the operations,
 * records the markers and watermarks, and returns the number of new events.
 *
 * The offsets hash holds, per partition: the watermark (`<partition>`, highest offset applied),
 * `first:<partition>` (the first offset this store ever applied) and `fill:<partition>` (how far
 * a rebuild has filled below `first`). An event is applied when its seen-marker did not exist
 * (else it is a client retry's second copy) and:
 * - mode `live` (the consumer): its offset is above the watermark (else it is a redelivery);
 * - mode `fill` (a rebuild from the ClickHouse log): its offset is above the watermark, or below
 *   `first` and above `fill` — the part of the log the store lost or never had. A rebuild and the
 *   live consumer can therefore run at once: each offset is applied by exactly one of them.
 *
 * Feature keys are built by the service and passed as arguments rather than KEYS: the store
 * assumes one Redis primary (the product's deployment), where this is safe.
 */
export const APPLY_ONCE_LUA = `
local partition = ARGV[1]
local fillMode = ARGV[2] == 'fill'
local chunk = cjson.decode(ARGV[3])
local events, expected = chunk.events, chunk.expected
local watermark = tonumber(redis.call('HGET', KEYS[1], partition) or '-1')
local first = tonumber(redis.call('HGET', KEYS[1], 'first:' .. partition) or '-1')
local fill = tonumber(redis.call('HGET', KEYS[1], 'fill:' .. partition) or '-1')
local applied = 0
local last = watermark
local lastFill = fill
local newFirst = nil

local function int(n) return string.format('%d', n) end

-- Set by a 'follow' op: the event's next rewriteLeft ops write to the aliased user's keys.
local rewriteFrom, rewriteTo, rewriteLeft = '', '', 0
local function key(name)
  if rewriteLeft > 0 and string.sub(name, 1, #rewriteFrom) == rewriteFrom then
    return rewriteTo .. string.sub(name, #rewriteFrom + 1)
  end
  return name
end

-- Caps and expiries are applied once per key at the end of the chunk rather than after every
-- write: a popular item's keys are touched hundreds of times per chunk. A sorted set may exceed
-- its cap by one chunk's additions in between.
local touched = {}
local function touch(k, cap, ttl)
  local t = touched[k]
  if not t then
    t = { 0, 0 }
    touched[k] = t
  end
  if cap > 0 then t[1] = cap end
  if ttl > 0 then t[2] = ttl end
end
-- Co-visitation weights are summed per (item, neighbour) and written once: nothing in the chunk
-- reads them, and popular pairs recur across sessions.
local pairWeights = {}
local function addPair(k, member, weight)
  local members = pairWeights[k]
  if not members then
    members = {}
    pairWeights[k] = members
  end
  members[member] = (members[member] or 0) + weight
end
-- Hash increments nothing in the chunk reads (global counts) are summed and written once.
local increments = {}
local function logadd(current, add)
  if not current then return add end
  local c = tonumber(current)
  local hi = math.max(c, add)
  return hi + math.log(1 + math.exp(-math.abs(c - add)))
end

-- One function per op (ops.ts); o is the op's array, o[1] its name.
local run = {}
run.zlog = function(o) -- key, member, logScore, cap, ttl
  local k = key(o[2])
  redis.call('ZADD', k, logadd(redis.call('ZSCORE', k, o[3]), o[4]), o[3])
  touch(k, o[5], o[6])
end
run.zmax = function(o) -- key, member, score, cap, ttl
  local k = key(o[2])
  redis.call('ZADD', k, 'GT', o[4], o[3])
  touch(k, o[5], o[6])
end
run.zincr = function(o) -- key, member, delta, cap, ttl
  local k = key(o[2])
  redis.call('ZINCRBY', k, o[4], o[3])
  touch(k, o[5], o[6])
end
run.hincr = function(o) -- key, field, delta, ttl
  local k = key(o[2])
  local fields = increments[k]
  if not fields then
    fields = {}
    increments[k] = fields
  end
  fields[o[3]] = (fields[o[3]] or 0) + o[4]
  touch(k, 0, o[5])
end
-- hash, ttl, [types], [[event type, window, bucket, keep, count], …]
run.wins = function(o)
  local hash, types, counts = o[2], o[4], o[5]
  -- The newest bucket per window, over what the hash had and what the chunk brings.
  local windows, keeps, newest = {}, {}, {}
  for i = 1, #counts do
    local window, bucket = counts[i][2], counts[i][3]
    if not newest[window] then
      windows[#windows + 1] = window
      keeps[window] = counts[i][4]
      newest[window] = bucket
    elseif bucket > newest[window] then
      newest[window] = bucket
    end
  end
  local headFields = {}
  for w = 1, #windows do headFields[w] = 'head:' .. windows[w] end
  local heads = redis.call('HMGET', hash, unpack(headFields))
  local moved = {}
  for w = 1, #windows do
    local window, keep = windows[w], keeps[windows[w]]
    local head = heads[w] and tonumber(heads[w])
    local target = newest[window]
    if head and head >= target then
      newest[window] = head
    else
      if head then
        -- Buckets kept under the old head but not under the new one leave the hash.
        local stale = {}
        for b = head - keep + 1, math.min(head, target - keep) do
          for t = 1, #types do stale[#stale + 1] = types[t] .. ':' .. window .. ':' .. int(b) end
        end
        if #stale > 0 then redis.call('HDEL', hash, unpack(stale)) end
      end
      moved[#moved + 1] = headFields[w]
      moved[#moved + 1] = int(target)
    end
  end
  if #moved > 0 then redis.call('HSET', hash, unpack(moved)) end
  for i = 1, #counts do
    local c = counts[i]
    -- Older than every bucket its window keeps: not counted (as if it had been, then dropped).
    if c[3] > newest[c[2]] - c[4] then
      redis.call('HINCRBY', hash, c[1] .. ':' .. c[2] .. ':' .. int(c[3]), c[5])
    end
  end
  touch(hash, 0, o[3])
end
-- sessionKey, item, timeMs, weight, maxGapMs, gapTauMs, cap, ttl, sessionCap, sessionTtl, keyPrefix, keySuffix
run.covis = function(o)
  local sessionKey, item, time, weight = o[2], o[3], o[4], o[5]
  local maxGap, tau, cap, ttl = o[6], o[7], o[8], o[9]
  local prefix, suffix = o[12], o[13]
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
        addPair(mine, other, pairWeight)
        touch(mine, cap, ttl)
        addPair(theirs, item, pairWeight)
        touch(theirs, cap, ttl)
      end
    end
  end
  redis.call('ZADD', sessionKey, time, int(time) .. '|' .. weight .. '|' .. item)
  -- The session's cap applies at once: later events in the chunk pair with what it keeps.
  if #events + 1 > o[10] then redis.call('ZREMRANGEBYRANK', sessionKey, 0, -(o[10] + 1)) end
  touch(sessionKey, 0, o[11])
end
run.zmerge = function(o) -- key, from, mode, cap, ttl
  local k, from = key(o[2]), o[3]
  local source = redis.call('ZRANGE', from, 0, -1, 'WITHSCORES')
  if #source > 0 then
    for i = 1, #source, 2 do
      if o[4] == 'log' then
        redis.call('ZADD', k, logadd(redis.call('ZSCORE', k, source[i]), tonumber(source[i + 1])), source[i])
      else
        redis.call('ZADD', k, 'GT', source[i + 1], source[i])
      end
    end
    touch(k, o[5], o[6])
    -- Merged once: a later merge (say the alias expired) cannot count these again.
    redis.call('DEL', from)
  end
end

-- Judge every event: new if its offset is above the running watermark (or, filling, below the
-- first offset covered and above the running fill mark) and its marker does not exist (nor was
-- it already seen earlier in this chunk).
local verdicts, matches, inChunk = {}, true, {}
for e = 1, #events do
  local offset, marker = tonumber(events[e][1]), KEYS[e + 1]
  local above = offset > last
  local below = fillMode and first >= 0 and offset < first and offset > lastFill
  if above and newFirst == nil then newFirst = offset end
  local fresh = (above or below) and not inChunk[marker] and redis.call('EXISTS', marker) == 0
  if fresh then inChunk[marker] = true end
  verdicts[e] = fresh and 1 or 0
  if verdicts[e] ~= expected[e] then matches = false end
  if below then
    if offset > lastFill then lastFill = offset end
  elseif offset > last then
    last = offset
  end
end
if not matches then return cjson.encode(verdicts) end

for e = 1, #events do
  if verdicts[e] == 1 then
    applied = applied + 1
    if events[e][2] > 0 then redis.call('SET', KEYS[e + 1], '1', 'EX', events[e][2]) end
  end
end

local ops = chunk.ops
local skip = 0
for i = 1, #ops do
  local o = ops[i]
  local name = o[1]
  if skip > 0 then
    skip = skip - 1
  elseif name == 'once' then -- key, value, ttl, skip
    if not redis.call('SET', o[2], o[3], 'NX', 'EX', o[4]) then skip = o[5] end
  elseif name == 'follow' then -- aliasKey, fromPrefix, toBase, count, ttl
    local alias = redis.call('GET', o[2])
    if alias then
      redis.call('EXPIRE', o[2], o[6])
      rewriteFrom, rewriteTo, rewriteLeft = o[3], o[4] .. alias .. ':', o[5]
    else
      rewriteLeft = 0
    end
  else
    local op = run[name]
    if not op then return redis.error_reply('unknown feature op ' .. tostring(name)) end
    op(o)
    if rewriteLeft > 0 then rewriteLeft = rewriteLeft - 1 end
  end
end
if last > watermark then
  redis.call('HSET', KEYS[1], partition, int(last))
  if first < 0 then
    -- The first offset this store covered: a rebuild fills the log below it.
    redis.call('HSET', KEYS[1], 'first:' .. partition, int(newFirst))
  end
end
if lastFill > fill then
  redis.call('HSET', KEYS[1], 'fill:' .. partition, int(lastFill))
end
for k, fields in pairs(increments) do
  for field, delta in pairs(fields) do redis.call('HINCRBYFLOAT', k, field, delta) end
end
for k, members in pairs(pairWeights) do
  for member, weight in pairs(members) do redis.call('ZINCRBY', k, weight, member) end
end
for k, t in pairs(touched) do
  if t[1] > 0 then redis.call('ZREMRANGEBYRANK', k, 0, -(t[1] + 1)) end
  if t[2] > 0 then redis.call('EXPIRE', k, t[2]) end
end
return applied
`;
