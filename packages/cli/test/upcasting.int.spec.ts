/**
 * A database written before communities (packages/infrastructure/test/fixtures/v0.x, see its README)
 * still works: every event reads back in the current schema, in the default community; its hash chains
 * and the company-wide report are what they were; and new commands on it follow the new rules.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_COMMUNITY, type Event } from '@property-services/domain'
import {
  commandHandler,
  currentVersion,
  serde,
  sqliteEventStore,
  sqliteKeyStore,
  upcasters,
  verifyHistory,
} from '@property-services/infrastructure'
import { inMemoryReadModelStore } from '@property-services/projections'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { project } from '../src/commands/shared.js'
import { reportData } from '../src/report.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../infrastructure/test/fixtures/v0.x')
const dir = mkdtempSync(join(tmpdir(), 'upcasting-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A copy of the fixture: the fixture itself is never written. */
const copyOfFixture = () => {
  const path = join(dir, `demo-${Math.random()}.db`)
  copyFileSync(join(fixtures, 'demo.db'), path)
  return path
}

const silent = { write: () => true } as unknown as NodeJS.WriteStream

describe('a database written before communities', () => {
  it('reads back whole: every event in the current schema, what started in a community in the default one', async () => {
    const path = copyOfFixture()
    const store = sqliteEventStore({ path })
    const keys = sqliteKeyStore({ path })
    const codec = serde({ keys })
    const read = await store.readAll({ maxCount: 10_000 })
    expect(read.events).toHaveLength(514)
    const decoded = read.events.map((stored) => ({ stored, event: codec.decode(stored).event as Event }))
    const upcastTypes = Object.keys(upcasters)
    const started = decoded.filter(({ event }) => upcastTypes.includes(event.type))
    // The fixture holds every type an upcaster was written for, each stored at the version before it.
    expect(new Set(started.map(({ event }) => event.type))).toEqual(new Set(upcastTypes))
    for (const { stored, event } of started) {
      expect((stored.metadata as { schemaVersion: number }).schemaVersion).toBeLessThan(
        currentVersion(upcasters, event.type),
      )
      expect((event.data as { communityId?: string }).communityId).toBe(DEFAULT_COMMUNITY)
    }
    expect(await verifyHistory(store)).toMatchObject({ events: 514, problems: [] })
    await store.close()
    await keys.close()
  })

  it('gives the company-wide report it gave before', async () => {
    const store = sqliteEventStore({ path: copyOfFixture() })
    const readModels = inMemoryReadModelStore()
    await project(store, readModels, silent)
    // Documents' storage fields (`_id`, `_batch`) are how they were kept, not what the report says.
    const before = JSON.parse(readFileSync(join(fixtures, 'report-2025-06-20.json'), 'utf8'), (key, value) =>
      key.startsWith('_') ? undefined : value,
    )
    expect(await reportData(readModels, '2025-06-20T00:00:00.000Z')).toMatchObject(before)
    await store.close()
  })

  it('takes new commands by the new rules: staff of the default community act on old complaints, others do not', async () => {
    const path = copyOfFixture()
    const store = sqliteEventStore({ path })
    const keys = sqliteKeyStore({ path })
    const { handle } = commandHandler({ store, keys, clock: () => new Date('2025-06-19T02:00:00.000Z') })
    const [filed] = (await store.readAll({ maxCount: 10_000 })).events.filter(
      (e) => e.type === 'ComplaintFiled',
    )
    const { complaintId, unitId } = filed!.data as { complaintId: string; unitId: string }
    const outsider = {
      actor: { id: 'clerk-9', role: 'staff' as const, communities: { elsewhere: 'manager' as const } },
    }
    const local = {
      actor: {
        id: 'clerk-1',
        role: 'staff' as const,
        communities: { [DEFAULT_COMMUNITY]: 'staff' as const },
      },
    }
    const complaint = {
      type: 'FileComplaint',
      data: {
        complaintId: 'k-new',
        ownerId: 'owner-x',
        unitId,
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'letter',
        description: 'the lift again',
      },
    }
    const refused = await handle({ ...complaint, commandId: 'n1' }, outsider)
    expect(E.isLeft(refused) && refused.left._tag).toBe('NotAllowed')
    const accepted = await handle({ ...complaint, commandId: 'n2' }, local)
    expect(E.isRight(accepted) && accepted.right.events[0]?.data).toMatchObject({
      communityId: DEFAULT_COMMUNITY,
    })
    // On a complaint stored before: refused to the outsider, decided for staff of the default community.
    const reopen = { type: 'ReopenComplaint', data: { complaintId, reason: 'still broken' } }
    const old = await handle({ ...reopen, commandId: 'n3' }, outsider)
    expect(E.isLeft(old) && old.left._tag).toBe('NotAllowed')
    const local2 = await handle({ ...reopen, commandId: 'n4' }, local)
    expect(E.isLeft(local2) && local2.left._tag).not.toBe('NotAllowed')
    await store.close()
    await keys.close()
  })
})
