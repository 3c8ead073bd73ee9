-- 002: API keys and tenants, read and written by postgresKeyStore and postgresTenantStore.
-- Runs with search_path set to the target schema, inside the migration transaction.
-- `record` holds the record exactly as the stores validate it; the other columns copy fields out of it
-- for queries and indexes. A key record holds an argon2id hash of the secret, never the secret.

CREATE TABLE IF NOT EXISTS tollgate_api_keys (
  id           text        PRIMARY KEY,
  tenant_id    text,
  subject      text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('user', 'service')),
  record       jsonb       NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  rotated_to   text,
  -- Raised in batches by touch(); never lowered.
  last_used_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Listing a tenant's keys in id order (byte order, the same in every store).
CREATE INDEX IF NOT EXISTS tollgate_api_keys_tenant ON tollgate_api_keys (tenant_id, id COLLATE "C");

CREATE TABLE IF NOT EXISTS tollgate_tenants (
  id         text        PRIMARY KEY,
  status     text        NOT NULL CHECK (status IN ('active', 'suspended')),
  record     jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
