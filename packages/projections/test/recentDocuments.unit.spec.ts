import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { recentDocuments } from '../src/runner/recentDocuments.js'

describe('recent documents', () => {
  it('keeps at most its limit, dropping the least recently used, and answers as last set', () => {
    const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f')
    const step = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: keys, doc: fc.option(fc.nat(), { nil: null }) }),
      fc.record({ op: fc.constant('get' as const), key: keys }),
      fc.record({ op: fc.constant('forget' as const), key: keys }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 60 }), (limit, steps) => {
        const recent = recentDocuments<number>(limit)
        // The plain statement: a list from least to most recently used, cut to the limit.
        let model: Array<[string, number | null]> = []
        const touch = (key: string, doc: number | null) => {
          model = [...model.filter(([k]) => k !== key), [key, doc]]
          if (model.length > limit) model = model.slice(1)
        }
        for (const s of steps) {
          if (s.op === 'set') {
            recent.set(s.key, s.doc)
            touch(s.key, s.doc)
          } else if (s.op === 'forget') {
            recent.forget(s.key)
            model = model.filter(([k]) => k !== s.key)
          } else {
            const kept = model.find(([k]) => k === s.key)
            expect(recent.get(s.key)).toBe(kept === undefined ? undefined : kept[1])
            if (kept !== undefined) touch(kept[0], kept[1])
          }
        }
        for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) {
          const kept = model.find(([k]) => k === key)
          expect(recent.get(key)).toBe(kept === undefined ? undefined : kept[1])
        }
      }),
    )
  })
})
