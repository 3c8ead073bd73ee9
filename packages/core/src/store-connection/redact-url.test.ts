// Connection URLs in messages: passwords and secret query parameters never appear, the rest stays readable.
import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';
import { StoreConnectionError } from './store-connection-error.js';

describe('redactUrl', () => {
  it('replaces the password and secret query parameters, and keeps user, host, port, database and options', () => {
    expect(redactUrl('postgres://app:hunter2@db.internal:5432/prod?sslmode=require&password=p%40ss')).toBe('postgres://app:***@db.internal:5432/prod?sslmode=require&password=***');
    expect(redactUrl('rediss://default:s3cr%40t@cache:6380/2')).toBe('rediss://default:***@cache:6380/2');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('reduces what it cannot parse to its scheme', () => {
    expect(redactUrl('postgres://app:pa ss@[bad')).toBe('postgres://(unreadable URL)');
    expect(redactUrl('not a url with hunter2')).toBe('(unreadable URL)');
  });
});

describe('StoreConnectionError', () => {
  it('names the store and the redacted URL, scrubs the password from the driver message, and keeps no driver error', () => {
    const driver = Object.assign(new Error('auth failed for hunter2 at db'), { config: { password: 'hunter2' } });
    const error = new StoreConnectionError('postgresKeyStore', 'postgres://app:hunter2@db/prod', driver, 'check it');
    expect(error.message).toBe('postgresKeyStore: cannot connect to postgres://app:***@db/prod: auth failed for *** at db; check it');
    expect(error.url).toBe('postgres://app:***@db/prod');
    expect(error.code).toBe('TG_STORE_UNREACHABLE');
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error) + String(error.stack)).not.toContain('hunter2');
  });
});
