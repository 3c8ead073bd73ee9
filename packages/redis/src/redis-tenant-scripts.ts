// Lua scripts of the Redis tenant store: a write or delete, its index and its announcement in one atomic step.

/** KEYS: 1 tenant, 2 id index. ARGV: 1 tenant id, 2 JSON, 3 channel, 4 message. */
export const putTenantScript = `
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/** KEYS: 1 tenant, 2 id index. ARGV: 1 tenant id, 2 channel, 3 message. Returns 1 when the tenant existed. */
export const deleteTenantScript = `
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if existed == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return existed
`;
