import type { Document } from './port.js'

/** How many shapes a collection keeps: past that, documents are stored as plain JSON. */
const maxShapes = 256

/**
 * The text in which the in-memory store keeps one collection's documents.
 *
 * A read model's documents share a few shapes (the same fields in the same order), and their field
 * names are a third to a half of their JSON (`bench/millionEvents.ts`: about 160 MiB of JSON at a
 * million events). So a document whose `_id` comes first and is its key is kept as a JSON array: the
 * number of its shape, then its other fields' values, `[3,"o317","u17",…]` for
 * `{"_id":"k1","ownerId":"o317","unitId":"u17",…}`. The field names are kept once per shape. Any
 * other document (its `_id` elsewhere, a field whose value JSON leaves out, `__proto__` among its
 * fields, or a collection past {@link maxShapes} shapes) is kept as plain JSON. Either way, decoding
 * gives what `JSON.parse(JSON.stringify(doc))` gives: the same fields, in the same order.
 */
export interface DocumentText {
  encode(id: string, doc: Document): string
  decode(id: string, text: string): Document
}

export const documentText = (): DocumentText => {
  const shapes: (readonly string[])[] = []
  const shapeNumbers = new Map<string, number>()
  // Most writes to a collection have the shape of the one before: compared field by field, not looked up.
  let lastShape: readonly string[] = []
  let lastNumber = -1

  const shapeOf = (fields: readonly string[]): number => {
    if (fields.length === lastShape.length + 1) {
      let same = lastNumber >= 0
      for (let i = 1; same && i < fields.length; i++) same = fields[i] === lastShape[i - 1]
      if (same) return lastNumber
    }
    const rest = fields.slice(1)
    const name = JSON.stringify(rest)
    let number = shapeNumbers.get(name)
    if (number === undefined) {
      // Assigning `__proto__` would set the prototype of the decoded document, not a field.
      if (shapes.length >= maxShapes || rest.includes('__proto__')) return -1
      number = shapes.length
      shapes.push(rest)
      shapeNumbers.set(name, number)
    }
    lastShape = shapes[number] as readonly string[]
    lastNumber = number
    return number
  }

  return {
    encode: (id, doc) => {
      const fields = Object.keys(doc)
      if (fields[0] !== '_id' || doc._id !== id || typeof doc.toJSON === 'function')
        return JSON.stringify(doc)
      const values: unknown[] = new Array(fields.length)
      for (let i = 1; i < fields.length; i++) {
        const value = doc[fields[i] as string]
        // In an object JSON leaves these fields out; in an array it would write null.
        if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
          return JSON.stringify(doc)
        values[i] = value
      }
      const shape = shapeOf(fields)
      if (shape < 0) return JSON.stringify(doc)
      values[0] = shape
      return JSON.stringify(values)
    },
    decode: (id, text) => {
      const parsed = JSON.parse(text) as Document | unknown[]
      if (!Array.isArray(parsed)) return parsed
      const fields = shapes[parsed[0] as number] as readonly string[]
      const doc: Record<string, unknown> = { _id: id }
      for (let i = 0; i < fields.length; i++) doc[fields[i] as string] = parsed[i + 1]
      return doc as Document
    },
  }
}
