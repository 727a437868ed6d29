import { mongoReadModelStore, mongoReadModelStoreOf } from '@property-services/projections'
import type { Db } from 'mongodb'
import { describe, expect, it } from 'vitest'

describe('MongoDB read-model store options', () => {
  it('refuses a bulk size that is not a whole number of at least one, before connecting', async () => {
    // 0 looped for ever over a write's operations, NaN sent none of them.
    for (const size of [0, Number.NaN, 2.5])
      expect(() => mongoReadModelStoreOf({} as Db, undefined, size)).toThrow(
        new RangeError(
          `mongoReadModelStore: maxOperationsPerBulk must be a whole number of at least 1, got ${size}`,
        ),
      )
    await expect(
      mongoReadModelStore({ url: 'mongodb://127.0.0.1:1/', database: 'x', maxOperationsPerBulk: 0 }),
    ).rejects.toThrow('mongoReadModelStore: maxOperationsPerBulk must be a whole number of at least 1, got 0')
  })

  it('refuses a database name MongoDB would refuse, before connecting', async () => {
    for (const name of ['', 'a.b', 'a/b', 'a b', 'x'.repeat(64), '库'.repeat(22)])
      await expect(mongoReadModelStore({ url: 'mongodb://127.0.0.1:1/', database: name })).rejects.toThrow(
        new RangeError(
          `mongoReadModelStore: database must be 1 to 63 bytes without / \\ . " $ * < > : | ? or NUL, got ${JSON.stringify(name)}`,
        ),
      )
  })
})
