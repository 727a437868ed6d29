/**
 * The in-memory read-model store keeps only the first `limit` documents in order as it scans, instead
 * of sorting every match: the answer must be the first `limit` of the whole sorted answer, ties
 * included.
 */
import { type Document, type Filter, inMemoryReadModelStore } from '@property-services/projections'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const docArbitrary = fc.record(
  {
    n: fc.integer({ min: 0, max: 4 }),
    s: fc.constantFrom('a', 'b', 'c'),
    nested: fc.record({ k: fc.integer({ min: 0, max: 2 }) }),
  },
  { requiredKeys: [] },
)

describe('in-memory find with a limit', () => {
  it('gives the first documents of the sorted answer, whatever the ties, fields missing or limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), docArbitrary), {
          selector: ([id]) => id,
          maxLength: 40,
        }),
        fc.constantFrom<Record<string, 1 | -1>>(
          { n: 1 },
          { n: -1 },
          { s: 1, n: -1 },
          { 'nested.k': -1, s: 1 },
          { _id: -1 },
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        async (docs, sort, limit, filtered) => {
          const c = inMemoryReadModelStore().collection('things')
          await c.write(
            docs.map(([_id, doc]) => ({ kind: 'put' as const, doc: { _id, ...doc } as Document })),
          )
          const filter: Filter = filtered ? { n: { $gte: 1 } } : {}
          const all = await c.find(filter, { sort })
          expect(await c.find(filter, { sort, limit })).toEqual(all.slice(0, limit))
          // The whole answer, in order: by each sort field (a missing one first), then by _id.
          const fieldOf = (d: Document, field: string): unknown =>
            field.split('.').reduce<unknown>((v, p) => (v as Record<string, unknown> | undefined)?.[p], d)
          // A missing field sorts first; each field holds one type here.
          const compare = (x: unknown, y: unknown) =>
            x === y ? 0 : x === undefined ? -1 : y === undefined ? 1 : (x as string) < (y as string) ? -1 : 1
          for (let i = 1; i < all.length; i++) {
            const [a, b] = [all[i - 1]!, all[i]!]
            let order = 0
            for (const [field, direction] of Object.entries(sort)) {
              order = compare(fieldOf(a, field), fieldOf(b, field)) * direction
              if (order !== 0) break
            }
            expect(order < 0 || (order === 0 && a._id < b._id)).toBe(true)
          }
          expect(all).toHaveLength(docs.filter(([, d]) => !filtered || (d.n ?? -1) >= 1).length)
        },
      ),
      { numRuns: 300 },
    )
  })
})
