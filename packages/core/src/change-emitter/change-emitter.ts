// A listener set for store change events that never lets one failing listener stop the others.

/**
 * Fans a store's change events out to its watchers (caches that must drop entries at once).
 *
 * @example
 * const changes = new ChangeEmitter<KeyChange>();
 * const unsubscribe = changes.subscribe((change) => cache.dropKey(change.keyId));
 * changes.emit({ keyId: 'abc', type: 'delete' });
 */
export class ChangeEmitter<Change> {
  readonly #listeners = new Set<(change: Change) => void>();

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  emit(change: Change): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A watcher's bug must not break the write that triggered it.
      }
    }
  }
}
