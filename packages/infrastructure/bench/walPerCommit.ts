// What one commit writes to SQLite's write-ahead log and how long it takes, for one append and for a
// group of 64 (docs/benchmarks.md, "What bounds group commit"): the store's own schema, and the same
// without the event-id index, after 16,000 stored events of 2,000 streams, `synchronous` full and normal.
//   node --import tsx bench/walPerCommit.ts
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteEventStore } from '@property-services/infrastructure'
import Database from 'better-sqlite3'

const streams = 2000
const storedBefore = 16_000
const dir = mkdtempSync(join(tmpdir(), 'ps-wal-'))
const data = JSON.stringify({
  complaintId: 'k675',
  proposal: 'engineer today',
  partial: false,
  at: '2025-01-05T08:15:00.000Z',
})
const metadata = (eventId: string) =>
  JSON.stringify({
    eventId,
    commandId: `c-${eventId}`,
    correlationId: `c-${eventId}`,
    actor: { id: 'staff-1', role: 'staff' },
    occurredAt: '2025-01-05T06:15:00.000Z',
    recordedAt: '2025-01-05T06:15:00.000Z',
    community: 'community-0',
    schemaVersion: 1,
  })

// The store makes the schema; the variant is the same table without UNIQUE on event_id.
const template = join(dir, 'template.db')
await sqliteEventStore({ path: template }).close()
const schema = new Database(template)
  .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'events'")
  .get()!.sql
const withoutEventIdIndex = schema.replace(
  /event_id(\s+)TEXT(\s+)NOT NULL UNIQUE/,
  'event_id$1TEXT$2NOT NULL',
)
if (withoutEventIdIndex === schema) throw new Error('the event_id column is not as expected')

const measure = (name: string, table: string, rowsPerCommit: number, synchronous: 'FULL' | 'NORMAL') => {
  const path = join(dir, `${name}-${rowsPerCommit}-${synchronous}.db`)
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous}`)
  db.pragma('wal_autocheckpoint = 0') // the log then holds every commit's pages, to be counted
  db.exec(table)
  const insert = db.prepare(
    'INSERT INTO events (stream_name, stream_revision, event_id, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const revisions = new Array<number>(streams).fill(0)
  const append = db.transaction((rows: number) => {
    for (let i = 0; i < rows; i++) {
      // Concurrent clients work on different streams: each row a stream of its own in the group.
      const stream = Math.floor(Math.random() * streams)
      const eventId = randomUUID()
      insert.run(
        `complaint-k${stream}`,
        revisions[stream]!++,
        eventId,
        'ResolutionProposed',
        data,
        metadata(eventId),
        '2025-01-05T06:15:00.000Z',
      )
    }
  })
  for (let i = 0; i < storedBefore; i += 1000) append(1000)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const commits = rowsPerCommit === 1 ? 1000 : 250
  const start = performance.now()
  for (let c = 0; c < commits; c++) append(rowsPerCommit)
  const msPerCommit = (performance.now() - start) / commits
  const walKiB = statSync(`${path}-wal`).size / 1024 / commits
  db.close()
  return `| ${name} | ${rowsPerCommit} | ${synchronous.toLowerCase()} | ${msPerCommit.toFixed(2)} ms | ${walKiB.toFixed(0)} KiB (${(walKiB / 4).toFixed(0)} pages) | ${((rowsPerCommit * 1000) / msPerCommit).toFixed(0)} |`
}

try {
  console.log(
    '| schema | appends per commit | synchronous | per commit | log written per commit | appends/s |',
  )
  console.log('| --- | ---: | --- | ---: | ---: | ---: |')
  for (const synchronous of ['FULL', 'NORMAL'] as const)
    for (const rows of [1, 64])
      for (const [name, table] of [
        ['the store', schema],
        ['without the event-id index', withoutEventIdIndex],
      ] as const)
        console.log(measure(name, table, rows, synchronous))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
