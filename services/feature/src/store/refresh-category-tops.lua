local pending, popularity = KEYS[1], KEYS[2]
local step = cmsgpack.unpack(ARGV[1])
local items, cap = step.it, '-' .. string.format('%d', step.cap + 1)
local present = redis.call('SMISMEMBER', pending, unpack(items))
local scores = redis.call('ZMSCORE', popularity, unpack(items))
for _, group in ipairs(step.g) do
  local args = {}
  for _, i in ipairs(group[2]) do
    -- Scores go back as Redis wrote them: no conversion, no rounding.
    if present[i] == 1 and scores[i] then
      args[#args + 1] = scores[i]
      args[#args + 1] = items[i]
    end
  end
  -- Only a list that gained members can have outgrown its cap.
  if #args > 0 and redis.call('ZADD', group[1], unpack(args)) > 0 then
    redis.call('ZREMRANGEBYRANK', group[1], '0', cap)
  end
end
local marked = {}
for i = 1, #items do
  if present[i] == 1 then marked[#marked + 1] = items[i] end
end
if #marked > 0 then redis.call('SREM', pending, unpack(marked)) end
return #marked
