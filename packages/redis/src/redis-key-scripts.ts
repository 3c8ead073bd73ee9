// Lua scripts of the Redis key store: compare-and-set writes that keep the indexes and announce the change, and batched last use.

/**
 * Writes one key record if it still is what the caller read (compare and set), keeping the id indexes
 * and the last-use hash in step, and publishes the change in the same atomic step.
 *
 * KEYS: 1 record, 2 all-ids index, 3 old tenant's index, 4 new tenant's index, 5 last-use hash.
 * ARGV: 1 expected JSON ('' = absent), 2 new JSON ('' = delete), 3 key id, 4 '1' when KEYS[3] applies,
 * 5 '1' when KEYS[4] applies, 6 last-use action ('keep', 'set', 'del'), 7 last-use value, 8 channel, 9 message.
 * Returns {1, changed} on success, {0} when the record changed since it was read.
 */
export const writeKeyScript = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return {0} end
if ARGV[2] == '' then
  if not current then return {1, 0} end
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  if ARGV[4] == '1' then redis.call('ZREM', KEYS[3], ARGV[3]) end
  redis.call('HDEL', KEYS[5], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('ZADD', KEYS[2], 0, ARGV[3])
  if ARGV[4] == '1' then redis.call('ZREM', KEYS[3], ARGV[3]) end
  if ARGV[5] == '1' then redis.call('ZADD', KEYS[4], 0, ARGV[3]) end
  if ARGV[6] == 'set' then redis.call('HSET', KEYS[5], ARGV[3], ARGV[7]) elseif ARGV[6] == 'del' then redis.call('HDEL', KEYS[5], ARGV[3]) end
end
redis.call('PUBLISH', ARGV[8], ARGV[9])
return {1, 1}
`;

/**
 * Raises last-use times of existing records, never lowering one; announces nothing.
 *
 * KEYS: 1 last-use hash, then one record key per use. ARGV: per use, key id, milliseconds, ISO text.
 * Values are `<ms>|<ISO text>` so a time written by `put` reads back exactly as written.
 */
export const touchKeysScript = `
for i = 2, #KEYS do
  local base = (i - 2) * 3
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local id = ARGV[base + 1]
    local at = tonumber(ARGV[base + 2])
    local current = redis.call('HGET', KEYS[1], id)
    local seen = current and tonumber(string.match(current, '^(-?%d+)|')) or nil
    if not seen or seen < at then redis.call('HSET', KEYS[1], id, ARGV[base + 2] .. '|' .. ARGV[base + 3]) end
  end
end
return #KEYS - 1
`;

/** Reads one record and its last-use value in one round trip. KEYS: 1 record, 2 last-use hash. ARGV: 1 key id. */
export const readKeyScript = `
return {redis.call('GET', KEYS[1]) or false, redis.call('HGET', KEYS[2], ARGV[1]) or false}
`;
