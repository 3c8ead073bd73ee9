-- 003: rate-limit counters, concurrency leases and reservations (the budget ledger), used by postgresRateLimitStore.
-- Runs with search_path set to the target schema, inside the migration transaction; the functions keep
-- that search_path (SET search_path FROM CURRENT), so they find these tables whatever the caller's is.
--
-- Every call is one statement: reserve checks and charges every counter and lease of a request at once,
-- by the server's clock. Locks are always taken in one order (the reservation row, then counters sorted
-- by key and window, then lease keys sorted), so concurrent calls wait for one another but never deadlock.
-- The admission arithmetic mirrors planReservation() in @tollgate/core (rate-limit/reservation-plan.ts)
-- in IEEE doubles, as the Redis script does, so the memory, Redis and Postgres stores decide identically.

-- One row per counter (rule and scope value) per window. Times are milliseconds since the epoch (the
-- values the stores exchange); to_timestamp(window_start_ms / 1000.0) reads them as timestamps.
CREATE TABLE IF NOT EXISTS tollgate_rate_limit_counters (
  key             text   NOT NULL,
  window_start_ms bigint NOT NULL,
  window_end_ms   bigint NOT NULL,
  -- Units charged in the window: requests, tokens, or nano-USD for spend rules.
  used            bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (key, window_start_ms)
);
CREATE INDEX IF NOT EXISTS tollgate_rate_limit_counters_end ON tollgate_rate_limit_counters (window_end_ms);

-- One row per concurrency slot held; a slot whose expiry passed is free (a process died mid-request).
CREATE TABLE IF NOT EXISTS tollgate_rate_limit_leases (
  key            text   NOT NULL,
  reservation_id text   NOT NULL,
  expires_at_ms  bigint NOT NULL,
  PRIMARY KEY (key, reservation_id)
);
CREATE INDEX IF NOT EXISTS tollgate_rate_limit_leases_reservation ON tollgate_rate_limit_leases (reservation_id);
CREATE INDEX IF NOT EXISTS tollgate_rate_limit_leases_expiry ON tollgate_rate_limit_leases (expires_at_ms);

-- A reservation until it is settled: what it charged, to refund or complete at settlement. A cancelled
-- one stays as a tombstone until it expires, so a reserve that arrives after its cancel does nothing.
CREATE TABLE IF NOT EXISTS tollgate_rate_limit_reservations (
  id            text   PRIMARY KEY,
  state         text   NOT NULL CHECK (state IN ('held', 'cancelled')),
  -- [[counter key, window start ms, units reserved], …]
  charges       jsonb  NOT NULL,
  lease_keys    text[] NOT NULL,
  expires_at_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS tollgate_rate_limit_reservations_expiry ON tollgate_rate_limit_reservations (expires_at_ms);

-- The database's clock in milliseconds since the epoch: what every window and expiry is measured by.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_now_ms() RETURNS bigint
LANGUAGE sql VOLATILE AS $$ SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

-- The most output tokens per choice, at most max_out, that fit in `room` units; -1 when none do.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_largest(fixed float8, per float8, room float8, max_out float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  o float8 := least(max_out, floor((room - fixed) / per));
  low float8 := 0;
  high float8;
  mid float8;
BEGIN
  IF o < 0 OR ceil(fixed) > room THEN RETURN -1; END IF;
  IF ceil(fixed + per * o) <= room THEN RETURN o; END IF;
  -- Float rounding left the estimate a unit over: search below it (the charge grows with the output).
  high := o;
  WHILE high - low > 1 LOOP
    mid := floor((low + high) / 2);
    IF ceil(fixed + per * mid) <= room THEN low := mid; ELSE high := mid; END IF;
  END LOOP;
  RETURN low;
END $$;

-- Frees the leases of a reservation, lease keys in sorted order.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_release_leases(p_id text) RETURNS void
LANGUAGE sql SET search_path FROM CURRENT AS $$
  DELETE FROM tollgate_rate_limit_leases
  WHERE (key, reservation_id) IN (
    SELECT key, reservation_id FROM tollgate_rate_limit_leases WHERE reservation_id = p_id ORDER BY key COLLATE "C" FOR UPDATE);
$$;

-- Replaces each charge of a reservation (`charges` as stored) by its real amount (`actual`, the same
-- shape; a charge not listed there becomes 0), counters in sorted order.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_apply(charges jsonb, actual jsonb) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  ch record;
  real_amount float8;
BEGIN
  FOR ch IN
    SELECT e->>0 AS k, (e->>1)::bigint AS s, (e->>2)::float8 AS reserved FROM jsonb_array_elements(charges) AS e ORDER BY (e->>0) COLLATE "C", (e->>1)::bigint
  LOOP
    SELECT (a->>2)::float8 INTO real_amount FROM jsonb_array_elements(actual) AS a WHERE a->>0 = ch.k AND (a->>1)::bigint = ch.s LIMIT 1;
    real_amount := coalesce(real_amount, 0);
    IF real_amount <> ch.reserved THEN
      UPDATE tollgate_rate_limit_counters SET used = used + round(real_amount - ch.reserved)::bigint WHERE key = ch.k AND window_start_ms = ch.s;
    END IF;
  END LOOP;
END $$;

-- reserve. request: { id, ttl, min, max, counters: [{ k, l, f, p, e, w: [[start, end] x 3] }], leases: [{ k, l, e }] }
-- (key, limit, fixed, per output token, enforced, candidate windows). The server picks the candidate
-- window containing its clock. Answer: { status: OK | DENY | DUPLICATE | CLOCK, now, output,
-- counters: [[used, amount, requested, allowed, window start, window end]], leases: [[held, allowed]] }.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_reserve(request jsonb) RETURNS jsonb
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  now_ms bigint := tollgate_rate_limit_now_ms();
  rid text := request->>'id';
  ttl bigint := (request->>'ttl')::bigint;
  out_min float8 := (request->>'min')::float8;
  out_max float8 := (request->>'max')::float8;
  cs jsonb := request->'counters';
  ls jsonb := request->'leases';
  nc int := jsonb_array_length(request->'counters');
  nl int := jsonb_array_length(request->'leases');
  c jsonb;
  ckey text[]; cstart bigint[]; cend bigint[]; climit float8[]; cfixed float8[]; cper float8[]; cenforce boolean[];
  used float8[]; amount float8[];
  lkey text[]; llimit float8[]; lenforce boolean[]; held bigint[];
  s bigint; e bigint; u bigint; h bigint; o float8;
  output float8 := out_max;
  granted boolean := true;
  ok boolean;
  counters_out jsonb := '[]';
  leases_out jsonb := '[]';
  charged jsonb := '[]';
  r record;
BEGIN
  FOR i IN 1..nc LOOP
    c := cs->(i - 1);
    ckey[i] := c->>'k'; climit[i] := (c->>'l')::float8; cfixed[i] := (c->>'f')::float8; cper[i] := (c->>'p')::float8; cenforce[i] := (c->>'e')::boolean;
    FOR w IN 0..2 LOOP
      s := (c->'w'->w->>0)::bigint; e := (c->'w'->w->>1)::bigint;
      IF now_ms >= s AND now_ms < e THEN cstart[i] := s; cend[i] := e; EXIT; END IF;
    END LOOP;
    -- The caller's estimate of this clock was off by more than a window: it learns `now` and asks again.
    IF cstart[i] IS NULL THEN RETURN jsonb_build_object('status', 'CLOCK', 'now', now_ms); END IF;
  END LOOP;
  FOR j IN 1..nl LOOP
    lkey[j] := ls->(j - 1)->>'k'; llimit[j] := (ls->(j - 1)->>'l')::float8; lenforce[j] := (ls->(j - 1)->>'e')::boolean;
  END LOOP;

  -- Claim the id first: a second reserve, or one after a cancel, finds it taken and does nothing.
  INSERT INTO tollgate_rate_limit_reservations (id, state, charges, lease_keys, expires_at_ms) VALUES (rid, 'held', '[]', '{}', now_ms + ttl)
  ON CONFLICT (id) DO UPDATE SET state = 'held', charges = '[]', lease_keys = '{}', expires_at_ms = EXCLUDED.expires_at_ms
    WHERE tollgate_rate_limit_reservations.expires_at_ms <= now_ms;
  IF NOT FOUND THEN RETURN jsonb_build_object('status', 'DUPLICATE', 'now', now_ms); END IF;

  -- Lock every counter, creating missing ones, in (key, window) order.
  FOR r IN SELECT t.k, t.s, t.e, t.i FROM unnest(ckey, cstart, cend) WITH ORDINALITY AS t(k, s, e, i) ORDER BY t.k COLLATE "C", t.s LOOP
    LOOP
      SELECT tollgate_rate_limit_counters.used INTO u FROM tollgate_rate_limit_counters WHERE key = r.k AND window_start_ms = r.s FOR UPDATE;
      EXIT WHEN FOUND;
      INSERT INTO tollgate_rate_limit_counters (key, window_start_ms, window_end_ms) VALUES (r.k, r.s, r.e) ON CONFLICT DO NOTHING;
    END LOOP;
    used[r.i] := u;
  END LOOP;
  -- Lock every lease key in order, drop its expired slots, count the live ones.
  FOR r IN SELECT t.k, t.i FROM unnest(lkey) WITH ORDINALITY AS t(k, i) ORDER BY t.k COLLATE "C" LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended('tollgate_rate_limit_lease:' || current_schema() || ':' || r.k, 0));
    DELETE FROM tollgate_rate_limit_leases WHERE key = r.k AND expires_at_ms <= now_ms;
    SELECT count(*) INTO h FROM tollgate_rate_limit_leases WHERE key = r.k;
    held[r.i] := h;
  END LOOP;

  -- planReservation(): the largest output every enforced counter allows, then each entry's verdict.
  FOR i IN 1..nc LOOP
    IF cenforce[i] AND cper[i] > 0 THEN
      o := tollgate_rate_limit_largest(cfixed[i], cper[i], climit[i] - used[i], out_max);
      IF o < output THEN output := o; END IF;
    END IF;
  END LOOP;
  IF output < out_min THEN output := out_min; END IF;
  FOR i IN 1..nc LOOP
    amount[i] := ceil(cfixed[i] + cper[i] * output);
    ok := used[i] + amount[i] <= climit[i];
    IF cenforce[i] AND NOT ok THEN granted := false; END IF;
    counters_out := counters_out || jsonb_build_array(jsonb_build_array(used[i], amount[i], ceil(cfixed[i] + cper[i] * out_min), ok, cstart[i], cend[i]));
  END LOOP;
  FOR j IN 1..nl LOOP
    ok := held[j] + 1 <= llimit[j];
    IF lenforce[j] AND NOT ok THEN granted := false; END IF;
    leases_out := leases_out || jsonb_build_array(jsonb_build_array(held[j], ok));
  END LOOP;

  IF NOT granted THEN
    DELETE FROM tollgate_rate_limit_reservations WHERE id = rid;
    RETURN jsonb_build_object('status', 'DENY', 'now', now_ms, 'output', output, 'counters', counters_out, 'leases', leases_out);
  END IF;
  FOR r IN SELECT t.k, t.s, t.i FROM unnest(ckey, cstart) WITH ORDINALITY AS t(k, s, i) ORDER BY t.k COLLATE "C", t.s LOOP
    UPDATE tollgate_rate_limit_counters SET used = tollgate_rate_limit_counters.used + amount[r.i]::bigint WHERE key = r.k AND window_start_ms = r.s;
    charged := charged || jsonb_build_array(jsonb_build_array(r.k, r.s, amount[r.i]));
  END LOOP;
  FOR j IN 1..nl LOOP
    INSERT INTO tollgate_rate_limit_leases (key, reservation_id, expires_at_ms) VALUES (lkey[j], rid, now_ms + ttl)
    ON CONFLICT (key, reservation_id) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms;
  END LOOP;
  UPDATE tollgate_rate_limit_reservations SET charges = charged, lease_keys = coalesce(lkey, '{}') WHERE id = rid;
  RETURN jsonb_build_object('status', 'OK', 'now', now_ms, 'output', output, 'counters', counters_out, 'leases', leases_out);
END $$;

-- settle: the reservation's counters to their real amounts (`actual`: [[key, window start, units]]),
-- its leases freed, its row gone. A missing or cancelled reservation is left alone. Answers whether it settled.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_settle(p_id text, actual jsonb) RETURNS boolean
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  found_charges jsonb;
BEGIN
  SELECT charges INTO found_charges FROM tollgate_rate_limit_reservations WHERE id = p_id AND state = 'held' FOR UPDATE;
  IF NOT FOUND THEN RETURN false; END IF;
  PERFORM tollgate_rate_limit_apply(found_charges, actual);
  PERFORM tollgate_rate_limit_release_leases(p_id);
  DELETE FROM tollgate_rate_limit_reservations WHERE id = p_id;
  RETURN true;
END $$;

-- cancel: undoes a reservation that may or may not have happened (its answer was lost), and leaves a
-- tombstone for `ttl` ms so that a reserve still on its way does nothing.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_cancel(p_id text, ttl bigint) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  now_ms bigint := tollgate_rate_limit_now_ms();
  found_state text;
  found_charges jsonb;
BEGIN
  LOOP
    SELECT state, charges INTO found_state, found_charges FROM tollgate_rate_limit_reservations WHERE id = p_id FOR UPDATE;
    IF FOUND THEN
      IF found_state = 'held' THEN
        PERFORM tollgate_rate_limit_apply(found_charges, '[]');
        PERFORM tollgate_rate_limit_release_leases(p_id);
      END IF;
      UPDATE tollgate_rate_limit_reservations SET state = 'cancelled', charges = '[]', lease_keys = '{}', expires_at_ms = greatest(expires_at_ms, now_ms + ttl) WHERE id = p_id;
      RETURN;
    END IF;
    INSERT INTO tollgate_rate_limit_reservations (id, state, charges, lease_keys, expires_at_ms) VALUES (p_id, 'cancelled', '[]', '{}', now_ms + ttl)
    ON CONFLICT (id) DO NOTHING;
    IF FOUND THEN RETURN; END IF;
  END LOOP;
END $$;

-- renew: live reservations (and the leases they hold) live `ttl` ms more. Rows are locked in sorted order.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_renew(ids text[], ttl bigint) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  now_ms bigint := tollgate_rate_limit_now_ms();
  live text[];
BEGIN
  SELECT array_agg(id) INTO live FROM (
    SELECT id FROM tollgate_rate_limit_reservations WHERE id = ANY(ids) AND state = 'held' AND expires_at_ms > now_ms ORDER BY id COLLATE "C" FOR UPDATE) AS l;
  IF live IS NULL THEN RETURN; END IF;
  UPDATE tollgate_rate_limit_reservations SET expires_at_ms = now_ms + ttl WHERE id = ANY(live);
  UPDATE tollgate_rate_limit_leases SET expires_at_ms = now_ms + ttl
  WHERE (key, reservation_id) IN (
    SELECT key, reservation_id FROM tollgate_rate_limit_leases WHERE reservation_id = ANY(live) ORDER BY key COLLATE "C" FOR UPDATE);
END $$;

-- sweep: deletes up to `batch` rows per table that can never count again: counters whose window ended
-- more than `keep_ms` ago, expired leases and reservations. Rows another call holds are skipped.
CREATE OR REPLACE FUNCTION tollgate_rate_limit_sweep(keep_ms bigint, batch int) RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  now_ms bigint := tollgate_rate_limit_now_ms();
  n bigint;
  total bigint := 0;
BEGIN
  DELETE FROM tollgate_rate_limit_counters WHERE ctid IN (
    SELECT ctid FROM tollgate_rate_limit_counters WHERE window_end_ms <= now_ms - keep_ms LIMIT batch FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS n = ROW_COUNT; total := total + n;
  DELETE FROM tollgate_rate_limit_leases WHERE ctid IN (
    SELECT ctid FROM tollgate_rate_limit_leases WHERE expires_at_ms <= now_ms LIMIT batch FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS n = ROW_COUNT; total := total + n;
  DELETE FROM tollgate_rate_limit_reservations WHERE ctid IN (
    SELECT ctid FROM tollgate_rate_limit_reservations WHERE expires_at_ms <= now_ms LIMIT batch FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS n = ROW_COUNT; total := total + n;
  RETURN total;
END $$;
