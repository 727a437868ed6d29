import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CorruptStoredEventError,
  type StoredEvent,
  serde,
  sqliteEventStore,
} from '@property-services/infrastructure'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ps-sqlite-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const event = (n: number) => ({
  eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'Tested',
  data: { n },
  metadata: { occurredAt: '2026-03-02T01:00:00.000Z' },
})

/**
 * Starts the appending child, waits until it has appended, lets it run a while, kills it; resolves the
 * batches it acknowledged.
 */
const appendThenKill = (path: string, seed: number, runMs: number) =>
  new Promise<Set<string>>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@property-services/source',
        '--import',
        'tsx',
        join(here, 'fixtures/appendForever.ts'),
        path,
        String(seed),
      ],
      { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), runMs))
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL'
        ? resolve(new Set([...stdout.matchAll(/^ack (\S+)$/gm)].map((m) => m[1]!)))
        : reject(new Error(`child ended by itself: ${stderr}`)),
    )
  })

describe('SQLite event store', () => {
  it('survives SIGKILL mid-append from concurrent writers: the file opens, reads cleanly, batches whole, revisions without gaps, every acknowledged append kept', async () => {
    const path = join(dir, 'events.db')
    for (let round = 1; round <= 6; round++) {
      const acknowledged = await appendThenKill(path, round, 30 + ((round * 97) % 250))
      expect(acknowledged.size).toBeGreaterThan(0)
      const db = new Database(path)
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      db.close()
      const store = sqliteEventStore({ path })
      const all: StoredEvent[] = []
      for (let after = undefined as StoredEvent['position'] | undefined; ; ) {
        const page = await store.readAll(after === undefined ? { maxCount: 500 } : { after, maxCount: 500 })
        all.push(...page.events)
        after = page.lastPosition
        if (page.isEnd) break
      }
      await store.close()
      expect(all.length).toBeGreaterThan(0)
      const byStream = new Map<string, number[]>()
      const byBatch = new Map<string, { size: number; count: number }>()
      for (const e of all) {
        byStream.set(e.streamName, [...(byStream.get(e.streamName) ?? []), e.revision])
        const { batchId, size } = e.data as { batchId: string; size: number }
        const batch = byBatch.get(batchId) ?? { size, count: 0 }
        byBatch.set(batchId, { size, count: batch.count + 1 })
      }
      for (const revisions of byStream.values()) expect(revisions).toEqual(revisions.map((_, i) => i))
      for (const batch of byBatch.values()) expect(batch.count).toBe(batch.size)
      expect([...acknowledged].filter((batchId) => !byBatch.has(batchId))).toEqual([])
    }
  }, 120_000)

  it('commits concurrent appends together, each whole or refused on its own', async () => {
    const path = join(dir, 'events.db')
    const store = sqliteEventStore({ path })
    await store.appendToStream('s-0', [event(1)])
    // Fifty appends at once: one with a wrong expected revision, one reusing an event id of another.
    const appends = Array.from({ length: 50 }, (_, i) =>
      store.appendToStream(`s-${i + 1}`, [event(100 + 2 * i), event(101 + 2 * i)], {
        expectedRevision: i === 7 ? 0 : 'no_stream',
      }),
    )
    const reused = store.appendToStream('s-x', [event(100)], { expectedRevision: 'no_stream' })
    const outcomes = await Promise.allSettled([...appends, reused])
    const refused = outcomes.flatMap((o, i) =>
      o.status === 'rejected' ? [[i, (o.reason as Error).name]] : [],
    )
    expect(refused).toEqual([
      [7, 'WrongExpectedRevisionError'],
      [50, 'DuplicateEventIdError'],
    ])
    const all = (await store.readAll({ maxCount: 1000 })).events
    expect(all).toHaveLength(1 + 49 * 2)
    // Positions follow the order of acknowledgement, without gaps from the refused ones.
    const positions = outcomes.flatMap((o) =>
      o.status === 'fulfilled' ? [Number(o.value.position.commit)] : [],
    )
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(all.map((e) => e.streamName)).not.toContain('s-8')
    await store.close()
  })

  it('refuses a one-event append of a group on its own, without a savepoint, keeping the rest', async () => {
    const store = sqliteEventStore({ path: join(dir, 'events.db') })
    await store.appendToStream('s-0', [event(1)])
    // One group: single-event appends, one at a wrong revision, one reusing an id of the same group,
    // one reusing an id of a several-event append of the same group, an empty append, and a several-event
    // append whose second event reuses an id.
    const outcomes = await Promise.allSettled([
      store.appendToStream('a', [event(10)], { expectedRevision: 'no_stream' }),
      store.appendToStream('s-0', [event(11)], { expectedRevision: 5 }),
      store.appendToStream('b', [event(10)]),
      store.appendToStream('c', [event(12), event(13)]),
      store.appendToStream('d', [event(13)]),
      store.appendToStream('e', []),
      store.appendToStream('f', [event(20), event(10)]),
      store.appendToStream('s-0', [event(14)], { expectedRevision: 0 }),
    ])
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).name : 'ok'))).toEqual([
      'ok',
      'WrongExpectedRevisionError',
      'DuplicateEventIdError',
      'ok',
      'DuplicateEventIdError',
      'ok',
      'DuplicateEventIdError',
      'ok',
    ])
    // The several-event append refused at its second event keeps nothing of its first.
    const all = (await store.readAll()).events
    expect(all.map((e) => [e.streamName, e.revision, e.data])).toEqual([
      ['s-0', 0, { n: 1 }],
      ['a', 0, { n: 10 }],
      ['c', 0, { n: 12 }],
      ['c', 1, { n: 13 }],
      ['s-0', 1, { n: 14 }],
    ])
    // Positions leave no gap where an append was refused.
    expect(all.map((e) => Number(e.position.commit))).toEqual([1, 2, 3, 4, 5])
    await store.close()
  })

  it('answers appends still waiting for their group when closed', async () => {
    const store = sqliteEventStore({ path: join(dir, 'events.db'), commitWindowMs: 10_000 })
    const pending = store.appendToStream('s-1', [event(1)])
    await store.close()
    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0 })
  })

  it('does not hold the process open once its appends are answered, closed or not', () => {
    const started = Date.now()
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=@property-services/source',
        '--import',
        'tsx',
        join(here, 'fixtures/appendAndLeaveOpen.ts'),
        join(dir, 'events.db'),
      ],
      { cwd: join(here, '..'), encoding: 'utf8', timeout: 30_000 },
    )
    expect(child.stderr).toBe('')
    expect(child.stdout.trim()).toBe('appended 0')
    expect(child.status).toBe(0)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('keeps what was appended across reopening the file', async () => {
    const path = join(dir, 'events.db')
    const first = sqliteEventStore({ path })
    await first.appendToStream('s-1', [event(1), event(2)])
    await first.close()
    const second = sqliteEventStore({ path })
    expect((await second.readStream('s-1')).events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }])
    await second.close()
  })

  it('checks expected revisions across two connections to one file', async () => {
    const path = join(dir, 'events.db')
    const a = sqliteEventStore({ path })
    const b = sqliteEventStore({ path })
    await a.appendToStream('s-1', [event(1)], { expectedRevision: 'no_stream' })
    await expect(
      b.appendToStream('s-1', [event(2)], { expectedRevision: 'no_stream' }),
    ).rejects.toMatchObject({
      code: 'WrongExpectedRevision',
      actual: 0,
    })
    await b.appendToStream('s-1', [event(2)], { expectedRevision: 0 })
    expect((await a.readStream('s-1')).events.map((e) => e.revision)).toEqual([0, 1])
    await a.close()
    await b.close()
  })

  it('sees what another connection appended to a stream it already knows, for reads past its end and for appends', async () => {
    for (const groupCommit of [true, false]) {
      const path = join(dir, `known-${groupCommit}.db`)
      const a = sqliteEventStore({ path, groupCommit })
      const b = sqliteEventStore({ path, groupCommit })
      // a learns the stream's end by appending to it and by reading past it.
      await a.appendToStream('s-1', [event(1)], { expectedRevision: 'no_stream' })
      expect(await a.readStream('s-1', { fromRevision: 1 })).toEqual({ exists: true, events: [] })
      expect(await a.readStream('s-2', { fromRevision: 0 })).toEqual({ exists: false, events: [] })
      await b.appendToStream('s-1', [event(2)], { expectedRevision: 0 })
      await b.appendToStream('s-2', [event(3)], { expectedRevision: 'no_stream' })
      expect((await a.readStream('s-1', { fromRevision: 1 })).events.map((e) => e.revision)).toEqual([1])
      expect(await a.readStream('s-2', { fromRevision: 0 })).toMatchObject({ exists: true })
      await expect(a.appendToStream('s-1', [event(4)], { expectedRevision: 0 })).rejects.toMatchObject({
        code: 'WrongExpectedRevision',
        actual: 1,
      })
      await expect(
        a.appendToStream('s-2', [event(5)], { expectedRevision: 'no_stream' }),
      ).rejects.toMatchObject({ code: 'WrongExpectedRevision', actual: 0 })
      expect((await a.appendToStream('s-1', [event(6)], { expectedRevision: 1 })).nextExpectedRevision).toBe(
        2,
      )
      await a.close()
      await b.close()
    }
  })

  it('forgets an append that was refused, alone or in a group', async () => {
    const path = join(dir, 'events.db')
    const store = sqliteEventStore({ path })
    await store.appendToStream('s-1', [event(1)])
    // The second event reuses an id: the whole two-event append is refused, in its savepoint, and an
    // append in the same group that expects the stream as it was goes in.
    const reused = { ...event(3), eventId: event(1).eventId }
    const [refused, accepted] = await Promise.allSettled([
      store.appendToStream('s-1', [event(2), reused]),
      store.appendToStream('s-1', [event(4)], { expectedRevision: 0 }),
    ])
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'DuplicateEventId' } })
    expect(accepted).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } })
    expect((await store.readStream('s-1', { fromRevision: 1 })).events.map((e) => e.eventId)).toEqual([
      event(4).eventId,
    ])
    await expect(store.appendToStream('s-1', [event(5)], { expectedRevision: 0 })).rejects.toMatchObject({
      code: 'WrongExpectedRevision',
      actual: 1,
    })
    expect(
      (await store.appendToStream('s-1', [event(6)], { expectedRevision: 1 })).nextExpectedRevision,
    ).toBe(2)
    await store.close()
  })

  it('names the stream, revision and field of a row that is not JSON, and changes nothing', async () => {
    const path = join(dir, 'events.db')
    const store = sqliteEventStore({ path })
    await store.appendToStream('complaint-k1', [event(1), event(2), event(3)])
    const db = new Database(path)
    db.prepare('UPDATE events SET data = \'{"n": 2,\' WHERE stream_revision = 1').run()
    const before = db.prepare('SELECT * FROM events ORDER BY position').all()
    // Reading goes on, so that projections can quarantine and audits count it; decoding names it.
    const { events } = await store.readStream('complaint-k1')
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2])
    const error = (() => {
      try {
        serde().decode(events[1] as StoredEvent)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(CorruptStoredEventError)
    expect(error).toMatchObject({
      streamName: 'complaint-k1',
      revision: 1,
      eventType: 'Tested',
      field: 'data',
    })
    expect((await store.readAll()).events).toHaveLength(3)
    expect(db.prepare('SELECT * FROM events ORDER BY position').all()).toEqual(before)
    db.close()
    await store.close()
  })

  it('leaves out what a filtered read does not want before parsing its data, and names a corrupt row it wants', async () => {
    const path = join(dir, 'events.db')
    const store = sqliteEventStore({ path })
    await store.appendToStream('complaint-k1', [event(1), event(2), event(3), event(4)])
    const db = new Database(path)
    // Revision 1 is left out by type, revision 2 by metadata: their data is never parsed.
    db.prepare("UPDATE events SET type = 'Other', data = '{' WHERE stream_revision = 1").run()
    db.prepare("UPDATE events SET data = '[' WHERE stream_revision IN (2, 3)").run()
    db.prepare("UPDATE events SET metadata = json_set(metadata, '$.skip', 1) WHERE stream_revision = 2").run()
    const page = await store.readAll({
      maxCount: 10,
      only: { types: new Set(['Tested']), metadata: (m) => (m as { skip?: number }).skip !== 1 },
    })
    expect(page.events.map((e) => e.revision)).toEqual([0, 3])
    expect(page.scanned).toBe(4)
    expect(page.isEnd).toBe(true)
    const all = (await store.readAll()).events
    expect(page.lastPosition).toEqual(all[3]!.position)
    expect(() => serde().decode(page.events[1] as StoredEvent)).toThrow(CorruptStoredEventError)
    db.close()
    await store.close()
  })
})
