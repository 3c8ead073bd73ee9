-- 001: the inference audit table. One row per inference record, written by postgresAuditSink.
-- Runs with search_path set to the target schema, inside the migration transaction.

CREATE TABLE IF NOT EXISTS tollgate_inference_records (
  id            bigserial PRIMARY KEY,
  ts            timestamptz      NOT NULL,
  ts_end        timestamptz      NOT NULL,
  request_id    text             NOT NULL,
  tenant_id     text,
  user_id       text,
  key_id        text,
  auth_method   text,
  method        text             NOT NULL,
  endpoint      text             NOT NULL,
  model         text,
  status        smallint         NOT NULL,
  outcome       text             NOT NULL,
  reason        text,
  latency_ms    double precision NOT NULL,
  ttft_ms       double precision,
  input_tokens  integer,
  output_tokens integer,
  cost_usd      numeric(20, 9),
  stream        boolean          NOT NULL,
  aborted       boolean          NOT NULL,
  chain_id      text,
  seq           bigint,
  prev_hash     text,
  hash          text,
  -- The whole record exactly as the sink received it (chain fields included): what `verify` re-hashes.
  record        jsonb            NOT NULL,
  inserted_at   timestamptz      NOT NULL DEFAULT now()
);

-- A retried batch whose first attempt did commit must not store its records twice.
CREATE UNIQUE INDEX IF NOT EXISTS tollgate_inference_records_chain_seq
  ON tollgate_inference_records (chain_id, seq) WHERE chain_id IS NOT NULL;

-- Usage per tenant over time, the query this table exists for.
CREATE INDEX IF NOT EXISTS tollgate_inference_records_tenant_ts ON tollgate_inference_records (tenant_id, ts);
CREATE INDEX IF NOT EXISTS tollgate_inference_records_ts ON tollgate_inference_records (ts);
