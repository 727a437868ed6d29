/** The contract every key-store adapter meets (in memory, SQLite, MongoDB). */
import type { KeyStore } from '@property-services/infrastructure'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

export const keyStoreContract = (name: string, make: () => Promise<KeyStore>, enabled = true): void => {
  describe.skipIf(!enabled)(`key store contract: ${name}`, () => {
    let keys: KeyStore
    const run = Math.random().toString(36).slice(2, 8)
    beforeAll(async () => {
      keys = await make()
    })
    afterAll(async () => keys.close())

    it('creates one 32-byte key per owner, the same for concurrent and later calls', async () => {
      const owner = `o-${run}-1`
      expect(keys.keyOf(owner)).toBeUndefined()
      const [a, b, c] = await Promise.all([keys.keyFor(owner), keys.keyFor(owner), keys.keyFor(owner)])
      expect(a?.key).toHaveLength(32)
      expect(Buffer.from(b!.key).equals(Buffer.from(a!.key))).toBe(true)
      expect(Buffer.from(c!.key).equals(Buffer.from(a!.key))).toBe(true)
      expect(Buffer.from(keys.keyOf(owner)!.key).equals(Buffer.from(a!.key))).toBe(true)
      expect(Date.parse(a!.createdAt)).not.toBeNaN()
      const other = await keys.keyFor(`o-${run}-2`)
      expect(Buffer.from(other.key).equals(Buffer.from(a!.key))).toBe(false)
    })

    it('deletes a key for good, idempotently, and lists the owners with keys', async () => {
      const owner = `o-${run}-3`
      await keys.keyFor(owner)
      expect((await keys.owners()).map((o) => o.ownerId)).toContain(owner)
      await keys.deleteKey(owner)
      await keys.deleteKey(owner)
      expect(keys.keyOf(owner)).toBeUndefined()
      expect((await keys.owners()).map((o) => o.ownerId)).not.toContain(owner)
      // A new key after deletion is a new key: what the old one sealed stays unreadable.
      const again = await keys.keyFor(owner)
      expect(again.key).toHaveLength(32)
    })
  })
}

/** Stored keys that are not keys, in the raw form a store's table or collection takes, and why each is refused. */
export const corruptKeys = [
  { ownerId: 'short', keyId: 'k1', key: Buffer.alloc(5), createdAt: '2026-01-01T00:00:00.000Z' },
  { ownerId: 'text', keyId: 'k2', key: 'not bytes', createdAt: '2026-01-01T00:00:00.000Z' },
  { ownerId: 'unnamed', keyId: '', key: Buffer.alloc(32), createdAt: '2026-01-01T00:00:00.000Z' },
  { ownerId: 'untimed', keyId: 'k4', key: Buffer.alloc(32), createdAt: 'someday' },
] as const
const corruptBecause: Readonly<Record<(typeof corruptKeys)[number]['ownerId'], string>> = {
  short: 'its key is 5 bytes, not 32 bytes',
  text: 'its key is string, not 32 bytes',
  unnamed: 'it has no key id',
  untimed: 'its creation time is "someday", not a time',
}

/**
 * Each of {@link corruptKeys}, stored in `where`, is refused for its owner only, naming the owner and
 * the store; the key of `fine`, made by the store, still works.
 */
export const expectCorruptKeysRefused = async (keys: KeyStore, where: string): Promise<void> => {
  for (const { ownerId } of corruptKeys) {
    const error = { name: 'CorruptDataKeyError', code: 'CorruptDataKey', ownerId }
    expect(() => keys.keyOf(ownerId)).toThrow(
      `the data key of owner ${ownerId} in ${where} is corrupt: ${corruptBecause[ownerId]}`,
    )
    expect(() => keys.keyOf(ownerId)).toThrow(expect.objectContaining(error))
    await expect(keys.keyFor(ownerId)).rejects.toMatchObject(error)
  }
  expect(keys.keyOf('fine')?.key.length).toBe(32)
}
