import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Actor } from '@property-services/domain'
import {
  auditor,
  commandHandler,
  type EventStore,
  eraseStoredPersonalData,
  eventStoreDbEventStore,
  inMemoryEventStore,
  RedactionUnsupportedError,
  serde,
  sqliteEventStore,
} from '@property-services/infrastructure'
import { afterAll, describe, expect, it } from 'vitest'
import { bytesOnDisk } from './support/files.js'

const dir = mkdtempSync(join(tmpdir(), 'ps-erase-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const secretName = 'Zhang Wei ERASE-ME'
const secretPhone = '13912345678'

const history = async (store: EventStore) => {
  let now = ''
  const { handle } = commandHandler({ store, clock: () => new Date(now) })
  const staff = { id: 'staff-1', role: 'staff' } as const
  const send = (type: string, data: object, n: number, actor: Actor = staff) => {
    now = `2026-05-0${n}T01:00:00.000Z`
    return handle({ type, commandId: `e${n}`, data: { ownerId: 'o1', ...data } }, { actor })
  }
  await send(
    'RegisterOwner',
    { communityId: 'default', contact: { name: secretName, phone: '13800000000' } },
    1,
  )
  await send(
    'ChangeOwnerContact',
    { contact: { name: secretName, phone: secretPhone, email: 'zw@example.com' } },
    2,
  )
  await send('GradeOwner', { grade: 'key' }, 3)
  return send('EraseOwnerPersonalData', {}, 4, { id: 'o1', role: 'owner' })
}

const stores: Array<[string, () => { store: EventStore; files: string[] }]> = [
  ['in-memory', () => ({ store: inMemoryEventStore(), files: [] })],
  [
    'SQLite',
    () => {
      const path = join(dir, 'events.db')
      return { store: sqliteEventStore({ path }), files: [path] }
    },
  ],
]

describe.each(stores)('erasing personal data on %s', (_name, make) => {
  it('leaves no contact details in stored events, and replays and audits still work', async () => {
    const { store, files } = make()
    expect(await history(store)).toMatchObject({ _tag: 'Right' })
    const stored = (await store.readStream('owner-o1')).events
    const storedJson = JSON.stringify(stored.map((e) => [e.data, e.metadata]))
    expect(storedJson).not.toContain('ERASE-ME')
    expect(storedJson).not.toContain(secretPhone)
    expect(stored.map((e) => e.type)).toEqual([
      'OwnerRegistered',
      'OwnerContactChanged',
      'OwnerGraded',
      'OwnerPersonalDataErased',
    ])
    expect(stored.map((e) => (e.data as { contact?: unknown }).contact)).toEqual([
      { erased: true },
      { erased: true },
      undefined,
      undefined,
    ])
    expect(stored.every((e) => serde().decode(e))).toBe(true)
    const { state } = await auditor({ store }).stateAsOf('owner-o1')
    expect(state).toMatchObject({ status: 'erased', grade: 'key', contact: { erased: true } })
    expect((await auditor({ store }).timeline('owner-o1')).map((t) => t.type)).toHaveLength(4)
    expect(await eraseStoredPersonalData(store, 'o1')).toBe(0)
    for (const path of files) {
      expect(bytesOnDisk(path).includes(Buffer.from('ERASE-ME'))).toBe(false)
      expect(bytesOnDisk(path).includes(Buffer.from(secretPhone))).toBe(false)
    }
    await store.close()
  })
})

describe('erasing personal data on EventStoreDB', () => {
  it('is refused plainly: its events are immutable', async () => {
    const store = eventStoreDbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' })
    await expect(eraseStoredPersonalData(store, 'o1')).rejects.toBeInstanceOf(RedactionUnsupportedError)
    await store.close()
  })
})
