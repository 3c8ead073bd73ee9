// The Lua scripts of the Redis rate-limit store: one round trip each, windows by the server's clock (TIME).
//
// The admission arithmetic mirrors planReservation() in @tollgate/core (rate-limit/reservation-plan.ts)
// step for step, in IEEE doubles on both sides, so the memory and Redis stores decide identically.
// Keys: KEYS[1] is the reservation record (a hash: charged key -> amount, '#' = live, '!' = cancelled).

/**
 * reserve. KEYS: record, then 3 candidate window keys per counter, then one sorted set per lease.
 * ARGV: counters, leases, output min, output max, ttl ms, id, then per counter
 * limit, fixed, per-output-token, enforce, and 3 (start, end) pairs; then per lease limit, enforce.
 * Reply: status ('OK', 'DENY', 'DUPLICATE', 'CLOCK'), server ms, output, then per counter
 * used, amount, requested, allowed, window index; then per lease held, allowed.
 */
export const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('EXISTS', KEYS[1]) == 1 then return {'DUPLICATE', now} end
local nc, nl = tonumber(ARGV[1]), tonumber(ARGV[2])
local outMin, outMax, ttl, id = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local limit, fixed, per, enforce, key, wend, pick, used = {}, {}, {}, {}, {}, {}, {}, {}
for i = 1, nc do
  local a = 6 + (i - 1) * 10
  limit[i], fixed[i], per[i] = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  enforce[i] = ARGV[a + 4] == '1'
  for w = 0, 2 do
    local s, e = tonumber(ARGV[a + 5 + w * 2]), tonumber(ARGV[a + 6 + w * 2])
    if now >= s and now < e then
      pick[i], key[i], wend[i] = w, KEYS[1 + (i - 1) * 3 + w + 1], e
      break
    end
  end
  if pick[i] == nil then return {'CLOCK', now} end
  used[i] = tonumber(redis.call('GET', key[i]) or '0')
end
local lb = 6 + nc * 10
local llimit, lenforce, held = {}, {}, {}
for j = 1, nl do
  local k = KEYS[1 + nc * 3 + j]
  llimit[j], lenforce[j] = tonumber(ARGV[lb + (j - 1) * 2 + 1]), ARGV[lb + (j - 1) * 2 + 2] == '1'
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  held[j] = redis.call('ZCARD', k)
end
local function charge(i, out) return math.ceil(fixed[i] + per[i] * out) end
local function largest(i, room)
  local o = math.min(outMax, math.floor((room - fixed[i]) / per[i]))
  if not (o >= 0) or charge(i, 0) > room then return -1 end
  if charge(i, o) <= room then return o end
  local low, high = 0, o
  while high - low > 1 do
    local mid = math.floor((low + high) / 2)
    if charge(i, mid) <= room then low = mid else high = mid end
  end
  return low
end
local out = outMax
for i = 1, nc do
  if enforce[i] and per[i] > 0 then
    local o = largest(i, limit[i] - used[i])
    if o < out then out = o end
  end
end
if out < outMin then out = outMin end
local granted = true
local reply = {'DENY', now, out}
local amount = {}
for i = 1, nc do
  amount[i] = charge(i, out)
  local ok = used[i] + amount[i] <= limit[i]
  if enforce[i] and not ok then granted = false end
  for _, v in ipairs({used[i], amount[i], charge(i, outMin), ok and 1 or 0, pick[i]}) do reply[#reply + 1] = v end
end
for j = 1, nl do
  local ok = held[j] + 1 <= llimit[j]
  if lenforce[j] and not ok then granted = false end
  reply[#reply + 1] = held[j]
  reply[#reply + 1] = ok and 1 or 0
end
if not granted then return reply end
reply[1] = 'OK'
for i = 1, nc do
  local n = string.format('%.0f', amount[i])
  redis.call('INCRBY', key[i], n)
  redis.call('PEXPIREAT', key[i], string.format('%.0f', wend[i]))
  redis.call('HSET', KEYS[1], key[i], n)
end
for j = 1, nl do
  local k = KEYS[1 + nc * 3 + j]
  redis.call('ZADD', k, now + ttl, id)
  redis.call('PEXPIRE', k, ttl)
  redis.call('HSET', KEYS[1], k, 'lease')
end
redis.call('HSET', KEYS[1], '#', '1')
redis.call('PEXPIRE', KEYS[1], ttl)
return reply
`;

/**
 * settle and cancel. KEYS: record, then counter keys, then lease keys.
 * ARGV: counters, id, tombstone (1 for cancel), ttl ms, then each counter's real amount.
 * A missing or cancelled record means nothing (or everything already) happened: no change.
 */
export const settleScript = `
local record = KEYS[1]
if redis.call('EXISTS', record) == 0 then
  if ARGV[3] == '1' then
    redis.call('HSET', record, '!', '1')
    redis.call('PEXPIRE', record, ARGV[4])
  end
  return 0
end
if redis.call('HEXISTS', record, '!') == 1 then return 0 end
local nc = tonumber(ARGV[1])
for i = 1, nc do
  local k = KEYS[1 + i]
  local reserved = redis.call('HGET', record, k)
  if reserved and reserved ~= 'lease' then
    local delta = tonumber(ARGV[4 + i]) - tonumber(reserved)
    if delta ~= 0 and redis.call('EXISTS', k) == 1 then redis.call('INCRBY', k, string.format('%.0f', delta)) end
  end
end
for j = 2 + nc, #KEYS do redis.call('ZREM', KEYS[j], ARGV[2]) end
redis.call('DEL', record)
return 1
`;

/**
 * renew. KEYS: per reservation its record then its lease keys. ARGV: ttl ms, then per reservation
 * id and lease count. Only live records (and the leases they still hold) are extended.
 */
export const renewScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local k = 1
for r = 2, #ARGV, 2 do
  local id, n = ARGV[r], tonumber(ARGV[r + 1])
  local record = KEYS[k]
  local live = redis.call('EXISTS', record) == 1 and redis.call('HEXISTS', record, '!') == 0
  if live then
    redis.call('PEXPIRE', record, ttl)
    for j = 1, n do
      if redis.call('ZADD', KEYS[k + j], 'XX', 'CH', now + ttl, id) == 1 then redis.call('PEXPIRE', KEYS[k + j], ttl) end
    end
  end
  k = k + 1 + n
end
return 1
`;
