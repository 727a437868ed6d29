import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonCopy } from '../src/eventStore/jsonCopy.js'

/** Values as callers hand them to a store: JSON data, and what JSON quietly converts or drops. */
const callerValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, new Date(0), null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'toJSON', '1', '10')), tie('value'), {
      maxKeys: 4,
    }),
    fc.sparseArray(fc.integer(), { maxLength: 4 }),
  ),
})).value

describe('jsonCopy', () => {
  it('gives what a JSON round trip gives, for any value a caller may store', () => {
    fc.assert(
      fc.property(callerValue, (value) => {
        const text = JSON.stringify(value)
        if (text === undefined) return
        const expected = JSON.parse(text) as unknown
        const copy = jsonCopy(value)
        expect(copy).toStrictEqual(expected)
        expect(JSON.stringify(copy)).toBe(text)
      }),
      { numRuns: 2_000 },
    )
  })

  it('shares nothing with what it copied', () => {
    const original = { a: { b: [1, { c: 'x' }] } }
    const copy = jsonCopy(original) as typeof original
    ;(original.a.b[1] as { c: string }).c = 'changed'
    original.a.b.push(2)
    expect(copy).toEqual({ a: { b: [1, { c: 'x' }] } })
  })

  it('keeps a __proto__ key as an own field, as JSON.parse does, never as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>
    const copy = jsonCopy(value) as Record<string, unknown>
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.hasOwn(copy, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('throws on a cycle, as the round trip does', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => jsonCopy(cyclic)).toThrow(TypeError)
  })
})
