// Store locations and store packages: one classification for the CLI and the config file, clear messages for what is missing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { describeStoreLocation, parseStoreLocation, remoteStoreType } from './store-location.js';
import { findStoreModule, storePackages } from './store-packages.js';

describe('parseStoreLocation', () => {
  it('classifies server URLs by scheme and resolves files against the base directory', () => {
    expect(parseStoreLocation('rediss://default:pw@cache:6380/2', '/srv/app')).toEqual({ type: 'redis', url: 'rediss://default:pw@cache:6380/2' });
    expect(parseStoreLocation('postgresql://app@db/prod', '/srv/app')).toEqual({ type: 'postgres', url: 'postgresql://app@db/prod' });
    expect(parseStoreLocation('keys.yaml', '/srv/app')).toEqual({ type: 'file', path: '/srv/app/keys.yaml' });
    expect(parseStoreLocation('/etc/tollgate/tenants.json', '/srv/app')).toEqual({ type: 'file', path: '/etc/tollgate/tenants.json' });
    expect(remoteStoreType('mysql://db')).toBeUndefined();
  });

  it('refuses other schemes and other files without repeating a password', () => {
    expect(() => parseStoreLocation('mysql://root:hunter2@db/app', '/srv')).toThrow(new ConfigError('unsupported store mysql://root:***@db/app: use a .yaml/.yml/.json file, redis://… or postgres://…'));
    expect(() => parseStoreLocation('keys.txt', '/srv')).toThrow('the store file keys.txt must end in .yaml, .yml or .json');
    expect(describeStoreLocation({ type: 'postgres', url: 'postgres://app:hunter2@db/prod' })).toBe('postgres://app:***@db/prod');
  });
});

describe('findStoreModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-store-packages-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the package and the command to install it when the app does not have it', () => {
    // A package name no installation has stands in for an app without @tollgate/redis.
    const missing = { ...storePackages, redis: { name: '@tollgate/redis-not-installed', driver: 'ioredis' } };
    expect(() => findStoreModule('redis', [dir], missing)).toThrow(
      new ConfigError('store type redis needs the package @tollgate/redis-not-installed (and ioredis) installed for your app: npm install @tollgate/redis-not-installed ioredis'),
    );
  });

  it('names the driver when the package is there without it', () => {
    const pkg = join(dir, 'node_modules', '@tollgate', 'postgres');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tollgate/postgres', exports: { '.': './index.js', './package.json': './package.json' } }));
    const noDriver = { ...storePackages, postgres: { name: '@tollgate/postgres', driver: 'pg-not-installed' } };
    expect(() => findStoreModule('postgres', [dir], noDriver)).toThrow('store type postgres needs the driver pg-not-installed installed next to @tollgate/postgres: npm install pg-not-installed');
  });
});
