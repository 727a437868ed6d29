import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inMemoryReadModelStore } from '../src/readModelStore/inMemory.js'
import type { Document, WriteOperation } from '../src/readModelStore/port.js'
import { keyOf, type ProjectedBatch } from '../src/runner/batch.js'
import { runnerDocuments } from '../src/runner/documents.js'

const collections = ['a', 'b'] as const
const counters = 'c'
const ids = ['x', 'y', 'z', 'x\u0000y'] as const

/** A change a batch makes: a document's new content or its deletion, or an addition to a counter. */
const change = fc.oneof(
  fc.record({
    collection: fc.constantFrom(...collections),
    id: fc.constantFrom(...ids),
    value: fc.option(fc.nat({ max: 9 }), { nil: null }),
    // Whether what is held unwritten is written after this change (as a rebuild does past its limit).
    flush: fc.boolean(),
  }),
  fc.record({ counter: fc.constantFrom(...ids), by: fc.integer({ min: -3, max: 9 }), flush: fc.boolean() }),
)

const contents = async (store: ReturnType<typeof inMemoryReadModelStore>) =>
  Object.fromEntries(
    await Promise.all(
      [...collections, counters].map(async (name) => [name, await store.collection(name).find()] as const),
    ),
  )

describe('a runner’s documents', () => {
  it('held unwritten and written later (documents and counters), leave the store as writing each change at once, and read as the changes say', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 40 }), async (changes) => {
        const direct = inMemoryReadModelStore()
        const held = inMemoryReadModelStore()
        const documents = runnerDocuments({ collection: (name) => held.collection(name), fromNothing: true })
        // What the batches know: each document as last changed (a batch inserts what is absent).
        const model = new Map<string, Document | null>()
        const counted = new Map<string, number>()
        for (const [step, c] of changes.entries()) {
          // Batches end in order, and so do their stamps.
          const batch = String(step).padStart(4, '0')
          if ('counter' in c) {
            const inc = { id: c.counter, by: { n: c.by }, onInsert: { kind: 'counter' } }
            await direct.collection(counters).write([{ kind: 'increment', ...inc, batch }])
            const increments = new Map([[counters, [inc]]])
            documents.holdIncrements(increments, batch)
            documents.remember({ replacements: new Map(), before: [], increments })
            counted.set(c.counter, (counted.get(c.counter) ?? 0) + c.by)
            if (c.flush) await documents.writeUnwritten()
            continue
          }
          const { collection, id, value, flush } = c
          const key = keyOf(collection, id)
          const was = model.get(key) ?? null
          if (was === null && value === null) continue
          const doc = value === null ? null : { _id: id, value }
          const op: WriteOperation =
            doc === null
              ? { kind: 'delete', id }
              : was === null
                ? { kind: 'insert', doc }
                : { kind: 'put', doc }
          await direct.collection(collection).write([op])
          const projected: ProjectedBatch = {
            replacements: new Map([[collection, [op]]]),
            before: [{ collection, id, doc: was }],
            increments: new Map(),
          }
          documents.holdUnwritten(projected.replacements)
          documents.remember(projected)
          model.set(key, doc)
          if (flush) await documents.writeUnwritten()
          for (const name of collections)
            for (const other of ids) {
              const known = model.get(keyOf(name, other)) ?? null
              // Started from nothing: what was never written is known absent, without asking the store.
              expect(documents.peek(keyOf(name, other))).toEqual(known)
              expect(await documents.load(name, [other])).toEqual(known === null ? [] : [known])
            }
        }
        // A counter read back holds every addition, held or written.
        for (const [id, n] of counted)
          expect((await documents.load(counters, [id]))[0]).toMatchObject({ _id: id, n })
        await documents.writeUnwritten()
        expect(documents.unwrittenCount()).toBe(0)
        expect(await contents(held)).toEqual(await contents(direct))
      }),
    )
  })

  it('not started from nothing, asks the store for what it does not know, and then keeps it', async () => {
    const store = inMemoryReadModelStore()
    await store.collection('a').write([{ kind: 'insert', doc: { _id: 'x', value: 1 } }])
    let asked = 0
    const documents = runnerDocuments({
      collection: (name) => {
        const collection = store.collection(name)
        return {
          ...collection,
          findByIds: async (wanted) => {
            asked += wanted.length
            return collection.findByIds(wanted)
          },
        }
      },
      fromNothing: false,
    })
    expect(documents.peek(keyOf('a', 'x'))).toBeUndefined()
    expect(await documents.load('a', ['x', 'y'])).toEqual([{ _id: 'x', value: 1 }])
    expect(asked).toBe(2)
    // Both answers are kept: the absent one as absent.
    expect(documents.peek(keyOf('a', 'x'))).toEqual({ _id: 'x', value: 1 })
    expect(documents.peek(keyOf('a', 'y'))).toBeNull()
    expect(await documents.load('a', ['x', 'y'])).toEqual([{ _id: 'x', value: 1 }])
    expect(asked).toBe(2)
  })
})
