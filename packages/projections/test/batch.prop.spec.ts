import type { RecordedEvent, StoredEvent } from '@property-services/infrastructure'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Document } from '../src/readModelStore/port.js'
import { type BatchEvent, type ProjectedBatch, projectBatch } from '../src/runner/batch.js'
import type { Change, Projection } from '../src/runner/projection.js'

const ids = ['a', 'b', 'c', 'd'] as const

/** What one event of the batch does: reads, then perhaps throws, replaces a document, adds to a counter. */
const step = fc.record({
  reads: fc.array(fc.constantFrom(...ids), { maxLength: 3 }),
  throws: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  put: fc.option(fc.record({ id: fc.constantFrom(...ids), remove: fc.boolean() }), { nil: undefined }),
  // Mostly counters of their own; sometimes a document the batch may read, which the runner refuses.
  inc: fc.option(
    fc.record({
      collection: fc.constantFrom('counts', 'counts', 'counts', 'docs'),
      id: fc.constantFrom(...ids),
    }),
    { nil: undefined },
  ),
})
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never

const eventOf = (index: number, s: Step): BatchEvent => ({
  recorded: { event: { type: 'Step', data: { index, ...s } } } as unknown as RecordedEvent,
  stored: { position: { commit: BigInt(index), prepare: BigInt(index) } } as unknown as StoredEvent,
})

/** A pure projection of the steps: what it writes depends on what it read. */
const projectionOf = (prefetched: boolean): Projection => ({
  name: 'steps',
  collections: ['docs', 'counts'],
  canHandle: ['Step'],
  project({ event }, view) {
    const { index, reads, throws, put, inc } = event.data as unknown as { index: number } & Step
    let seen = index
    for (const id of reads) seen += (view.get('docs', id)?.value as number | undefined) ?? 100
    if (throws) throw new Error(`step ${index} throws`)
    const changes: Change[] = []
    if (put !== undefined)
      changes.push({ collection: 'docs', id: put.id, doc: put.remove ? null : { _id: put.id, value: seen } })
    if (inc !== undefined)
      changes.push({
        collection: inc.collection,
        id: inc.id,
        by: { n: 1, seen },
        onInsert: { kind: 'counter' },
      })
    return changes
  },
  // Prefetching nothing: every read misses once and is loaded on its own, in the real pass.
  ...(prefetched ? { prefetch: () => [] } : {}),
})

const outcome = async (
  prefetched: boolean,
  steps: readonly Step[],
  stored: ReadonlyMap<string, Document>,
  known: ReadonlySet<string>,
) => {
  const failed: string[] = []
  try {
    const projected: ProjectedBatch = await projectBatch(
      projectionOf(prefetched),
      steps.map((s, i) => eventOf(i, s)),
      async (collection, wanted) =>
        wanted.flatMap((id) => {
          const doc = stored.get(`${collection}/${id}`)
          return doc === undefined ? [] : [doc]
        }),
      (event, error) =>
        failed.push(`${(event.recorded.event.data as unknown as { index: number }).index}: ${error}`),
      true,
      (key) => {
        const [collection, id] = key.split('\u0000') as [string, string]
        return known.has(id) ? (stored.get(`${collection}/${id}`) ?? null) : undefined
      },
    )
    return {
      replacements: [...projected.replacements],
      before: projected.before,
      increments: [...projected.increments],
      failed,
    }
  } catch (error) {
    return { threw: String(error), failed }
  }
}

describe('a batch of a read model without prefetch', () => {
  it('comes out of its trial run as it would out of a real pass: writes, before-images, counters, failures and refusals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 12 }),
        fc.subarray([...ids]),
        fc.subarray([...ids]),
        async (steps, present, known) => {
          const stored = new Map(present.map((id) => [`docs/${id}`, { _id: id, value: id.charCodeAt(0) }]))
          const knownIds = new Set(known)
          expect(await outcome(false, steps, stored, knownIds)).toEqual(
            await outcome(true, steps, stored, knownIds),
          )
        },
      ),
      { numRuns: 500 },
    )
  })
})
