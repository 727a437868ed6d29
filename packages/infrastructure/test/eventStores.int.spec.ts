import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type EventStore,
  eventStoreDbEventStore,
  inMemoryEventStore,
  kurrentDbEventStore,
  sqliteEventStore,
} from '@property-services/infrastructure'
import { firstValueFrom } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { eventStoreContract } from './eventStoreContract.js'

eventStoreContract('in-memory', async () => ({ store: inMemoryEventStore() }))

// With group commit (the default), without it, and on a private in-memory database: each holds to the contract.
eventStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-contract-'))
  return {
    store: sqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

eventStoreContract('SQLite, commit per append', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-contract-'))
  return {
    store: sqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20, groupCommit: false }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

eventStoreContract('SQLite in memory', async () => ({
  store: sqliteEventStore({ path: ':memory:', pollIntervalMs: 20 }),
}))

const eventStoreUrl = process.env.EVENTSTORE_URL
if (eventStoreUrl === undefined) {
  console.info('EventStoreDB contract tests skipped: EVENTSTORE_URL not set (see docs/eventstoredb.md)')
}
eventStoreContract(
  'EventStoreDB',
  async () => ({ store: eventStoreDbEventStore({ connectionString: eventStoreUrl ?? '' }) }),
  eventStoreUrl !== undefined,
)

// The KurrentDB client (the successor of @eventstore/db-client) against KurrentDB 25+ (or EventStoreDB).
const kurrentDbUrl = process.env.KURRENTDB_URL
if (kurrentDbUrl === undefined) {
  console.info('KurrentDB contract tests skipped: KURRENTDB_URL not set (see docs/eventstoredb.md)')
}
eventStoreContract(
  'KurrentDB',
  async () => ({ store: kurrentDbEventStore({ connectionString: kurrentDbUrl ?? '' }) }),
  kurrentDbUrl !== undefined,
)

describe.each([
  ['EventStoreDB', () => eventStoreDbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' })],
  ['KurrentDB', () => kurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false' })],
] as Array<[string, () => EventStore]>)('%s adapter without a server', (_name, make) => {
  it('reports an unreachable server as an error instead of hanging or answering', async () => {
    // Port 1 on loopback: nothing listens there.
    const store = make()
    await expect(store.readStream('complaint-k1')).rejects.toThrow(
      /UNAVAILABLE|ECONNREFUSED|UnavailableError/,
    )
    await expect(
      store.appendToStream('complaint-k1', [
        { eventId: randomUUID(), type: 'T', data: {}, metadata: { occurredAt: '2026-01-01T00:00:00Z' } },
      ]),
    ).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED|UnavailableError/)
    await store.close()
  })
})

describe('the gRPC adapters', () => {
  it('load their client package on first use, so that an application on SQLite never loads one', () => {
    const here = dirname(fileURLToPath(import.meta.url))
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=@property-services/source',
        '--import',
        'tsx',
        join(here, 'fixtures/grpcClientsLoaded.ts'),
      ],
      { cwd: join(here, '..'), encoding: 'utf8', timeout: 60_000 },
    )
    expect(child.stderr).toBe('')
    const report = JSON.parse(child.stdout) as Record<string, { eventstore: number; kurrent: number }>
    expect(report.imported).toEqual({ eventstore: 0, kurrent: 0 })
    expect(report.made).toEqual({ eventstore: 0, kurrent: 0 })
    expect(report.used?.eventstore).toBeGreaterThan(0)
    expect(report.used?.kurrent).toBeGreaterThan(0)
  })

  it.each([
    ['EventStoreDB', () => eventStoreDbEventStore({ connectionString: 'http://nowhere' })],
    ['KurrentDB', () => kurrentDbEventStore({ connectionString: 'not a connection string' })],
  ] as Array<[string, () => EventStore]>)(
    "%s: a connection string the client refuses fails every call with the client's parse error, and closing still works",
    async (_name, make) => {
      const store = make()
      await expect(store.readStream('s')).rejects.toThrow(/expected/)
      await expect(store.readAll()).rejects.toThrow(/expected/)
      await expect(
        store.appendToStream('s', [
          { eventId: randomUUID(), type: 'T', data: {}, metadata: { occurredAt: '2026-01-01T00:00:00Z' } },
        ]),
      ).rejects.toThrow(/expected/)
      // A subscription ends with the error instead of waiting for events that never come.
      await expect(firstValueFrom(store.subscribeToAll())).rejects.toThrow(/expected/)
      await expect(store.close()).resolves.toBeUndefined()
    },
  )
})
