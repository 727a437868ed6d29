/**
 * Tamper evidence on SQLite: each kind of change to stored history is found, with its stream, revision
 * and position; an erasure (deleting a key) is not a change; anchors kept elsewhere catch what a chain
 * cannot see, such as the last event of a stream deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Actor } from '@property-services/domain'
import {
  commandHandler,
  sqliteEventStore,
  sqliteKeyStore,
  takeAnchors,
  verifyHistory,
} from '@property-services/infrastructure'
import Database from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'ps-tamper-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const staff: Actor = { id: 'staff-1', role: 'staff' }

/** A store with two owners' histories (five events each, chained), and its raw database. */
const stored = async () => {
  const path = join(dir, `events-${Math.random()}.db`)
  const store = sqliteEventStore({ path })
  const keys = sqliteKeyStore({ path })
  let minute = 0
  const { handle } = commandHandler({
    store,
    keys,
    clock: () => new Date(Date.parse('2026-05-01T01:00:00Z') + minute * 60_000),
  })
  const send = async (type: string, data: object, actor: Actor = staff) => {
    minute += 1
    const result = await handle({ type, commandId: `c${minute}`, data }, { actor })
    if (E.isLeft(result)) throw new Error(result.left.message)
  }
  for (const ownerId of ['o1', 'o2']) {
    await send('RegisterOwner', {
      ownerId,
      communityId: 'default',
      contact: { name: `Owner ${ownerId}`, phone: '13800000000' },
    })
    await send('GradeOwner', { ownerId, grade: 'key' })
    await send('RecordOwnerVisit', { ownerId, needs: ['parking'] })
    await send('GradeOwner', { ownerId, grade: 'potential' })
    await send('RecordOwnerVisit', { ownerId, needs: ['noise at night'] })
  }
  return { store, keys, send, db: new Database(path), path }
}

const first = async (
  store: Parameters<typeof verifyHistory>[0],
  anchors?: Parameters<typeof verifyHistory>[1],
) => (await verifyHistory(store, anchors)).problems[0]

describe('audit verify', () => {
  it('passes untouched history, and history after an erasure', async () => {
    const { store, send } = await stored()
    expect(await verifyHistory(store)).toMatchObject({ events: 10, streams: 2, unchained: 0, problems: [] })
    await send('EraseOwnerPersonalData', { ownerId: 'o1' }, { id: 'manager-1', role: 'manager' })
    expect(await verifyHistory(store)).toMatchObject({ events: 11, problems: [] })
    await store.close()
  })

  it('passes history after an erasure without a key store, which rewrites plain personal data in place', async () => {
    const path = join(dir, `plain-${Math.random()}.db`)
    const store = sqliteEventStore({ path })
    let minute = 0
    const { handle } = commandHandler({
      store,
      clock: () => new Date(Date.parse('2026-05-01T01:00:00Z') + ++minute * 60_000),
    })
    await handle(
      {
        type: 'RegisterOwner',
        commandId: 'p1',
        data: { ownerId: 'o1', communityId: 'default', contact: { name: 'Plain Name', phone: '1' } },
      },
      { actor: staff },
    )
    await handle(
      { type: 'GradeOwner', commandId: 'p2', data: { ownerId: 'o1', grade: 'key' } },
      { actor: staff },
    )
    await handle(
      { type: 'EraseOwnerPersonalData', commandId: 'p3', data: { ownerId: 'o1' } },
      { actor: { id: 'o1', role: 'owner' } },
    )
    expect(JSON.stringify((await store.readStream('owner-o1')).events[0]?.data)).toContain('"erased":true')
    expect(await verifyHistory(store)).toMatchObject({ events: 3, problems: [] })
    // What is not personal data stays covered.
    const db = new Database(path)
    db.prepare(
      `UPDATE events SET data = json_set(data, '$.grade', 'potential') WHERE stream_revision = 0`,
    ).run()
    expect(await first(store)).toMatchObject({ kind: 'altered', streamName: 'owner-o1', revision: 0 })
    await store.close()
  })

  it('finds an altered event', async () => {
    const { store, db } = await stored()
    db.prepare(
      `UPDATE events SET data = json_set(data, '$.to', 'general') WHERE stream_name = 'owner-o2' AND stream_revision = 3`,
    ).run()
    expect(await first(store)).toMatchObject({ kind: 'altered', streamName: 'owner-o2', revision: 3 })
    await store.close()
  })

  it('finds altered metadata: who acted, or when', async () => {
    const { store, db } = await stored()
    db.prepare(
      `UPDATE events SET metadata = json_set(metadata, '$.actor.role', 'manager') WHERE stream_name = 'owner-o1' AND stream_revision = 1`,
    ).run()
    expect(await first(store)).toMatchObject({ kind: 'altered', streamName: 'owner-o1', revision: 1 })
    await store.close()
  })

  it('finds a deleted event', async () => {
    const { store, db } = await stored()
    db.prepare(`DELETE FROM events WHERE stream_name = 'owner-o1' AND stream_revision = 2`).run()
    expect(await first(store)).toMatchObject({ kind: 'missing', streamName: 'owner-o1', revision: 3 })
    await store.close()
  })

  it('finds an inserted event, even one whose hash was computed to fit', async () => {
    const { store, db } = await stored()
    const [row] = db
      .prepare(`SELECT * FROM events WHERE stream_name = 'owner-o1' AND stream_revision = 1`)
      .all() as Array<Record<string, unknown>>
    // Make room at revision 2, then insert a copy there: it lands at the end of the global order.
    db.prepare(
      `UPDATE events SET stream_revision = -stream_revision WHERE stream_name = 'owner-o1' AND stream_revision >= 2`,
    ).run()
    db.prepare(
      `UPDATE events SET stream_revision = -stream_revision + 1 WHERE stream_name = 'owner-o1' AND stream_revision < 0`,
    ).run()
    db.prepare(
      `INSERT INTO events (stream_name, stream_revision, event_id, type, data, metadata, occurred_at) VALUES (?, 2, 'forged', ?, ?, ?, ?)`,
    ).run(row?.stream_name, row?.type, row?.data, row?.metadata, row?.occurred_at)
    expect(await first(store)).toMatchObject({ kind: 'missing', streamName: 'owner-o1', revision: 3 })
    await store.close()
  })

  it('finds reordered events', async () => {
    const { store, db } = await stored()
    db.prepare(
      `UPDATE events SET stream_revision = 99 WHERE stream_name = 'owner-o2' AND stream_revision = 1`,
    ).run()
    db.prepare(
      `UPDATE events SET stream_revision = 1 WHERE stream_name = 'owner-o2' AND stream_revision = 2`,
    ).run()
    db.prepare(
      `UPDATE events SET stream_revision = 2 WHERE stream_name = 'owner-o2' AND stream_revision = 99`,
    ).run()
    expect(await first(store)).toMatchObject({ streamName: 'owner-o2', revision: 2, kind: 'missing' })
    // Swapping what two events say, keeping their places, breaks the chain instead.
    const { store: other, db: otherDb } = await stored()
    const rows = otherDb
      .prepare(
        `SELECT position, type, data, metadata FROM events WHERE stream_name = 'owner-o1' AND stream_revision IN (1, 3) ORDER BY stream_revision`,
      )
      .all() as Array<Record<string, unknown>>
    const swap = otherDb.prepare('UPDATE events SET type = ?, data = ?, metadata = ? WHERE position = ?')
    swap.run(rows[1]?.type, rows[1]?.data, rows[1]?.metadata, rows[0]?.position)
    swap.run(rows[0]?.type, rows[0]?.data, rows[0]?.metadata, rows[1]?.position)
    expect(await first(other)).toMatchObject({ kind: 'altered', streamName: 'owner-o1', revision: 1 })
    await store.close()
    await other.close()
  })

  it('finds a removed hash', async () => {
    const { store, db } = await stored()
    db.prepare(
      `UPDATE events SET metadata = json_remove(metadata, '$.hash') WHERE stream_name = 'owner-o1' AND stream_revision = 4`,
    ).run()
    expect(await first(store)).toMatchObject({ kind: 'unchained', streamName: 'owner-o1', revision: 4 })
    await store.close()
  })

  it('finds, with anchors kept elsewhere, what no chain shows: the last event of a stream deleted', async () => {
    const { store, db, send } = await stored()
    const anchors = await takeAnchors(store, { every: 4 })
    expect(anchors.anchors.map((a) => a.events)).toEqual([4, 8, 10])
    // History may grow after the anchors were taken: they cover what came before.
    await send('GradeOwner', { ownerId: 'o2', grade: 'general' })
    expect(await verifyHistory(store, { anchors })).toMatchObject({ problems: [] })
    // owner-o1's last event: nothing follows it in its stream, so its chain looks whole.
    db.prepare(`DELETE FROM events WHERE stream_name = 'owner-o1' AND stream_revision = 4`).run()
    expect(await verifyHistory(store)).toMatchObject({ problems: [] })
    expect(await first(store, { anchors })).toMatchObject({ kind: 'anchor-mismatch' })
    await store.close()
  })
})
