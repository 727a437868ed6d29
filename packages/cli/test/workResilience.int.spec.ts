/**
 * A projection worker following the log (`property-services work`, a process of its own) across a
 * restart of its MongoDB server: it starts again and goes on from its checkpoints. The server is a
 * FerretDB of the test's own (the binary `.ci/run` builds), so that the test can kill and restart it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '@property-services/cli'
import { type EventStore, type Position, sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  complaintAnalyticsQueries,
  mongoReadModelStore,
  readModelPositions,
  repeatComplaintQueries,
} from '@property-services/projections'
import { afterAll, describe, expect, it } from 'vitest'
import { cliFromSource, cliPackage } from './cliProcess.js'

const ferretdb = join(import.meta.dirname, '../../../tools/bin/ferretdb')
const dir = mkdtempSync(join(tmpdir(), 'ps-work-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const until = async (what: string, done: () => Promise<boolean> | boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const startServer = async (port: number, data: string) => {
  const server = spawn(ferretdb, ['-listen', `127.0.0.1:${port}`, '-dir', data], { stdio: 'ignore' })
  children.push(server)
  await until('FerretDB to listen', async () => {
    try {
      const client = await (await import('mongodb')).MongoClient.connect(`mongodb://127.0.0.1:${port}/`, {
        serverSelectionTimeoutMS: 500,
      })
      await client.close()
      return true
    } catch {
      return false
    }
  })
  return server
}

const endOf = async (events: EventStore): Promise<Position> => {
  let end: Position | undefined
  for (let page = await events.readAll(); ; page = await events.readAll({ after: page.lastPosition! })) {
    end = page.lastPosition ?? end
    if (page.isEnd) return end as Position
  }
}

const noted = (id: string) => ({
  eventId: id,
  type: 'Noted',
  data: {},
  metadata: {
    eventId: id,
    commandId: id,
    correlationId: id,
    actor: { id: 's', role: 'staff' },
    occurredAt: '2025-07-01T01:00:00.000Z',
  },
})

describe.skipIf(process.env.MONGODB_URL === undefined || !existsSync(ferretdb))(
  'work, following the log',
  () => {
    it('starts again when its MongoDB server restarts, and goes on from its checkpoints', async () => {
      const db = join(dir, 'log.db')
      const io = { out: () => undefined, err: { write: () => true, isTTY: false } as never }
      expect(await run(['demo', '--seed', '3', '--months', '2', '--db', db], io)).toBe(0)
      const port = await freePort()
      const data = join(dir, 'ferretdb')
      let server = await startServer(port, data)
      const url = `mongodb://127.0.0.1:${port}/`
      let output = ''
      const worker = spawn(
        process.execPath,
        cliFromSource('work', '--db', db, '--mongo', url, '--database', 'kept', '--partitions', '1'),
        { cwd: cliPackage },
      )
      children.push(worker)
      worker.stdout.on('data', (chunk) => (output += String(chunk)))
      worker.stderr.on('data', (chunk) => (output += String(chunk)))
      const log = sqliteEventStore({ path: db })
      /** Every read model's checkpoint at `end`, read through a client of its own (the server may restart). */
      const holds = (end: Position) => async () => {
        try {
          const readModels = await mongoReadModelStore({
            url,
            database: 'kept',
            serverSelectionTimeoutMS: 500,
          })
          try {
            const positions = await readModelPositions(readModels, allProjections())
            return positions.every((p) => p.position?.commit === end.commit)
          } finally {
            await readModels.close()
          }
        } catch {
          return false
        }
      }
      try {
        await until('the worker to catch up', holds(await endOf(log)))
        server.kill('SIGKILL')
        await new Promise((resolve) => server.once('exit', resolve))
        // The log goes on while the server is down; the worker finds the server gone and waits.
        await log.appendToStream('note-1', [noted('note-1'), noted('note-2')])
        await until('the worker to lose its server', () => output.includes('lost a server'))
        server = await startServer(port, data)
        await until('the worker to take in what was appended meanwhile', holds(await endOf(log)))
        worker.kill('SIGTERM')
        const code = await new Promise((resolve) => worker.once('exit', resolve))
        expect(code).toBe(0)
        expect(output).toMatch(/worker 0 of 1: lost a server \(.*ECONNREFUSED.*\): starting again in \d+ s/)
        expect(output).toContain('worker 0 of 1 stopped')
        // What it kept equals a rebuild of the same log.
        expect(await run(['rebuild', '--db', db, '--mongo', url, '--database', 'rebuilt'], io)).toBe(0)
        const kept = await mongoReadModelStore({ url, database: 'kept' })
        const rebuilt = await mongoReadModelStore({ url, database: 'rebuilt' })
        try {
          for (const store of [kept, rebuilt])
            expect((await complaintAnalyticsQueries(store).by('category')).length).toBeGreaterThan(0)
          expect(await complaintAnalyticsQueries(kept).by('category')).toEqual(
            await complaintAnalyticsQueries(rebuilt).by('category'),
          )
          expect(await repeatComplaintQueries(kept).rates()).toEqual(
            await repeatComplaintQueries(rebuilt).rates(),
          )
        } finally {
          await Promise.all([kept.close(), rebuilt.close()])
        }
      } finally {
        worker.kill('SIGKILL')
        server.kill('SIGKILL')
        await log.close()
      }
    }, 180_000)

    it('stops as asked while it waits for a lost server', async () => {
      const db = join(dir, 'stopped.db')
      const io = { out: () => undefined, err: { write: () => true, isTTY: false } as never }
      expect(await run(['demo', '--seed', '4', '--months', '1', '--db', db], io)).toBe(0)
      const port = await freePort()
      const server = await startServer(port, join(dir, 'ferretdb-stopped'))
      let output = ''
      const worker = spawn(
        process.execPath,
        cliFromSource('work', '--db', db, '--mongo', `mongodb://127.0.0.1:${port}/`, '--partitions', '1'),
        { cwd: cliPackage },
      )
      children.push(worker)
      worker.stdout.on('data', (chunk) => (output += String(chunk)))
      worker.stderr.on('data', (chunk) => (output += String(chunk)))
      try {
        await until('the worker to start', () => output.includes('worker 0 of 1: partitions 0 of 1'))
        server.kill('SIGKILL')
        // New events wake it, and it finds the server gone.
        const log = sqliteEventStore({ path: db })
        await log.appendToStream('note-1', [noted('note-1')])
        await log.close()
        await until('the worker to lose its server', () => output.includes('lost a server'))
        worker.kill('SIGTERM')
        expect(await new Promise((resolve) => worker.once('exit', resolve))).toBe(0)
        expect(output).toContain('worker 0 of 1 stopped')
      } finally {
        worker.kill('SIGKILL')
        server.kill('SIGKILL')
      }
    }, 120_000)
  },
)
