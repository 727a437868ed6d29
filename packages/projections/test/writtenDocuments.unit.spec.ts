import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyOf } from '../src/runner/batch.js'
import { writtenDocuments } from '../src/runner/writtenDocuments.js'

describe('written documents', () => {
  it('never answers "never written" for a key it was given, whatever the keys hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.string({ unit: 'binary' })), { maxLength: 200 }),
        (pairs) => {
          const written = writtenDocuments()
          for (const [collection, id] of pairs) written.add(keyOf(collection, id))
          for (const [collection, id] of pairs) expect(written.mayHold(keyOf(collection, id))).toBe(true)
          expect(written.size()).toBeLessThanOrEqual(new Set(pairs.map(([c, i]) => keyOf(c, i))).size)
        },
      ),
    )
  })

  it('answers "may have been written" for few keys it was not given', () => {
    // Ids as read models make them; a digest shared by two keys only costs a lookup.
    const idOf = (i: number) =>
      keyOf('moments', `filings|owner|community-${i % 7}|o${i}|facilities|lift-stoppage|2025-01`)
    const written = writtenDocuments()
    for (let i = 0; i < 100_000; i++) written.add(idOf(i))
    // Through every growth of the table, each key added is still found.
    for (let i = 0; i < 100_000; i++) if (!written.mayHold(idOf(i))) expect.fail(`lost ${idOf(i)}`)
    let falsePositives = 0
    for (let i = 100_000; i < 200_000; i++) if (written.mayHold(idOf(i))) falsePositives++
    // 100,000 digests of 2^32: about 2 in 100,000 expected.
    expect(falsePositives).toBeLessThan(50)
    expect(written.size()).toBeGreaterThan(99_900)
  })
})
