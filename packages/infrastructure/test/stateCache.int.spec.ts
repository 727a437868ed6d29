/**
 * The handler's cache of folded state changes no answer: the same requests give the same outcomes and
 * the same stored events with the cache, without it, and split between two handlers (two processes)
 * writing one store, each with its own cache. Concurrent commands on one stream are still decided on
 * the state they would see without a cache.
 */
import {
  commandHandler,
  type EventStore,
  inMemoryEventStore,
  inMemoryKeyStore,
} from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { fuzzCorpus, fuzzSetUp } from './fuzz/corpus.js'

const corpus = fuzzCorpus(3_000, 4242)
const staff = { actor: { id: 'staff-1', role: 'staff' as const } }

/** Every outcome, and every stored event without its random id and position. */
const run = async (
  store: EventStore,
  handlers: ReadonlyArray<ReturnType<typeof commandHandler>['handle']>,
  clock: { now: number },
) => {
  for (const { request, principal } of fuzzSetUp) await handlers[0]!(request, principal as never)
  const outcomes: string[] = []
  for (const [i, input] of corpus.entries()) {
    clock.now += 60_000 * (1 + (i % 7))
    // Alternate between the handlers in runs of a few requests, as two processes behind a balancer.
    const handle = handlers[Math.floor(i / 3) % handlers.length]!
    const result = await handle(input.request, input.principal as never)
    outcomes.push(
      E.isLeft(result)
        ? `${result.left._tag}: ${result.left.message}`
        : `${result.right.duplicate ? 'duplicate' : 'accepted'} ${result.right.streamName}@${result.right.nextExpectedRevision} ${JSON.stringify(result.right.events)}`,
    )
  }
  const stored = (await store.readAll({ maxCount: 1_000_000 })).events.map(
    ({ eventId: _, position: __, metadata, ...rest }) => ({
      ...rest,
      metadata: { ...(metadata as object), hash: undefined },
    }),
  )
  return { outcomes, stored }
}

describe('the state cache', () => {
  it.each([
    ['in plain text', false],
    ['with personal data encrypted', true],
  ])(
    'gives the answers of a handler without one, also with two handlers on one store (%s)',
    async (_, encrypted) => {
      const make = (cacheSize: number | undefined, handlers: number) => {
        const store = inMemoryEventStore()
        const keys = encrypted ? inMemoryKeyStore() : undefined
        const clock = { now: Date.parse('2026-01-05T01:00:00.000Z') }
        const list = Array.from(
          { length: handlers },
          () =>
            commandHandler({
              store,
              ...(keys === undefined ? {} : { keys }),
              clock: () => new Date(clock.now),
              ...(cacheSize === undefined ? {} : { stateCacheSize: cacheSize }),
            }).handle,
        )
        return run(store, list, clock)
      }
      const without = await make(0, 1)
      const cached = await make(undefined, 1)
      // A cache of two streams: evictions all the time.
      const tiny = await make(2, 1)
      const two = await make(undefined, 2)
      expect(without.outcomes.filter((o) => o.startsWith('accepted')).length).toBeGreaterThan(200)
      for (const other of [cached, tiny, two]) {
        expect(other.outcomes).toEqual(without.outcomes)
        // Encryption draws fresh keys and nonces: the stored bytes then differ by design.
        if (!encrypted) expect(other.stored).toEqual(without.stored)
      }
    },
    60_000,
  )

  it('decides concurrent commands on one stream on what the other stored first', async () => {
    const store = inMemoryEventStore()
    const { handle } = commandHandler({ store, clock: () => new Date('2026-03-02T02:00:00.000Z') })
    const send = (commandId: string, type: string, data: object) =>
      handle({ type, commandId, data: { complaintId: 'k1', ...data } }, staff)
    await handle(
      {
        type: 'RegisterUnit',
        commandId: 'u1',
        data: { unitId: 'u1', communityId: 'default', building: '1', number: '1', floorAreaCm2: 1 },
      },
      staff,
    )
    await send('c1', 'FileComplaint', {
      ownerId: 'o1',
      unitId: 'u1',
      category: 'facilities',
      subject: 'lift-stoppage',
      channel: 'letter',
      description: 'stuck',
    })
    await send('c2', 'AcknowledgeComplaint', { gesture: 'apology', note: 'heard' })
    const [a, b] = await Promise.all([
      send('c3', 'ProposeResolution', { proposal: 'a fitter', partial: false }),
      send('c4', 'ProposeResolution', { proposal: 'two fitters', partial: false }),
    ])
    expect([a, b].map((r) => (E.isLeft(r) ? (r.left as { rule?: string }).rule : 'accepted')).sort()).toEqual(
      ['accepted', 'one-proposal'],
    )
    // The same command id again: the events it caused, nothing appended.
    const again = await send('c3', 'ProposeResolution', { proposal: 'a fitter', partial: false })
    expect(E.isRight(again) && again.right.duplicate).toBe(E.isRight(a))
    expect((await store.readStream('complaint-k1')).events).toHaveLength(3)
  })
})
