import { exceedsSize, type SizeLimits } from '@property-services/domain'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

/** The guard written the plainest way, a path kept with every value on the stack. */
const reference = (input: unknown, limits: SizeLimits) => {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: input, depth: 0, path: '' }]
  let nodes = 0
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string }
    if (++nodes > limits.maxNodes)
      return { path: path || '(root)', reason: `more than ${limits.maxNodes} values` }
    if (typeof value !== 'object' || value === null) continue
    if (depth >= limits.maxDepth)
      return { path: path || '(root)', reason: `nested deeper than ${limits.maxDepth} levels` }
    const keys = Array.isArray(value)
      ? Array.from({ length: value.length }, (_, i) => String(i))
      : Object.keys(value)
    if (nodes + stack.length + keys.length > limits.maxNodes)
      return { path: path || '(root)', reason: `more than ${limits.maxNodes} values` }
    for (const key of keys)
      stack.push({
        value: (value as Record<string, unknown>)[key],
        depth: depth + 1,
        path: path ? `${path}.${key}` : key,
      })
  }
  return undefined
}

const nested = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'medium' },
    fc.integer(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.sparseArray(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 3 }), fc.constant('')), tie('value'), { maxKeys: 4 }),
  ),
})).value

describe('exceedsSize', () => {
  it('finds the same excess, at the same path, as the plain statement of the guard', () => {
    fc.assert(
      fc.property(
        nested,
        fc.record({ maxDepth: fc.integer({ min: 1, max: 6 }), maxNodes: fc.integer({ min: 1, max: 40 }) }),
        (value, limits) => {
          expect(exceedsSize(value, limits)).toEqual(reference(value, limits))
        },
      ),
      { numRuns: 3_000 },
    )
  })
})
