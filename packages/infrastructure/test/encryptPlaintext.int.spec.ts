/**
 * The migration of a SQLite store written before personal data was encrypted: afterwards no plain text
 * is left in the file, an auditor with the key reads it all, erasing by key deletion reaches it, and
 * owners erased before the migration stay erased.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Actor } from '@property-services/domain'
import {
  auditor,
  commandHandler,
  type EventStore,
  encryptPlaintextPersonalData,
  sqliteEventStore,
  sqliteKeyStore,
  verifyHistory,
} from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { bytesOnDisk } from './support/files.js'

const dir = mkdtempSync(join(tmpdir(), 'ps-migrate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const staff: Actor = { id: 'staff-1', role: 'staff' }

/** Appends as a version from before hashes and encryption did: plain data, metadata without a hash. */
const legacyHistory = async (store: EventStore) => {
  let minute = 0
  const { handle } = commandHandler({
    store,
    clock: () => new Date(Date.parse('2025-05-01T01:00:00Z') + minute * 60_000),
  })
  const send = async (type: string, data: object, actor: Actor = staff) => {
    minute++
    const result = await handle({ type, commandId: `legacy-${minute}`, data }, { actor })
    if (E.isLeft(result)) throw new Error(result.left.message)
  }
  for (const ownerId of ['o1', 'o2']) {
    await send('RegisterOwner', {
      ownerId,
      communityId: 'default',
      contact: { name: `Secret Name ${ownerId}`, phone: '13912345678' },
    })
    await send('RecordOwnerVisit', { ownerId, needs: [`Secret need of ${ownerId}`] })
    await send('RegisterUnit', {
      unitId: `u-${ownerId}`,
      communityId: 'default',
      building: '1',
      number: '1',
      floorAreaCm2: 1,
    })
    await send('AssignUnitOwner', { unitId: `u-${ownerId}`, ownerId })
    await send(
      'FileComplaint',
      {
        complaintId: `k-${ownerId}`,
        ownerId,
        unitId: `u-${ownerId}`,
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
        description: `Secret complaint of ${ownerId}`,
      },
      { id: ownerId, role: 'owner' },
    )
  }
  // o2 was erased the old way: the contact rewritten, the complaint text left in plain text.
  await send('EraseOwnerPersonalData', { ownerId: 'o2' }, { id: 'manager-1', role: 'manager' })
}

describe('encrypting the plain text of an older SQLite store', () => {
  it('leaves no plain text, keeps it readable with the key, and erasable', async () => {
    const path = join(dir, 'legacy.db')
    const store = sqliteEventStore({ path })
    await legacyHistory(store)
    // Written before hash chains: strip the hashes this version added.
    const raw = (await import('better-sqlite3')).default(path)
    raw.prepare(`UPDATE events SET metadata = json_remove(metadata, '$.hash')`).run()
    raw.close()
    expect(bytesOnDisk(path).includes(Buffer.from('Secret complaint of o2'))).toBe(true)

    const keys = sqliteKeyStore({ path })
    expect(await encryptPlaintextPersonalData({ store, keys })).toEqual({ encrypted: 5, skippedChained: 0 })
    expect(await encryptPlaintextPersonalData({ store, keys })).toEqual({ encrypted: 0, skippedChained: 0 })
    expect(bytesOnDisk(path).includes(Buffer.from('Secret'))).toBe(false)
    const audit = auditor({ store, keys })
    expect((await audit.stateAsOf('owner-o1')).state).toMatchObject({ contact: { name: 'Secret Name o1' } })
    expect((await audit.timeline('complaint-k-o1'))[0]?.event.data).toMatchObject({
      description: 'Secret complaint of o1',
    })
    // Erased before the migration: its leftover plain text is sealed and its key already gone.
    expect(keys.keyOf('o2')).toBeUndefined()
    expect((await audit.timeline('complaint-k-o2'))[0]?.event.data).toMatchObject({
      description: { erased: true },
    })
    // Erasing now reaches what was migrated.
    const { handle } = commandHandler({ store, keys })
    await handle(
      { type: 'EraseOwnerPersonalData', commandId: 'erase-o1', data: { ownerId: 'o1' } },
      { actor: { id: 'o1', role: 'owner' } },
    )
    expect(
      (await audit.timeline('owner-o1'))
        .map((t) => (t.event.data as { needs?: unknown }).needs)
        .filter(Boolean),
    ).toEqual([{ erased: true }])
    expect(await verifyHistory(store)).toMatchObject({ problems: [], unchained: 11 })
    await store.close()
    await keys.close()
  })
})
