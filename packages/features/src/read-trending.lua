#!lua flags=no-writes
local top = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
if #top == 0 then return { {}, {} } end
local members = {}
for i = 1, #top, 2 do members[#members + 1] = top[i] end
return { top, redis.call('ZMSCORE', KEYS[2], unpack(members)) }
