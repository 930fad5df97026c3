local meta, version, log = KEYS[1], KEYS[2], KEYS[3]
local cap, op = ARGV[1], ARGV[2]
-- Members per command: well under the number of values Lua's unpack can return.
local SLICE = 1000
if redis.call('HSETNX', version, 'epoch', table.concat(redis.call('TIME'), '.')) == 1 then
  -- A new epoch starts a new log (what an old one holds belongs to another history).
  redis.call('DEL', log)
end
local n = redis.call('HINCRBY', version, 'n', 1)
if op == 'bump' then return n end
local ids = {}
if op == 'set' then
  for from = 3, #ARGV, 2 * SLICE do
    local args = {}
    for i = from, math.min(#ARGV, from + 2 * SLICE - 1), 2 do
      args[#args + 1] = ARGV[i]
      args[#args + 1] = ARGV[i + 1]
      ids[#ids + 1] = ARGV[i]
    end
    redis.call('HSET', meta, unpack(args))
  end
else
  for from = 3, #ARGV, SLICE do
    local args = {}
    for i = from, math.min(#ARGV, from + SLICE - 1) do
      args[#args + 1] = ARGV[i]
      ids[#ids + 1] = ARGV[i]
    end
    redis.call('HDEL', meta, unpack(args))
  end
end
redis.call('XADD', log, 'MAXLEN', '~', cap, n .. '-0', 'items', cjson.encode(ids))
return n
