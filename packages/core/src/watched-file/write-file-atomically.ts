// Replaces a file in one step (temp file, fsync, rename), so readers and watchers never see half of it.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to a temp file beside `file` with `mode`, syncs it, and renames it over `file`.
 * The temp file is removed when anything fails.
 *
 * @example
 * await writeFileAtomically('/etc/tollgate/tenants.yaml', stringify({ tenants }), 0o600);
 */
export async function writeFileAtomically(file: string, text: string, mode: number): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode); // the umask may have narrowed it further
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
