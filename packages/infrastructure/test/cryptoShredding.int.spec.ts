/**
 * Crypto-shredding: personal data is stored encrypted under its owner's key; erasing deletes the key,
 * on every store, without changing a stored byte; a crash between the erased event and the key's
 * deletion is completed by a retry, a repeat, or a reconcile run.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Actor } from '@property-services/domain'
import {
  auditor,
  commandHandler,
  type EventStore,
  eventStoreDbEventStore,
  inMemoryEventStore,
  inMemoryKeyStore,
  type KeyStore,
  reconcileErasures,
  serde,
  sqliteEventStore,
  sqliteKeyStore,
} from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { bytesOnDisk } from './support/files.js'

const here = dirname(fileURLToPath(import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'ps-shred-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const secretName = 'Zhang Wei ERASE-ME'
const secretPhone = '13912345678'
const staff: Actor = { id: 'staff-1', role: 'staff' }
const manager: Actor = { id: 'manager-1', role: 'manager' }
const owner = (id: string): Actor => ({ id, role: 'owner' })

/** An owner's life in the store: registered, contact changed, visited, a complaint filed. */
const history = async (store: EventStore, keys: KeyStore, ownerId = 'o1') => {
  let minute = 0
  const { handle } = commandHandler({
    store,
    keys,
    clock: () => new Date(Date.parse('2026-05-01T01:00:00.000Z') + minute * 60_000),
  })
  const send = async (type: string, data: object, actor: Actor = staff) => {
    minute += 10
    const result = await handle({ type, commandId: `${ownerId}-${minute}`, data }, { actor })
    if (E.isLeft(result)) throw new Error(`${type}: ${result.left.message}`)
  }
  const unitId = `u-${ownerId}`
  await send('RegisterOwner', {
    ownerId,
    communityId: 'default',
    contact: { name: secretName, phone: '13800000000' },
  })
  await send(
    'ChangeOwnerContact',
    { ownerId, contact: { name: secretName, phone: secretPhone } },
    owner(ownerId),
  )
  await send('RecordOwnerVisit', { ownerId, needs: [`call back on ${secretPhone}`] })
  await send('RegisterUnit', {
    unitId,
    communityId: 'default',
    building: '3',
    number: '1202',
    floorAreaCm2: 893_700,
  })
  await send('AssignUnitOwner', { unitId, ownerId })
  await send(
    'FileComplaint',
    {
      complaintId: `k-${ownerId}`,
      ownerId,
      unitId,
      category: 'facilities',
      subject: 'lift-stoppage',
      channel: 'phone',
      description: `${secretName} was stuck in the lift`,
    },
    owner(ownerId),
  )
  return { handle, send }
}

const storedText = async (store: EventStore) =>
  JSON.stringify((await store.readAll({ maxCount: 10_000 })).events.map((e) => [e.type, e.data, e.metadata]))

const stores: Array<[string, () => { store: EventStore; keys: KeyStore; files: string[] }]> = [
  ['in-memory', () => ({ store: inMemoryEventStore(), keys: inMemoryKeyStore(), files: [] })],
  [
    'SQLite (keys in the same file)',
    () => {
      const path = join(dir, `events-${Math.random()}.db`)
      return {
        store: sqliteEventStore({ path }),
        keys: sqliteKeyStore({ path }),
        files: [path],
      }
    },
  ],
]

describe.each(stores)('crypto-shredding on %s', (_name, make) => {
  it('stores personal data only encrypted, and shows it to an auditor who has the key', async () => {
    const { store, keys, files } = make()
    await history(store, keys)
    const text = await storedText(store)
    for (const secret of ['ERASE-ME', secretPhone]) expect(text).not.toContain(secret)
    for (const path of files) expect(bytesOnDisk(path).includes(Buffer.from('ERASE-ME'))).toBe(false)
    const audit = auditor({ store, keys })
    expect((await audit.stateAsOf('owner-o1')).state).toMatchObject({
      contact: { name: secretName, phone: secretPhone },
    })
    const [filed] = await audit.timeline('complaint-k-o1')
    expect(filed?.event.data).toMatchObject({ description: `${secretName} was stuck in the lift` })
    // Without the key, the same history reads as erased: it still decodes and replays.
    expect((await auditor({ store }).stateAsOf('owner-o1')).state).toMatchObject({
      contact: { erased: true },
    })
    await store.close()
    await keys.close()
  })

  it('erases by deleting the key: every personal field reads as erased, nothing stored changes', async () => {
    const { store, keys } = make()
    const { send } = await history(store, keys)
    const before = await storedText(store)
    await send('EraseOwnerPersonalData', { ownerId: 'o1' }, owner('o1'))
    expect(keys.keyOf('o1')).toBeUndefined()
    const after = (await store.readAll()).events
    expect((await storedText(store)).startsWith(before.slice(0, -1))).toBe(true)
    const audit = auditor({ store, keys })
    expect((await audit.stateAsOf('owner-o1')).state).toMatchObject({
      status: 'erased',
      contact: { erased: true },
    })
    const timeline = await audit.timeline('owner-o1')
    expect(
      timeline.map(
        (t) =>
          (t.event.data as { contact?: unknown; needs?: unknown }).contact ??
          (t.event.data as { needs?: unknown }).needs,
      ),
    ).toEqual([{ erased: true }, { erased: true }, { erased: true }, undefined])
    expect((await audit.timeline('complaint-k-o1'))[0]?.event.data).toMatchObject({
      description: { erased: true },
    })
    expect(after.every((e) => serde({ keys }).decode(e))).toBe(true)
    await store.close()
    await keys.close()
  })
})

describe('personal data given after an erasure', () => {
  it('is sealed under a new key, while what the old key sealed stays erased', async () => {
    const store = inMemoryEventStore()
    const keys = inMemoryKeyStore()
    const { send } = await history(store, keys)
    await send('EraseOwnerPersonalData', { ownerId: 'o1' }, manager)
    await send('RegisterUnit', {
      unitId: 'u-new',
      communityId: 'default',
      building: '9',
      number: '1',
      floorAreaCm2: 1,
    })
    await send('AssignUnitOwner', { unitId: 'u-new', ownerId: 'o1' })
    await send(
      'FileComplaint',
      {
        complaintId: 'k-new',
        ownerId: 'o1',
        unitId: 'u-new',
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
        description: 'a new complaint',
      },
      owner('o1'),
    )
    expect(keys.keyOf('o1')).toBeDefined()
    const audit = auditor({ store, keys })
    expect((await audit.timeline('complaint-k-new'))[0]?.event.data).toMatchObject({
      description: 'a new complaint',
    })
    expect((await audit.timeline('complaint-k-o1'))[0]?.event.data).toMatchObject({
      description: { erased: true },
    })
    // Reconciling keeps the new key: it was made after the erasure.
    expect(await reconcileErasures({ store, keys, serde: serde({ keys }) })).toEqual([])
  })
})

describe('an erasure interrupted by a crash', () => {
  const crashed = async (ownerId: string, commandId: string) => {
    const path = join(dir, `crash-${ownerId}.db`)
    const keys = sqliteKeyStore({ path })
    await history(sqliteEventStore({ path }), keys, ownerId)
    const child = spawn(
      process.execPath,
      [
        '--conditions=@property-services/source',
        '--import',
        'tsx',
        join(here, 'fixtures/eraseThenDie.ts'),
        path,
        ownerId,
        commandId,
      ],
      { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, s) => resolve(s)),
    )
    expect(signal).toBe('SIGKILL')
    const store = sqliteEventStore({ path })
    const erasedEvents = (await store.readStream(`owner-${ownerId}`)).events.filter(
      (e) => e.type === 'OwnerPersonalDataErased',
    )
    expect(erasedEvents).toHaveLength(1)
    // The crash left the key: the data is still readable.
    expect(keys.keyOf(ownerId)).toBeDefined()
    return { store, keys, handle: commandHandler({ store, keys }).handle }
  }

  it('is completed by a retry of the same command', async () => {
    const { store, keys, handle } = await crashed('o2', 'erase-o2')
    const retry = await handle(
      { type: 'EraseOwnerPersonalData', commandId: 'erase-o2', data: { ownerId: 'o2' } },
      { actor: manager },
    )
    expect(retry).toMatchObject({ _tag: 'Right', right: { duplicate: true } })
    expect(keys.keyOf('o2')).toBeUndefined()
    await store.close()
  }, 60_000)

  it('is completed by a repeat of the erasure, refused as already done', async () => {
    const { store, keys, handle } = await crashed('o3', 'erase-o3')
    const repeat = await handle(
      { type: 'EraseOwnerPersonalData', commandId: 'erase-o3-again', data: { ownerId: 'o3' } },
      { actor: manager },
    )
    expect(repeat).toMatchObject({ _tag: 'Left', left: { _tag: 'WrongState' } })
    expect(keys.keyOf('o3')).toBeUndefined()
    await store.close()
  }, 60_000)

  it('is completed by reconciling, which keeps keys made after an erasure', async () => {
    const { store, keys } = await crashed('o4', 'erase-o4')
    await keys.keyFor('o-never-erased')
    expect(await reconcileErasures({ store, keys, serde: serde({ keys }) })).toEqual(['o4'])
    expect(keys.keyOf('o4')).toBeUndefined()
    expect(keys.keyOf('o-never-erased')).toBeDefined()
    expect(await reconcileErasures({ store, keys, serde: serde({ keys }) })).toEqual([])
    await store.close()
  }, 60_000)
})

describe.skipIf(process.env.EVENTSTORE_URL === undefined)('crypto-shredding on EventStoreDB', () => {
  it('erases by deleting the key, though its events are immutable', async () => {
    const store = eventStoreDbEventStore({ connectionString: process.env.EVENTSTORE_URL as string })
    const keys = inMemoryKeyStore()
    const ownerId = `o-${Math.random().toString(36).slice(2, 8)}`
    const { send } = await history(store, keys, ownerId)
    await send('EraseOwnerPersonalData', { ownerId }, manager)
    expect((await auditor({ store, keys }).stateAsOf(`owner-${ownerId}`)).state).toMatchObject({
      contact: { erased: true },
    })
    await store.close()
  })
})
