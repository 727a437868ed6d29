import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  eventStoreDbEventStore,
  inMemoryEventStore,
  sqliteEventStore,
} from '@property-services/infrastructure'
import { describe, expect, it } from 'vitest'
import { eventStoreContract } from './eventStoreContract.js'

eventStoreContract('in-memory', async () => ({ store: inMemoryEventStore() }))

eventStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-contract-'))
  return {
    store: sqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

const eventStoreUrl = process.env.EVENTSTORE_URL
if (eventStoreUrl === undefined) {
  console.info('EventStoreDB contract tests skipped: EVENTSTORE_URL not set (see docs/eventstoredb.md)')
}
eventStoreContract(
  'EventStoreDB',
  async () => ({ store: eventStoreDbEventStore({ connectionString: eventStoreUrl ?? '' }) }),
  eventStoreUrl !== undefined,
)

describe('EventStoreDB adapter without a server', () => {
  it('reports an unreachable server as an error instead of hanging or answering', async () => {
    // Port 1 on loopback: nothing listens there.
    const store = eventStoreDbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' })
    await expect(store.readStream('complaint-k1')).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/)
    await expect(
      store.appendToStream('complaint-k1', [
        { eventId: randomUUID(), type: 'T', data: {}, metadata: { occurredAt: '2026-01-01T00:00:00Z' } },
      ]),
    ).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/)
    await store.close()
  })
})
