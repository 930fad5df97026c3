if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local earlier = redis.call('HGET', KEYS[1], 'revoked_at')
if earlier then return earlier end
redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
