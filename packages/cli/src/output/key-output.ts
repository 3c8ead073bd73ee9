// How keys are printed: listings and details never include a secret or a hash; a new key is printed once, with a warning.
import type { KeyView } from '@tollgate/core';
import type { CliIo } from '../command.js';
import { fieldList, listText, textTable } from './text-table.js';

/** Printed to stderr next to every new key. */
export const shownOnceWarning = 'This key is shown once and cannot be recovered: store it in a secret manager now. Only its hash is kept.';

/**
 * A table of keys: id, tenant, subject, kind, status, expiry, last use, name.
 *
 * @example
 * io.stdout(keyTable(records.map((r) => keyView(r))));
 */
export function keyTable(views: readonly KeyView[]): string {
  if (views.length === 0) return 'no keys\n';
  return textTable(
    ['ID', 'TENANT', 'SUBJECT', 'KIND', 'STATUS', 'EXPIRES', 'LAST USED', 'NAME'],
    views.map((v) => [v.id, v.tenantId, v.subject, v.kind, v.status, v.expiresAt, v.lastUsedAt, v.name]),
  );
}

/**
 * Every field of one key except its hash.
 *
 * @example
 * io.stdout(keyDetails(keyView(record)));
 */
export function keyDetails(view: KeyView): string {
  return fieldList([
    ['id', view.id],
    ['status', view.status],
    ['subject', view.subject],
    ['kind', view.kind === 'service' ? 'service (a service account)' : 'user (a personal key)'],
    ['tenant', view.tenantId],
    ['environment', view.env],
    ['roles', listText(view.roles)],
    ['scopes', listText(view.scopes)],
    ['models', listText(view.models)],
    ['name', view.name],
    ['created', view.createdAt],
    ['expires', view.expiresAt],
    ['revoked', view.revokedAt],
    ['rotated to', view.rotatedTo],
    ['rotated from', view.rotatedFrom],
    ['last used', view.lastUsedAt],
    ['metadata', view.metadata === undefined ? undefined : JSON.stringify(view.metadata)],
  ]);
}

/**
 * Prints a new key: as JSON (`{ key, record, warning }`) or as text, the key on a line of its own on
 * stdout and the warning on stderr, so `tollgate keys create … > file` captures only what it should.
 *
 * @example
 * printNewKey(io, key, keyView(record), json, `Created key ${record.id}`);
 */
export function printNewKey(io: CliIo, key: string, view: KeyView, json: boolean, headline: string): void {
  if (json) {
    io.stdout(`${JSON.stringify({ key, record: view, warning: shownOnceWarning }, null, 2)}\n`);
    return;
  }
  io.stdout(`${headline}\n\n  ${key}\n\n`);
  io.stderr(`WARNING: ${shownOnceWarning}\n`);
}
