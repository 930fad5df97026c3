#!lua flags=no-writes
local user, anon, aliasKey = ARGV[1], ARGV[2], ARGV[3]
local alias = false
if anon ~= '' then alias = redis.call('GET', aliasKey) end
local function read(subject)
  local sets = {}
  for f = 0, (#ARGV - 3) / 3 - 1 do
    local p = 4 + 3 * f
    local n = tonumber(ARGV[p + 2])
    if n > 0 then
      sets[f + 1] = redis.call('ZREVRANGE', ARGV[p] .. subject .. ARGV[p + 1], 0, n - 1, 'WITHSCORES')
    else
      sets[f + 1] = {}
    end
  end
  return sets
end
if user ~= '' then
  if anon ~= '' and not alias then return { user, read(user), anon, read(anon) } end
  return { user, read(user) }
end
if alias then return { alias, read(alias) } end
return { anon, read(anon) }
