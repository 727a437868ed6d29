/**
 * The key-store port: one data key per owner, for crypto-shredding personal data. Keys never appear in
 * events. Deleting an owner's key erases their personal data on every event store, EventStoreDB
 * included, without changing a stored byte of history.
 */

/** A data key and when it was made. */
export interface DataKey {
  /**
   * Which key this is: an owner erased and later given new personal data gets a new key, and what the
   * old one sealed must read as erased, not fail to decrypt.
   */
  readonly id: string
  /** 32 bytes: an AES-256 key. */
  readonly key: Uint8Array
  /** When it was created (ISO-8601): erasure reconciliation deletes only keys older than the erasure. */
  readonly createdAt: string
}

export interface KeyStore {
  /**
   * The owner's key, or undefined when there is none (never created, or erased). Synchronous, because
   * events are decoded synchronously: adapters over remote stores keep a cache.
   */
  keyOf(ownerId: string): DataKey | undefined
  /** The owner's key, created (durably) on first use. Concurrent calls get the same key. */
  keyFor(ownerId: string): Promise<DataKey>
  /** Deletes the owner's key, durably and so that its bytes leave the store. Idempotent. */
  deleteKey(ownerId: string): Promise<void>
  /** Every owner that has a key, with when it was created. */
  owners(): Promise<ReadonlyArray<{ readonly ownerId: string; readonly createdAt: string }>>
  close(): Promise<void>
}

/**
 * A stored data key that is not one (not 32 bytes, or without its id or creation time): nothing is
 * sealed or opened with it, and nothing stored is changed. Other owners' keys are unaffected.
 */
export class CorruptDataKeyError extends Error {
  readonly code = 'CorruptDataKey'
  constructor(
    readonly ownerId: string,
    readonly store: string,
    readonly reason: string,
  ) {
    super(`the data key of owner ${ownerId} in ${store} is corrupt: ${reason}`)
    this.name = 'CorruptDataKeyError'
  }
}

// Keys are read for every sealed field decoded: a look at the form, not a parse.
const isoTimeStart = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

/** A data key as read from `store`, checked: throws {@link CorruptDataKeyError} for one that is not. */
export const checkedDataKey = (
  store: string,
  ownerId: string,
  stored: { readonly id: unknown; readonly key: unknown; readonly createdAt: unknown },
): DataKey => {
  const { id, key, createdAt } = stored
  const reason =
    !(key instanceof Uint8Array) || key.length !== 32
      ? `its key is ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}, not 32 bytes`
      : typeof id !== 'string' || id === ''
        ? 'it has no key id'
        : typeof createdAt !== 'string' || !isoTimeStart.test(createdAt)
          ? `its creation time is ${JSON.stringify(createdAt)}, not a time`
          : undefined
  if (reason !== undefined) throw new CorruptDataKeyError(ownerId, store, reason)
  return { id: id as string, key: new Uint8Array(key as Uint8Array), createdAt: createdAt as string }
}
