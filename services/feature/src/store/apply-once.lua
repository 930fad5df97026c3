local partition = ARGV[1]
local fillMode = ARGV[2] == 'fill'
local offsetsKey = KEYS[1]
local storedWatermark = redis.call('HGET', offsetsKey, partition)
if ARGV[5] ~= '' and (storedWatermark or '-1') ~= ARGV[5] then return 'conflict' end
local chunk = cmsgpack.unpack(ARGV[3])
local seenPrefix = ARGV[4]
-- Members per command: well under the number of values Lua's unpack can return.
local SLICE = 1000

local function int(n) return string.format('%d', n) end
local formatted = {}
local function fixed(n)
  local text = formatted[n]
  if not text then
    text = int(n)
    formatted[n] = text
  end
  return text
end

local function logadd(current, add)
  local hi = math.max(current, add)
  return hi + math.log(1 + math.exp(-math.abs(current - add)))
end

-- Caps and expiries are applied once per key at the end of the chunk. A cap only needs applying
-- when members were added; a sorted set may exceed its cap by one chunk's additions in between.
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

-- Writes a sorted set's members at once: 'max' keeps the higher score, 'log' adds in log space,
-- 'add' adds. Records the key for its cap (if members were added) and expiry.
local function writeZset(kind, k, members, values, cap, ttl)
  local added = 0
  for from = 1, #members, SLICE do
    local to = math.min(#members, from + SLICE - 1)
    local args = {}
    if kind == 'max' then
      for i = from, to do
        args[#args + 1] = values[i]
        args[#args + 1] = members[i]
      end
      added = added + redis.call('ZADD', k, 'GT', unpack(args))
    else
      local current = redis.call('ZMSCORE', k, unpack(members, from, to))
      for i = from, to do
        local c, v = current[i - from + 1], values[i]
        if c then
          c = tonumber(c)
          if kind == 'log' then v = logadd(c, v) else v = c + v end
        else
          added = added + 1
        end
        args[#args + 1] = v
        args[#args + 1] = members[i]
      end
      redis.call('ZADD', k, unpack(args))
    end
  end
  touch(k, added > 0 and cap or 0, ttl)
end

-- Judge every event: new if its offset is above the running watermark (or, filling, below the
-- first offset covered and above the running fill mark) and its id is in no seen-id set (nor
-- earlier in this chunk).
local events, expected = chunk.ev, chunk.exp
local ids = {}
for e = 1, #events do ids[e] = events[e][2] end
local seen = {}
for _, bucket in ipairs(chunk.check) do
  local k = seenPrefix .. int(bucket)
  for from = 1, #ids, SLICE do
    local found = redis.call('SMISMEMBER', k, unpack(ids, from, math.min(#ids, from + SLICE - 1)))
    for i = 1, #found do
      if found[i] == 1 then seen[from + i - 1] = true end
    end
  end
end

local watermark = tonumber(storedWatermark or '-1')
local first = tonumber(redis.call('HGET', offsetsKey, 'first:' .. partition) or '-1')
local fill = tonumber(redis.call('HGET', offsetsKey, 'fill:' .. partition) or '-1')
local last, lastFill, newFirst = watermark, fill, nil
local verdicts, matches, inChunk = {}, true, {}
for e = 1, #events do
  local offset, id = tonumber(events[e][1]), ids[e]
  local above = offset > last
  local below = fillMode and first >= 0 and offset < first and offset > lastFill
  if above and newFirst == nil then newFirst = offset end
  local fresh = (above or below) and not inChunk[id] and not seen[e]
  if fresh then inChunk[id] = true end
  verdicts[e] = fresh and 1 or 0
  if verdicts[e] ~= expected[e] then matches = false end
  if below then
    if offset > lastFill then lastFill = offset end
  elseif offset > last then
    last = offset
  end
end
if not matches then return cjson.encode(verdicts) end

-- The new events' ids, by seen-id bucket: recorded last (below).
local applied, marks = 0, {}
for e = 1, #events do
  if verdicts[e] == 1 then
    applied = applied + 1
    local bucket = events[e][3]
    if bucket >= 0 then
      local list = marks[bucket]
      if not list then
        list = {}
        marks[bucket] = list
      end
      list[#list + 1] = ids[e]
    end
  end
end
-- Logins first: a login merges what the anonymous shopper did into the user, once.
for _, login in ipairs(chunk.lo) do
  if redis.call('SET', login[1], login[2], 'NX', 'EX', login[3]) then
    for _, m in ipairs(login[4]) do -- to, from, mode, cap, ttl
      local source = redis.call('ZRANGE', m[2], 0, -1, 'WITHSCORES')
      if #source > 0 then
        local members, values = {}, {}
        for i = 1, #source, 2 do
          members[#members + 1] = source[i]
          values[#values + 1] = tonumber(source[i + 1])
        end
        writeZset(m[3], m[1], members, values, m[4], m[5])
        -- Merged once: a later merge (say the alias expired) cannot count these again.
        redis.call('DEL', m[2])
      end
    end
  end
end

-- Then the aliases, each resolved once: an anonymous shopper who has logged in is the user.
local aliases, aliasUser = chunk.al, {}
if #aliases > 0 then
  local aliasKeys = {}
  for i = 1, #aliases do aliasKeys[i] = aliases[i][1] end
  local users = redis.call('MGET', unpack(aliasKeys))
  for i = 1, #aliases do
    if users[i] then
      aliasUser[i] = users[i]
      redis.call('EXPIRE', aliases[i][1], aliases[i][4])
    end
  end
end
local function resolve(k, alias)
  local user = alias > 0 and aliasUser[alias]
  if not user then return k end
  local from = aliases[alias][2]
  if string.sub(k, 1, #from) ~= from then return k end
  return aliases[alias][3] .. user .. ':' .. string.sub(k, #from + 1)
end

for _, z in ipairs(chunk.z) do -- kind, key, alias, cap, ttl, members, values
  writeZset(z[1], resolve(z[2], z[3]), z[6], z[7], z[4], z[5])
end

for _, set in ipairs(chunk.sa) do -- key, members
  local members = set[2]
  for from = 1, #members, SLICE do
    redis.call('SADD', set[1], unpack(members, from, math.min(#members, from + SLICE - 1)))
  end
end

-- Hash increments nothing in the chunk reads (global counts).
for _, h in ipairs(chunk.h) do -- key, ttl, fields, deltas
  for i = 1, #h[3] do redis.call('HINCRBYFLOAT', h[1], h[3][i], h[4][i]) end
  touch(h[1], 0, h[2])
end

-- Window hashes: key, ttl, types, [[event type, window, bucket, keep, count], …]. One HMGET reads
-- the windows' newest buckets and the counts to add to; one HSET writes them back.
for _, w in ipairs(chunk.w) do
  local hash, types, counts = w[1], w[3], w[4]
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
  local fields = {}
  for i = 1, #windows do fields[i] = 'head:' .. windows[i] end
  for i = 1, #counts do
    local c = counts[i]
    fields[#windows + i] = c[1] .. ':' .. c[2] .. ':' .. int(c[3])
  end
  local current = redis.call('HMGET', hash, unpack(fields))
  local writes = {}
  for i = 1, #windows do
    local window, keep = windows[i], keeps[windows[i]]
    local head = current[i] and tonumber(current[i])
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
      writes[#writes + 1] = fields[i]
      writes[#writes + 1] = int(target)
    end
  end
  for i = 1, #counts do
    local c = counts[i]
    -- Older than every bucket its window keeps: not counted (as if it had been, then dropped).
    if c[3] > newest[c[2]] - c[4] then
      writes[#writes + 1] = fields[#windows + i]
      writes[#writes + 1] = int((tonumber(current[#windows + i]) or 0) + c[5])
    end
  end
  if #writes > 0 then redis.call('HSET', hash, unpack(writes)) end
  touch(hash, 0, w[2])
end

-- Co-visitation, one session at a time: sessionKey, sessionCap, sessionTtl, maxGapMs, gapTauMs,
-- cap, ttl, keyPrefix, keySuffix, [[item, ms, weight], …] in event order. Session members are
-- events, '<ms>|<weight>|<item>': each pair of events is counted once, by whichever of the two is
-- applied second, with a weight symmetric in the two, so the result does not depend on the order
-- events are applied in. The session is read once and kept here as Redis would keep it (ordered
-- by score then member, trimmed to its cap after each event), so later events of the chunk pair
-- with exactly what it would hold.
local pairWeights, pairLimits = {}, {}
local function addPair(k, member, weight, cap, ttl)
  local members = pairWeights[k]
  if not members then
    members = {}
    pairWeights[k] = members
    pairLimits[k] = { cap, ttl }
  end
  members[member] = (members[member] or 0) + weight
end
local function before(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end
for _, s in ipairs(chunk.s) do
  local sessionKey, sessionCap, sessionTtl = s[1], s[2], s[3]
  local maxGap, tau, cap, ttl, prefix, suffix = s[4], s[5], s[6], s[7], s[8], s[9]
  local stored = redis.call('ZRANGE', sessionKey, 0, -1, 'WITHSCORES')
  local list, present = {}, {}
  for i = 1, #stored, 2 do
    local t, w, item = string.match(stored[i], '^(%-?%d+)|([^|]+)|(.*)$')
    list[#list + 1] = { tonumber(stored[i + 1]), stored[i], tonumber(t), tonumber(w), item }
    present[stored[i]] = true
  end
  local storedCount = #list
  for _, ev in ipairs(s[10]) do
    local item, time, weight = ev[1], ev[2], ev[3]
    for _, entry in ipairs(list) do
      local other = entry[5]
      if other ~= item then
        local gap = math.abs(time - entry[3])
        if gap <= maxGap then
          local pairWeight = math.min(weight, entry[4]) * math.exp(-gap / tau)
          addPair(prefix .. item .. suffix, other, pairWeight, cap, ttl)
          addPair(prefix .. other .. suffix, item, pairWeight, cap, ttl)
        end
      end
    end
    local member = int(time) .. '|' .. weight .. '|' .. item
    if not present[member] then
      present[member] = true
      local entry = { time, member, time, weight, item, true }
      local at = #list + 1
      while at > 1 and before(entry, list[at - 1]) do at = at - 1 end
      table.insert(list, at, entry)
      if #list > sessionCap then table.remove(list, 1) end
    end
  end
  -- The new events the session kept, then the cap: the stored events it dropped are its lowest.
  local args = {}
  for _, entry in ipairs(list) do
    if entry[6] then
      args[#args + 1] = entry[1]
      args[#args + 1] = entry[2]
    end
  end
  if #args > 0 then redis.call('ZADD', sessionKey, unpack(args)) end
  if storedCount + #args / 2 > sessionCap then
    redis.call('ZREMRANGEBYRANK', sessionKey, 0, -(sessionCap + 1))
  end
  touch(sessionKey, 0, sessionTtl)
end
for k, members in pairs(pairWeights) do
  local names, weights = {}, {}
  for member, weight in pairs(members) do
    names[#names + 1] = member
    weights[#weights + 1] = weight
  end
  writeZset('add', k, names, weights, pairLimits[k][1], pairLimits[k][2])
end

for k, t in pairs(touched) do
  if t[1] > 0 then redis.call('ZREMRANGEBYRANK', k, '0', fixed(-(t[1] + 1))) end
  if t[2] > 0 then redis.call('EXPIRE', k, fixed(t[2])) end
end

-- Last, once every write is made: the watermarks and the ids. Redis does not undo what a script
-- wrote before an error, so a step that fails half-way must leave its events unrecorded: the retry
-- (or the DLQ replay) then applies them, instead of finding them seen and skipping what is missing.
if last > watermark then
  redis.call('HSET', offsetsKey, partition, int(last))
  if first < 0 then
    -- The first offset this store covered: a rebuild fills the log below it.
    redis.call('HSET', offsetsKey, 'first:' .. partition, int(newFirst))
  end
end
if lastFill > fill then redis.call('HSET', offsetsKey, 'fill:' .. partition, int(lastFill)) end
for bucket, list in pairs(marks) do
  local k = seenPrefix .. int(bucket)
  for from = 1, #list, SLICE do
    redis.call('SADD', k, unpack(list, from, math.min(#list, from + SLICE - 1)))
  end
  redis.call('EXPIRE', k, chunk.seenTtl)
end
return applied
