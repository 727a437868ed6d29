import { canonicalJson } from '@property-services/infrastructure'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

/** The definition, written the plainest way: sorted keys, undefined fields left out, holes as null. */
const reference = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${Array.from(value, (item) => reference(item ?? null)).join(',')}]`
  const record = value as Record<string, unknown>
  return `{${Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`)
    .join(',')}}`
}

const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constantFrom(undefined, Number.NaN, -0, '\u2028', '"\\\u0000'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('10', '9', 'é', '\ud83d\ude00', '"')), tie('value'), {
      maxKeys: 5,
    }),
  ),
})).value

describe('canonicalJson', () => {
  it('is JSON with sorted keys at every depth, for any value', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(canonicalJson(value)).toBe(reference(value))
      }),
      { numRuns: 3_000 },
    )
  })

  it('orders many keys as few, on either side of where it stops sorting by insertion', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 3 }),
      fc.constantFrom('10', '9', 'é', '\ud83d\ude00', '\uffff'),
    )
    fc.assert(
      fc.property(fc.dictionary(key, fc.integer(), { minKeys: 25, maxKeys: 45 }), (value) => {
        expect(canonicalJson(value)).toBe(reference(value))
      }),
      { numRuns: 500 },
    )
  })

  it('gives the same text whatever order the fields were written in', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'é' }, 10: true, 9: null })).toBe(
      '{"10":true,"9":null,"a":{"c":"é","d":[1,{"x":1,"y":2}]},"b":1}',
    )
  })
})
