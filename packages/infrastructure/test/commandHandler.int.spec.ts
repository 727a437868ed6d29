import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Actor,
  balanceOf,
  type FeeAccountState,
  feeAccountDecider,
  replay,
} from '@property-services/domain'
import {
  auditor,
  type CommandHandlerOptions,
  commandHandler,
  type EventStore,
  inMemoryEventStore,
  serde,
  sqliteEventStore,
} from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'

const at = (minutes: number) =>
  new Date(Date.parse('2026-03-02T01:00:00.000Z') + minutes * 60_000).toISOString()
let n = 0
const staff: Actor = { id: 'staff-1', role: 'staff' }

/** A request, who sends it, and when the handler's clock says it arrives (minutes after the start). */
interface Sent {
  readonly request: object
  readonly actor: Actor
  readonly minutes: number
}
const command = (
  type: string,
  data: object,
  actor: Actor = staff,
  minutes = 0,
  commandId = `c-${++n}`,
): Sent => ({
  request: { type, commandId, data },
  actor,
  minutes,
})

/** A handler whose clock reads the time each request is sent at. */
const handlerFor = (store: EventStore, options: Partial<CommandHandlerOptions> = {}) => {
  let now = at(0)
  const handler = commandHandler({ store, clock: () => new Date(now), ...options })
  return {
    handle: (sent: Sent) => {
      now = at(sent.minutes)
      return handler.handle(sent.request, { actor: sent.actor })
    },
  }
}

const setUpUnit = async (handle: (c: Sent) => Promise<unknown>) => {
  await handle(
    command('RegisterUnit', {
      unitId: 'u1',
      communityId: 'default',
      building: '3',
      number: '1202',
      floorAreaCm2: 893_700,
    }),
  )
  await handle(command('AssignUnitOwner', { unitId: 'u1', ownerId: 'owner-1' }))
}

const feeState = async (store: EventStore): Promise<FeeAccountState> =>
  replay(
    feeAccountDecider(),
    (await store.readStream('feeAccount-u1')).events.map((e) => serde().decode(e).event) as never,
  )

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const stores: Array<[string, () => EventStore]> = [
  ['in-memory', () => inMemoryEventStore()],
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'ps-handler-'))
      dirs.push(dir)
      return sqliteEventStore({ path: join(dir, 'events.db') })
    },
  ],
]

describe.each(stores)('command handling on %s', (_name, makeStore) => {
  it('decides and appends, with the metadata of the command', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    const result = await handle(
      command(
        'RegisterUnit',
        { unitId: 'u1', communityId: 'default', building: '3', number: '1202', floorAreaCm2: 893_700 },
        undefined,
        0,
        'cmd-reg',
      ),
    )
    expect(result).toMatchObject({
      _tag: 'Right',
      right: { streamName: 'unit-u1', nextExpectedRevision: 0, duplicate: false },
    })
    const [stored] = (await store.readStream('unit-u1')).events
    expect(stored?.metadata).toMatchObject({
      commandId: 'cmd-reg',
      correlationId: 'cmd-reg',
      actor: { id: 'staff-1' },
      occurredAt: at(0),
      recordedAt: at(0),
    })
    await store.close()
  })

  it('answers bad input with a typed decode error and appends nothing', async () => {
    const store = makeStore()
    const { handle } = commandHandler({ store })
    const result = await handle(
      { type: 'RegisterUnit', meta: { commandId: 'x' }, data: { unitId: 'u 1' } },
      { actor: staff },
    )
    expect(result).toMatchObject({ _tag: 'Left', left: { _tag: 'DecodeError' } })
    const issues =
      E.isLeft(result) && result.left._tag === 'DecodeError' ? result.left.issues.map((i) => i.path) : []
    expect(issues).toEqual(expect.arrayContaining(['commandId', 'data.unitId', 'data.building']))
    expect((await store.readAll()).events).toEqual([])
    await store.close()
  })

  it('takes the actor from the principal and the time from its clock, never from the request', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    const forged = command('RegisterUnit', {
      unitId: 'u1',
      communityId: 'default',
      building: '3',
      number: '1',
      floorAreaCm2: 1,
    })
    const withActor = {
      ...forged,
      request: { ...forged.request, meta: { actor: { id: 'm', role: 'manager' } } },
    }
    expect(await handle(withActor)).toMatchObject({ _tag: 'Left', left: { _tag: 'DecodeError' } })
    const raw = commandHandler({ store })
    for (const principal of [
      undefined,
      {},
      { actor: { id: 'x', role: 'root' } },
      { actor: { ...staff, as: 'manager' } },
    ])
      expect(await raw.handle(forged.request, principal as never)).toMatchObject({
        _tag: 'Left',
        left: { _tag: 'DecodeError', subject: 'principal' },
      })
    expect((await store.readAll()).events).toEqual([])
    await store.close()
  })

  it('lets staff record what happened earlier, within the window, keeping both times', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    await setUpUnit(handle)
    const file = (complaintId: string, occurredAt: string, actor: Actor = staff) => {
      const sent = command(
        'FileComplaint',
        {
          complaintId,
          ownerId: 'owner-1',
          unitId: 'u1',
          category: 'facilities',
          subject: 'lift-stoppage',
          channel: 'phone',
          description: 'stuck',
        },
        actor,
        24 * 60,
      )
      return { ...sent, request: { ...sent.request, occurredAt } }
    }
    // Phoned in last night, entered this morning.
    expect(await handle(file('k1', at(12 * 60)))).toMatchObject({ _tag: 'Right' })
    const [stored] = (await store.readStream('complaint-k1')).events
    expect(stored?.metadata).toMatchObject({ occurredAt: at(12 * 60), recordedAt: at(24 * 60) })
    expect(stored?.data).toMatchObject({ at: at(12 * 60) })
    expect(await handle(file('k2', at(25 * 60)))).toMatchObject({
      left: { _tag: 'RuleViolated', rule: 'business-time' },
    })
    expect(await handle(file('k3', at(24 * 60 - 73 * 60)))).toMatchObject({ left: { rule: 'business-time' } })
    expect(await handle(file('k4', at(12 * 60), { id: 'owner-1', role: 'owner' }))).toMatchObject({
      left: { _tag: 'NotAllowed' },
    })
    // Acknowledging before the complaint was filed: time moves forward in every aggregate.
    const early = command(
      'AcknowledgeComplaint',
      { complaintId: 'k1', gesture: 'apology', note: 'n' },
      staff,
      24 * 60,
    )
    expect(await handle({ ...early, request: { ...early.request, occurredAt: at(11 * 60) } })).toMatchObject({
      left: { _tag: 'RuleViolated', rule: 'time-order' },
    })
    expect((await store.readStream('complaint-k1')).events).toHaveLength(1)
    await store.close()
  })

  it('refuses a command id already used on another stream, on every store', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    await handle(
      command(
        'RegisterUnit',
        { unitId: 'u1', communityId: 'default', building: '3', number: '1', floorAreaCm2: 1 },
        staff,
        0,
        'once',
      ),
    )
    const reused = await handle(
      command(
        'RegisterUnit',
        { unitId: 'u2', communityId: 'default', building: '3', number: '2', floorAreaCm2: 1 },
        staff,
        1,
        'once',
      ),
    )
    expect(reused).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'DuplicateCommandId', commandId: 'once', existingStreamName: 'unit-u1' },
    })
    expect((await store.readStream('unit-u2')).exists).toBe(false)
    await store.close()
  })

  it('passes refusals of the domain through, appending nothing', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    const result = await handle(
      command('AcknowledgeComplaint', { complaintId: 'k1', gesture: 'apology', note: 'n' }),
    )
    expect(result).toMatchObject({ _tag: 'Left', left: { _tag: 'WrongState' } })
    expect((await store.readAll()).events).toEqual([])
    await store.close()
  })

  it('looks up the unit owner so owners act only for their own units', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    await setUpUnit(handle)
    const file = (ownerId: string, complaintId: string) =>
      command(
        'FileComplaint',
        {
          complaintId,
          ownerId,
          unitId: 'u1',
          category: 'facilities',
          subject: 'lift-stoppage',
          channel: 'phone',
          description: 'stuck',
        },
        { id: ownerId, role: 'owner' },
      )
    expect(await handle(file('owner-1', 'k1'))).toMatchObject({ _tag: 'Right' })
    expect(await handle(file('owner-2', 'k2'))).toMatchObject({ _tag: 'Left', left: { _tag: 'NotAllowed' } })
    await handle(command('TransferUnitOwnership', { unitId: 'u1', toOwnerId: 'owner-2' }))
    expect(await handle(file('owner-2', 'k3'))).toMatchObject({ _tag: 'Right' })
    await store.close()
  })

  it('looks up the community of the unit a command names: staff scoped elsewhere are refused, and the events record who acted, not their scope', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    await setUpUnit(handle)
    const file = (complaintId: string, unitId: string, actor: Actor) =>
      command(
        'FileComplaint',
        {
          complaintId,
          ownerId: 'owner-1',
          unitId,
          category: 'facilities',
          subject: 'lift-stoppage',
          channel: 'letter',
          description: 'stuck',
        },
        actor,
      )
    const here: Actor = { id: 'clerk-1', role: 'staff', communities: { default: 'staff' } }
    const elsewhere: Actor = { id: 'clerk-2', role: 'manager', communities: { 'community-2': 'manager' } }
    expect(await handle(file('k1', 'u1', elsewhere))).toMatchObject({
      left: { _tag: 'NotAllowed', message: expect.stringContaining('does not act in community default') },
    })
    // Refused before the unit's community was known, and after (the handler keeps it).
    expect(await handle(file('k2', 'u1', here))).toMatchObject({ _tag: 'Right' })
    expect(await handle(file('k3', 'u1', elsewhere))).toMatchObject({ left: { _tag: 'NotAllowed' } })
    // A unit nobody registered belongs to no community: nothing can be filed about it.
    expect(await handle(file('k4', 'u-none', staff))).toMatchObject({
      left: { _tag: 'WrongState', message: 'unit u-none is not registered' },
    })
    const [filed] = (await store.readStream('complaint-k2')).events
    // The metadata says the community too, for workers that share communities; the actor, not the scope.
    expect(filed?.metadata).toMatchObject({ actor: { id: 'clerk-1', role: 'staff' }, community: 'default' })
    const [unitEvent] = (await store.readStream('unit-u1')).events
    expect(unitEvent?.metadata).toMatchObject({ community: 'default' })
    expect(JSON.stringify(filed?.metadata)).not.toContain('communities')
    expect(filed?.data).toMatchObject({ communityId: 'default' })
    await store.close()
  })

  it('creates nothing in a community nobody registered: a mistyped id does not make a community of its own', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    const unit = command('RegisterUnit', {
      unitId: 'u9',
      communityId: 'jade-gardn',
      building: '1',
      number: '1',
      floorAreaCm2: 1,
    })
    expect(await handle(unit)).toMatchObject({
      left: { _tag: 'WrongState', message: 'community jade-gardn is not registered' },
    })
    expect(await store.countAfter()).toBe(0)
    const profile = {
      name: 'Jade Garden',
      address: '88 Binjiang Road',
      timeZone: 'Asia/Shanghai',
      calendar: { weekendDays: [0, 6], holidays: [], extraWorkingDays: [] },
      serviceGrade: 'grade-2',
    }
    const manager: Actor = { id: 'manager-1', role: 'manager' }
    expect(
      await handle(command('RegisterCommunity', { communityId: 'jade-gardn', ...profile }, manager)),
    ).toMatchObject({ _tag: 'Right' })
    expect(await handle(unit)).toMatchObject({ _tag: 'Right' })
    // A complaint in that community counts working days by its calendar: a local holiday on Tuesday
    // carries a Monday phone complaint's reply to Wednesday. (The clock: Monday 2026-03-02 09:00 Beijing.)
    expect(
      await handle(
        command(
          'ChangeCommunityProfile',
          {
            communityId: 'jade-gardn',
            ...profile,
            calendar: { ...profile.calendar, holidays: ['2026-03-03'] },
          },
          manager,
        ),
      ),
    ).toMatchObject({ _tag: 'Right' })
    const filed = await handle(
      command('FileComplaint', {
        complaintId: 'k-cal',
        ownerId: 'o1',
        unitId: 'u9',
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
        description: 'stuck',
      }),
    )
    expect(E.isRight(filed) && filed.right.events[0]?.data).toMatchObject({
      communityId: 'jade-gardn',
      replyDueBy: '2026-03-04T01:00:00.000Z',
    })
    // A time zone the runtime does not know is refused at the door.
    expect(
      await handle(
        command('RegisterCommunity', { communityId: 'x', ...profile, timeZone: 'Mars/Olympus' }, manager),
      ),
    ).toMatchObject({ left: { _tag: 'DecodeError' } })
    await store.close()
  })

  it('handles the same command id once, answering the same events', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    const register = command('RegisterUnit', {
      unitId: 'u1',
      communityId: 'default',
      building: '3',
      number: '1',
      floorAreaCm2: 1,
    })
    const first = await handle(register)
    const again = await handle(register)
    expect(again).toMatchObject({ _tag: 'Right', right: { duplicate: true } })
    expect(E.isRight(first) && E.isRight(again) && again.right.events).toEqual(
      E.isRight(first) && first.right.events,
    )
    const both = await Promise.all([
      handle(command('AssignUnitOwner', { unitId: 'u1', ownerId: 'o' }, undefined, 1, 'same')),
      handle(command('AssignUnitOwner', { unitId: 'u1', ownerId: 'o' }, undefined, 1, 'same')),
    ])
    expect(both.every(E.isRight)).toBe(true)
    expect((await store.readStream('unit-u1')).events).toHaveLength(2)
    await store.close()
  })

  it('applies or refuses every one of many concurrent commands on one stream: none lost, none twice', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store, { retry: { maxAttempts: 100, initialDelayMs: 1, maxDelayMs: 5 } })
    await setUpUnit(handle)
    const payments = Array.from({ length: 40 }, (_, i) => ({
      paymentId: `p-${i % 30}`, // 10 payment ids are used twice: exactly one of each pair is refused
      amountFen: 100 + i,
      commandId: `pay-${i}`,
    }))
    const deliveries = [...payments, ...payments.slice(0, 5)] // five commands delivered twice
    const results = await Promise.all(
      deliveries.map((p) =>
        handle(
          command(
            'RecordPayment',
            { unitId: 'u1', paymentId: p.paymentId, amountFen: p.amountFen },
            { id: 'owner-1', role: 'owner' },
            5,
            p.commandId,
          ),
        ),
      ),
    )
    const stored = (await store.readStream('feeAccount-u1')).events.map((e) => serde().decode(e))
    const applied = results.filter((r) => E.isRight(r) && !r.right.duplicate)
    const refused = results.filter((r) => E.isLeft(r))
    expect(refused.every((r) => E.isLeft(r) && r.left._tag === 'RuleViolated')).toBe(true)
    expect(applied).toHaveLength(30)
    expect(
      refused.length + applied.length + results.filter((r) => E.isRight(r) && r.right.duplicate).length,
    ).toBe(deliveries.length)
    expect(stored).toHaveLength(30)
    expect(new Set(stored.map((r) => r.metadata.commandId)).size).toBe(30)
    expect(stored.map((r) => r.revision)).toEqual(stored.map((_, i) => i))
    const paidFen = stored.reduce(
      (sum, r) => sum + (r.event.type === 'PaymentRecorded' ? r.event.data.amountFen : 0),
      0,
    )
    expect(balanceOf(await feeState(store))).toBe(-paidFen)
    await store.close()
  })

  it('gives up with a typed conflict after the attempt limit', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store, { retry: { maxAttempts: 1 } })
    await setUpUnit(handle)
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        handle(command('RecordPayment', { unitId: 'u1', paymentId: `p${i}`, amountFen: 100 })),
      ),
    )
    const conflicts = results.filter((r) => E.isLeft(r) && r.left._tag === 'ConcurrencyConflict')
    const applied = results.filter(E.isRight)
    expect(conflicts.length).toBeGreaterThan(0)
    expect(conflicts[0]).toMatchObject({ left: { streamName: 'feeAccount-u1', attempts: 1 } })
    expect(applied.length + conflicts.length).toBe(6)
    expect((await store.readStream('feeAccount-u1')).events).toHaveLength(applied.length)
    await store.close()
  })

  it('replays for audits: state as of a revision or a moment, and who did what when', async () => {
    const store = makeStore()
    const { handle } = handlerFor(store)
    const k = 'k1'
    await handle(
      command('RegisterUnit', {
        unitId: 'u1',
        communityId: 'default',
        building: '3',
        number: '1',
        floorAreaCm2: 1,
      }),
    )
    await handle(
      command(
        'FileComplaint',
        {
          complaintId: k,
          ownerId: 'owner-1',
          unitId: 'u1',
          category: 'fees',
          subject: 'water-charge',
          channel: 'letter',
          description: 'too high',
        },
        undefined,
        0,
      ),
    )
    await handle(
      command(
        'AcknowledgeComplaint',
        { complaintId: k, gesture: 'sympathy', note: 'checking the meter' },
        { id: 'staff-2', role: 'staff' },
        60,
      ),
    )
    await handle(
      command('RejectComplaint', { complaintId: k, reason: 'meter read correctly' }, undefined, 24 * 60),
    )
    const audit = auditor({ store })
    expect((await audit.stateAsOf('complaint-k1', { toTime: at(90) })).state).toMatchObject({
      status: 'acknowledged',
    })
    expect((await audit.stateAsOf('complaint-k1', { toRevision: 0 })).state).toMatchObject({
      status: 'filed',
    })
    expect((await audit.stateAsOf('complaint-k1')).state).toMatchObject({
      status: 'rejected',
      repliedAt: at(24 * 60),
    })
    expect((await audit.timeline('complaint-k1')).map((t) => [t.at, t.actor.id, t.type])).toEqual([
      [at(0), 'staff-1', 'ComplaintFiled'],
      [at(60), 'staff-2', 'ComplaintAcknowledged'],
      [at(24 * 60), 'staff-1', 'ComplaintRejected'],
    ])
    await expect(audit.stateAsOf('nonsense')).rejects.toThrow(/no aggregate/)
    await store.close()
  })
})

describe('options out of range', () => {
  it('are refused when the handler or the store is made, naming the option', () => {
    const store = inMemoryEventStore()
    // Number(process.env.UNSET) is NaN: an unbounded cache, or retries without end, before.
    expect(() => commandHandler({ store, stateCacheSize: Number.NaN })).toThrow(
      new RangeError('command handler: stateCacheSize must be a whole number of at least 0, got NaN'),
    )
    expect(() => commandHandler({ store, retry: { maxAttempts: 0 } })).toThrow(
      new RangeError('command handler: retry.maxAttempts must be a whole number of at least 1, got 0'),
    )
    expect(() => commandHandler({ store, retry: { maxDelayMs: -5 } })).toThrow(
      'command handler: retry.maxDelayMs must be a number of milliseconds of at least 0, got -5',
    )
    // A poll every 0 ms spun the process while a subscription waited.
    expect(() => sqliteEventStore({ path: ':memory:', pollIntervalMs: 0 })).toThrow(
      new RangeError(
        'sqliteEventStore: pollIntervalMs must be a number of milliseconds of at least 1, got 0',
      ),
    )
    expect(() => sqliteEventStore({ path: ':memory:', commitWindowMs: Number.NaN })).toThrow(
      'sqliteEventStore: commitWindowMs must be a number of milliseconds of at least 0, got NaN',
    )
    expect(() => commandHandler({ store, stateCacheSize: 0, retry: { maxAttempts: 1 } })).not.toThrow()
  })
})
