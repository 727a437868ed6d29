/**
 * A deep copy that equals `JSON.parse(JSON.stringify(value))`: what a durable store gives back, so the
 * in-memory store hands out what SQLite or EventStoreDB would. Plain JSON data (strings, finite numbers,
 * booleans, null, arrays without holes, plain objects) is copied directly, several times faster than
 * the round trip; anything else (a Date, undefined in an array, NaN, a `toJSON`, a `__proto__` key) is
 * left to the round trip itself, so the result is the same whatever the input.
 */
export const jsonCopy = (value: unknown): unknown => {
  const copied = plainCopy(value, 0)
  return copied === notPlain ? JSON.parse(JSON.stringify(value) as string) : copied
}

const notPlain = Symbol('not plain JSON')
// Deeper than this, the round trip decides (and throws on a cycle as it would).
const maxDepth = 64

const plainCopy = (value: unknown, depth: number): unknown => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      // JSON writes -0 as 0; NaN and the infinities become null, which the round trip handles.
      return Number.isFinite(value) ? value + 0 : notPlain
    case 'object':
      break
    default:
      return notPlain
  }
  if (value === null) return null
  if (depth >= maxDepth) return notPlain
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = plainCopy(value[i], depth + 1)
      if (item === notPlain) return notPlain
      copy[i] = item
    }
    return copy
  }
  const prototype = Object.getPrototypeOf(value)
  if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) return notPlain
  const record = value as Record<string, unknown>
  const copy: Record<string, unknown> = {}
  // for-in over own keys, not Object.keys: the same keys in the same order, without an array of them.
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    const field = record[key]
    // JSON drops undefined fields; a `__proto__` key must become an own field, as JSON.parse makes it.
    if (field === undefined) continue
    if (key === '__proto__') return notPlain
    const item = plainCopy(field, depth + 1)
    if (item === notPlain) return notPlain
    copy[key] = item
  }
  return copy
}
