// @tollgate/postgres: key, tenant and rate-limit stores, the PostgreSQL audit sink, reading the audit table back, and the migration runner.
export { postgresAuditSink, type PostgresAuditSinkOptions } from './postgres-audit-sink.js';
export { verifyAuditTable, usageByTenant, type TenantUsage } from './audit-table.js';
export { migrate, loadMigrations, migrationsDir, type Migration, type MigrationResult } from './migrate.js';
export type { PgQueryable, PgPool, PgPoolClient } from './pg-types.js';
export { postgresKeyStore, type PostgresKeyStore, type PostgresKeyStoreOptions } from './postgres-key-store.js';
export { postgresTenantStore, type PostgresTenantStore, type PostgresTenantStoreOptions } from './postgres-tenant-store.js';
export { postgresRateLimitStore, type PostgresRateLimitStore, type PostgresRateLimitStoreOptions } from './postgres-rate-limit-store.js';
export { PostgresChangeListener, changeChannel, type PgChange } from './postgres-change-listener.js';
export type { PostgresConnectionOptions } from './postgres-connection.js';
