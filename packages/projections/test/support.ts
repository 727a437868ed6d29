import { randomUUID } from 'node:crypto'
import type { AggregateName, Event } from '@property-services/domain'
import { runHistory, type Step, stepArbitrary } from '@property-services/domain/testing'
import { type EventStore, inMemoryEventStore, serde } from '@property-services/infrastructure'
import {
  allProjections,
  checkpointsCollection,
  type Document,
  inMemoryReadModelStore,
  mongoReadModelStore,
  type Projection,
  physicalName,
  type ReadModelCollection,
  type ReadModelStore,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { MongoClient } from 'mongodb'
import { onTestFinished } from 'vitest'

export const mongoUrl = process.env.MONGODB_URL
if (mongoUrl === undefined) {
  if (process.env.CI)
    throw new Error('MONGODB_URL must be set in CI: .ci/run starts the FerretDB test server')
  console.info('MongoDB read-model tests skipped: MONGODB_URL not set (tools/ferretdb.sh start prints one)')
}

export interface StoreTarget {
  readonly store: ReadModelStore
  readonly cleanup: () => Promise<void>
}

const mongoTarget = (replaceBy: 'auto' | 'update') => async (): Promise<StoreTarget> => {
  const database = `ps_test_${randomUUID().slice(0, 8)}`
  const store = await mongoReadModelStore({ url: mongoUrl!, database, replaceBy })
  return {
    store,
    cleanup: async () => {
      await store.close()
      const client = await MongoClient.connect(mongoUrl!)
      await client.db(database).dropDatabase()
      await client.close()
    },
  }
}

/**
 * Read-model stores to run the same tests against: in memory always, MongoDB when configured, both
 * ways it writes (on FerretDB, `auto` replaces by reinserting and the runner replaces counters whole;
 * `update` replaces and increments in place, as on MongoDB).
 */
export const storeTargets: ReadonlyArray<[string, () => Promise<StoreTarget>]> = [
  ['in-memory', async () => ({ store: inMemoryReadModelStore(), cleanup: async () => undefined })],
  ...(mongoUrl === undefined
    ? []
    : ([
        ['MongoDB', mongoTarget('auto')],
        ['MongoDB, updates in place', mongoTarget('update')],
      ] as Array<[string, () => Promise<StoreTarget>]>)),
]

/** A fresh store of `make` for the test that calls it, dropped when the test is done. */
export const freshReadModels = async (make: () => Promise<StoreTarget>): Promise<ReadModelStore> => {
  const target = await make()
  onTestFinished(() => target.cleanup())
  return target.store
}

/**
 * Every document of a projection's generation and its checkpoint, in a canonical order: fields sorted,
 * without the bookkeeping that depends on how the work was cut (the stamp of the batch that last
 * incremented a counter, and the lease of the runner that wrote it).
 */
export const dump = async (
  store: ReadModelStore,
  projection: Projection,
  generation = 1,
): Promise<string> => {
  const canonical = ({ _batch, lease, ...doc }: Document): Document =>
    Object.fromEntries(Object.entries(doc).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as Document
  const parts: Record<string, Document[]> = {}
  for (const collection of projection.collections) {
    parts[collection] = (
      await store.collection(physicalName(projection.name, collection, generation)).find()
    ).map(canonical)
  }
  parts.checkpoint = (
    await store.collection(checkpointsCollection).findByIds([`${projection.name}_g${generation}`])
  ).map(canonical)
  return JSON.stringify(parts)
}

export const projections = allProjections()

/** `store` with every collection passed through `wrap`: to count, slow or break its requests. */
export const wrappingCollections = (
  store: ReadModelStore,
  wrap: (name: string, inner: ReadModelCollection) => ReadModelCollection,
): ReadModelStore => ({ ...store, collection: (name) => wrap(name, store.collection(name)) })

const staff = { id: 'staff-1', role: 'staff' as const }

/** Appends events to streams as the command handler would (metadata from the event's time). */
// Command ids are unique across streams: number them across every call.
let appended = 0
export const appendAll = async (
  store: EventStore,
  streams: ReadonlyArray<{ readonly streamName: string; readonly events: readonly Event[] }>,
) => {
  const codec = serde()
  for (const { streamName, events } of streams) {
    // As the handler stamps it: the stream's community, named by the event that started it.
    const community = events
      .map((e) => (e.data as { communityId?: string }).communityId)
      .find((c) => c !== undefined)
    for (const event of events) {
      const occurredAt = (event.data as { at: string }).at
      await store.appendToStream(
        streamName,
        codec.toNewEvents([event], {
          commandId: `h${++appended}`,
          correlationId: 'history',
          actor: staff,
          occurredAt,
          recordedAt: occurredAt,
          ...(community === undefined ? {} : { community }),
        }),
      )
    }
  }
}

const rename = (events: readonly Event[], replacements: ReadonlyArray<[string, string]>): Event[] =>
  events.map((event) => {
    let json = JSON.stringify(event)
    for (const [from, to] of replacements) json = json.split(`"${from}"`).join(`"${to}"`)
    return JSON.parse(json) as Event
  })

interface Part {
  readonly aggregate: AggregateName
  readonly start: number
  readonly steps: readonly Step[]
  readonly owner: number
  readonly unit: number
}

const part = (aggregate: AggregateName, maxSteps: number) =>
  fc.record({
    aggregate: fc.constant(aggregate),
    start: fc.integer({ min: 0, max: 400 }),
    steps: fc.array(stepArbitrary, { minLength: 1, maxLength: maxSteps }),
    owner: fc.nat(2),
    unit: fc.nat(2),
  })

/**
 * A random community: complaints of a few owners and units (so repeats happen), surveys, service
 * orders, owners' own histories (registered, graded, visited), meetings, staff surveys, staff, courses and
 * corrective actions,
 * each a valid history from the domain's arbitraries, renamed apart.
 */
export const communityArbitrary = fc
  .tuple(
    fc.array(part('complaint', 14), { maxLength: 10 }),
    fc.array(part('survey', 8), { maxLength: 3 }),
    fc.array(part('serviceOrder', 6), { maxLength: 4 }),
    fc.array(part('owner', 10), { maxLength: 3 }),
    fc.array(
      fc.oneof(
        part('meeting', 8),
        part('staffSurvey', 6),
        part('staffMember', 4),
        part('course', 6),
        part('correctiveAction', 8),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([complaints, surveys, orders, owners, internal]) =>
    [...complaints, ...surveys, ...orders, ...owners, ...internal].map((p: Part, i) => {
      const start = new Date(Date.UTC(2026, 0, 1) + p.start * 86_400_000).toISOString()
      const history = runHistory(p.aggregate, start, p.steps)
      const id = `x${i}`
      const events = rename(history.events, [
        ['complaint-1', id],
        ['survey-1', id],
        ['order-1', id],
        // An owner's own history is theirs alone; elsewhere a few owners recur, so that repeats happen.
        ['owner-1', p.aggregate === 'owner' ? `owner-${id}` : `owner-${p.owner}`],
        ['unit-1', `unit-${p.unit}`],
        // A unit is in one community for good; owners' files, surveys and meetings are spread too.
        ['community-1', `community-${p.unit}`],
        ['meeting-1', id],
        ['staff-survey-1', id],
        ['course-1', id],
        ['capa-1', id],
        // A staff member's history is theirs alone; course attendees (staff-1 to staff-6) may be them.
        ['staff-7', `staff-${i}`],
      ])
      return { streamName: `${p.aggregate}-${id}`, events }
    }),
  )

export const freshEventStore = (): EventStore => inMemoryEventStore()
