import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { documentText } from '../src/readModelStore/documentText.js'
import type { Document } from '../src/readModelStore/port.js'

/** What storing as JSON gives back: the yardstick, key order included (compared as text). */
const asJson = (doc: unknown) => JSON.stringify(JSON.parse(JSON.stringify(doc)))

// Field names a read model uses, and those that trip a naive encoding: integer-like names (which
// objects put first), `__proto__`, `toJSON`, names of Object.prototype, odd characters.
const fieldName = fc.oneof(
  fc.constantFrom('ownerId', 'month', 'filed', 'open', 'repeat', 'moments', '_batch'),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '0',
    '17',
    '',
    'a\u0000b',
    '名称',
  ),
  fc.string({ maxLength: 6 }),
)
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(undefined, null, Number.NaN, -0, () => 1, new Date(0)),
)
const docOf = (id: string, fields: [string, unknown][], idFirst: boolean): Document => {
  const doc: Record<string, unknown> = idFirst ? { _id: id } : {}
  for (const [name, v] of fields)
    Object.defineProperty(doc, name, { value: v, enumerable: true, writable: true })
  if (!idFirst) doc._id = id
  return doc as Document
}

describe('the in-memory store’s document text', () => {
  it('gives back what JSON would, field order included, whatever the fields, values and shapes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ maxLength: 4 }),
            fc.uniqueArray(fc.tuple(fieldName, value), { selector: ([name]) => name, maxLength: 8 }),
            fc.boolean(),
          ),
          { maxLength: 30 },
        ),
        (docs) => {
          const text = documentText()
          const stored = docs.map(([id, fields, idFirst]) => {
            const doc = docOf(id, fields, idFirst)
            return [id, doc, text.encode(id, doc)] as const
          })
          // Decoded after every shape is known, and again in any order: shapes never shift.
          for (const [id, doc, encoded] of [...stored].reverse()) {
            const decoded = text.decode(id, encoded)
            expect(JSON.stringify(decoded)).toBe(asJson(doc))
            expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
          }
        },
      ),
    )
  })

  it('keeps a read model’s field names once per shape, not in every document', () => {
    const text = documentText()
    const doc = { _id: 'k1', ownerId: 'o317', unitId: 'u17', month: '2025-01', rating: 3, repeat: null }
    const encoded = text.encode('k1', doc)
    expect(encoded).toBe('[0,"o317","u17","2025-01",3,null]')
    expect(text.encode('k2', { ...doc, _id: 'k2', rating: 4 })).toBe('[0,"o317","u17","2025-01",4,null]')
    // Another shape gets its own number; the first keeps its own.
    expect(text.encode('b', { _id: 'b', filed: 1 })).toBe('[1,1]')
    expect(text.decode('k1', encoded)).toEqual(doc)
  })

  it('stores as plain JSON what a shape cannot say: an _id elsewhere or not the key, __proto__, too many shapes', () => {
    const text = documentText()
    expect(text.encode('k1', { ownerId: 'o1', _id: 'k1' })).toBe('{"ownerId":"o1","_id":"k1"}')
    expect(text.encode('k1', { _id: 'k2', a: 1 })).toBe('{"_id":"k2","a":1}')
    const proto = JSON.parse('{"_id":"k1","__proto__":{"polluted":true}}') as Document
    expect(text.encode('k1', proto)).toBe('{"_id":"k1","__proto__":{"polluted":true}}')
    expect(text.encode('k1', { _id: 'k1', gone: undefined, a: 1 })).toBe('{"_id":"k1","a":1}')
    for (let i = 0; i < 256; i++) expect(text.encode('x', { _id: 'x', [`f${i}`]: i })).toBe(`[${i},${i}]`)
    expect(text.encode('x', { _id: 'x', past: 1 })).toBe('{"_id":"x","past":1}')
    expect(text.encode('x', { _id: 'x', f3: 1 })).toBe('[3,1]')
  })
})
