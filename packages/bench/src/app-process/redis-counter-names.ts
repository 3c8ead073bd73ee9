// Names of the Redis counters an app process keeps (free of imports, so the harness can read them without Redis).

/** Every command sent, and the reserve and settle script calls. */
export const redisCounterNames = { commands: 'redis_commands', reserves: 'redis_reserve_calls', settles: 'redis_settle_calls' } as const;
