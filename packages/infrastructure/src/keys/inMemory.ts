import { randomBytes } from 'node:crypto'
import type { DataKey, KeyStore } from './port.js'

/** Keys in memory: for tests and demos that keep nothing. Erased personal data is gone with the process. */
export const inMemoryKeyStore = (options: { readonly clock?: () => Date } = {}): KeyStore => {
  const keys = new Map<string, DataKey>()
  const clock = options.clock ?? (() => new Date())
  return {
    keyOf: (ownerId) => keys.get(ownerId),
    keyFor: async (ownerId) => {
      let key = keys.get(ownerId)
      if (key === undefined) {
        key = {
          id: randomBytes(8).toString('hex'),
          key: new Uint8Array(randomBytes(32)),
          createdAt: clock().toISOString(),
        }
        keys.set(ownerId, key)
      }
      return key
    },
    deleteKey: async (ownerId) => {
      const key = keys.get(ownerId)
      key?.key.fill(0)
      keys.delete(ownerId)
    },
    owners: async () => [...keys].map(([ownerId, key]) => ({ ownerId, createdAt: key.createdAt })),
    close: async () => undefined,
  }
}
