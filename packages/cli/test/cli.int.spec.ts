import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, simulate } from '@property-services/cli'
import { auditComplaints, inMemoryEventStore, sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  checkpointOf,
  complaintAnalyticsQueries,
  currentGeneration,
  mongoReadModelStore,
  type ReadModelStore,
} from '@property-services/projections'
import Database from 'better-sqlite3'
import { MongoClient } from 'mongodb'
import { afterAll, describe, expect, it } from 'vitest'
import { givenHeapGrowth, heapGrowingPercent } from '../src/heapGrowth.js'
import { cliFromSource, cliPackage } from './cliProcess.js'

if (process.env.MONGODB_URL === undefined && process.env.CI)
  throw new Error('MONGODB_URL must be set in CI: .ci/run starts FerretDB')

// Reports follow the locale; these tests read the English ones whatever the machine's LANG.
process.env.LC_ALL = 'en_US.UTF-8'

const dir = mkdtempSync(join(tmpdir(), 'ps-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = async (...argv: string[]) => {
  const out: string[] = []
  const errors: string[] = []
  const err = {
    write: (text: string) => errors.push(text) !== 0,
    isTTY: false,
  } as unknown as NodeJS.WriteStream
  const code = await run(argv, { out: (text) => out.push(text), err })
  return { code, out: out.join('\n'), err: errors.join('') }
}

describe('property-services CLI', () => {
  it('demo: the same seed produces the same report', async () => {
    const first = await cli('demo', '--seed', '11', '--months', '6', '--db', join(dir, 'a.db'))
    const second = await cli('demo', '--seed', '11', '--months', '6', '--db', join(dir, 'b.db'))
    expect(first.code).toBe(0)
    expect(first.out).toContain('== Complaints by category and month (the whole company) ==')
    // Three communities by default, side by side, then each on its own, each shaped by its profile.
    const overview = first.out.slice(first.out.indexOf('== The company: its communities side by side'))
    expect(
      overview
        .split('\n')
        .slice(3, 6)
        .map((row) => row.split(/ +/)[0]),
    ).toEqual(['jade-garden', 'old-town', 'skyline-tower'])
    const filedIn = (community: string) => {
      const section = first.out.slice(first.out.indexOf(`== Community ${community}: complaints by category`))
      const rows = section.split('\n\n')[0]!.split('\n').slice(3)
      return Object.fromEntries(
        rows.map((row) => [row.split(/ +/)[0], Number(row.split(/ +/)[1])]),
      ) as Record<string, number>
    }
    const oldTown = filedIn('old-town')
    expect(Math.max(...Object.values(oldTown))).toBe(oldTown.fees)
    expect(filedIn('skyline-tower').fees).toBeUndefined()
    expect(first.out).toContain('== Repeat complaints')
    expect(first.out).toContain('== Satisfaction per half-year')
    // Visits at each owner's cadence, as of the story's last day: only owners whose visit slipped.
    expect(first.out).toMatch(/== Home visits as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00/)
    expect(first.out).toMatch(/\nkey +\d+ +\d+\n/)
    // The service board: the free service shows the cost the company bears.
    expect(first.out).toMatch(/Corridor cleaning +free +free +¥12\.00/)
    // Late replies in Beijing time, with the offset; no UTC instant is printed.
    const late = first.out.slice(first.out.indexOf('== Verbal complaints answered after'))
    expect(late).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00/)
    expect(late).not.toMatch(/T\d{2}:\d{2}:\d{2}\.\d{3}Z/)
    const withoutPath = (text: string) =>
      text.replaceAll(join(dir, 'a.db'), 'DB').replaceAll(join(dir, 'b.db'), 'DB')
    expect(withoutPath(second.out)).toBe(withoutPath(first.out))
    const other = await cli('demo', '--seed', '12', '--months', '6', '--db', join(dir, 'c.db'))
    expect(withoutPath(other.out.replaceAll(join(dir, 'c.db'), 'DB'))).not.toBe(withoutPath(first.out))
  }, 120_000)

  it('audit: finds exactly the deviations the simulation planted', async () => {
    const store = inMemoryEventStore()
    const result = await simulate(store, { seed: 5, months: 12 })
    expect(result.refused).toBe(0)
    expect(result.planted.length).toBeGreaterThan(3)
    expect(new Set(result.planted.map((p) => p.step))).toEqual(
      new Set([
        'acknowledged',
        'replied in time',
        'dispatched in time',
        'resolved by the department deadline',
        'outcome told',
      ]),
    )
    // The deadline watch ran during the story: every late emergency and department was escalated.
    expect(result.escalations).toBe(
      result.planted.filter(
        (p) => p.step === 'dispatched in time' || p.step === 'resolved by the department deadline',
      ).length,
    )
    expect(result.warnings).toBeGreaterThan(0)
    const found = await auditComplaints(store, result.endsAt)
    const key = (d: { complaintId: string; step: string }) => `${d.complaintId}:${d.step}`
    expect(found.map(key).sort()).toEqual(result.planted.map(key).sort())
  }, 120_000)

  it('audit stream: prints the timeline and the state as of a moment', async () => {
    const db = join(dir, 'a.db')
    const full = await cli('audit', 'stream', 'complaint-c1', '--db', db)
    expect(full.code).toBe(0)
    expect(full.out).toMatch(/ComplaintFiled/)
    const firstLine = full.out.split('\n')[0]!
    const filedAt = firstLine.split('  ')[0]!
    const early = await cli('audit', 'stream', 'complaint-c1', '--as-of', filedAt, '--db', db)
    expect(early.out.split('\n').filter((l) => /^\d{4}-/.test(l))).toHaveLength(1)
    expect(early.out).toContain('"status": "filed"')
    const complaints = await cli('audit', 'complaints', '--db', db, '--as-of', '2030-01-01T00:00:00Z')
    expect(complaints.code).toBe(0)
    expect(complaints.out).toMatch(/\d+ deviations$/)
  })

  it('report: in Chinese with --lang zh-CN, aligned by display width; a wrong --lang is refused', async () => {
    const db = join(dir, 'lang.db')
    expect((await cli('demo', '--months', '2', '--db', db)).code).toBe(0)
    const zh = await cli('report', '--db', db, '--lang', 'zh-CN', '--as-of', '2025-03-01T00:00:00+08:00')
    expect(zh.code).toBe(0)
    expect(zh.out).toContain('== 二次投诉 ==')
    expect(zh.out).toContain('== 服务公示')
    expect(zh.out).toMatch(/上门拜访：截至 2025-03-01 00:00:00 \+08:00/)
    // Columns line up on a terminal: every row of the board table is as wide as its rule line.
    const lines = zh.out.split('\n')
    const rule = lines.findIndex((l, i) => /^-+( +-+)+$/.test(l) && lines[i - 1]?.startsWith('服务'))
    expect(rule).toBeGreaterThan(0)
    const width = (text: string) =>
      [...text].reduce((w, c) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 2 : 1), 0)
    expect(width(lines[rule - 1]!)).toBe(width(lines[rule]!))
    expect(width(lines[rule + 1]!)).toBe(width(lines[rule]!))
    const wrong = await cli('report', '--db', db, '--lang', 'fr')
    expect(wrong.code).not.toBe(0)
    expect(wrong.err).toMatch(/--lang must be one of en, zh-CN; got "fr"/)
  }, 120_000)

  it('demo: refuses a file it did not create, and replaces only its own', async () => {
    const precious = join(dir, 'precious.db')
    writeFileSync(precious, 'not a demo database')
    const refused = await cli('demo', '--months', '1', '--db', precious)
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/precious\.db exists and was not created by "property-services demo"/)
    expect(readFileSync(precious, 'utf8')).toBe('not a demo database')
    const own = join(dir, 'own.db')
    expect((await cli('demo', '--months', '1', '--db', own)).code).toBe(0)
    expect((await cli('demo', '--months', '1', '--db', own)).code).toBe(0)
  }, 120_000)

  it('report, audit and quarantine: count and list stored events that cannot be read, instead of dying', async () => {
    const db = join(dir, 'poisoned.db')
    expect((await cli('demo', '--months', '2', '--db', db)).code).toBe(0)
    const store = sqliteEventStore({ path: db })
    // Written past the codecs, as a store from before this version may hold.
    await store.appendToStream('complaint-bad', [
      {
        eventId: 'bad-1',
        type: 'ComplaintFiled',
        data: { complaintId: 'bad', category: 'plumbing' },
        metadata: {
          eventId: 'bad-1',
          commandId: 'bad-1',
          correlationId: 'bad-1',
          actor: { id: 's', role: 'staff' },
          occurredAt: '2025-02-01T01:00:00.000Z',
          schemaVersion: 1,
        },
      },
    ])
    await store.close()
    const report = await cli('report', '--db', db)
    expect(report.code).toBe(0)
    expect(report.out).toContain('== Complaints by category and month (the whole company) ==')
    expect(report.out).toContain('1 stored events could not be read or projected and were set aside')
    const quarantine = await cli('quarantine', '--db', db)
    expect(quarantine.code).toBe(0)
    expect(quarantine.out).toMatch(
      /complaintAnalytics {2}\d+\/\d+ {2}complaint-bad@0 {2}ComplaintFiled {2}.*data\.category/,
    )
    expect(quarantine.out).toMatch(/1 stored events set aside$/)
    const audit = await cli('audit', 'complaints', '--db', db, '--as-of', '2030-01-01T00:00:00+08:00')
    expect(audit.code).toBe(0)
    expect(audit.out).toMatch(/1 stored events could not be read and were left out of the audit$/)
    const stream = await cli('audit', 'stream', 'complaint-bad', '--db', db)
    expect(stream).toMatchObject({
      code: 1,
      err: expect.stringContaining('1 stored events could not be read'),
    })
    const strict = await cli('rebuild', '--db', db)
    expect(strict.code).toBe(1)
    expect(strict.err).toMatch(/stopped at complaint-bad revision 0 .*--on-poison quarantine/s)
    const lenient = await cli('rebuild', '--db', db, '--on-poison', 'quarantine')
    expect(lenient).toMatchObject({ code: 0, out: expect.stringContaining('1 stored events set aside') })
  }, 120_000)

  it('audit verify: passes the demo history, finds a change to it, and checks exported anchors', async () => {
    const db = join(dir, 'verified.db')
    expect((await cli('demo', '--months', '2', '--db', db)).code).toBe(0)
    const clean = await cli('audit', 'verify', '--db', db)
    expect(clean).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^verified \d+ events in \d+ streams: no event altered/),
    })
    const anchorsFile = join(dir, 'anchors.json')
    expect(await cli('audit', 'anchors', '--db', db, '--out', anchorsFile, '--every', '100')).toMatchObject({
      code: 0,
    })
    expect((await cli('audit', 'verify', '--db', db, '--anchors', anchorsFile)).code).toBe(0)
    // Personal data was stored encrypted: the demo's owner names are not in the file.
    expect(readFileSync(db).includes(Buffer.from('Owner jade-garden-b1-01'))).toBe(false)
    expect(readFileSync(db).includes(Buffer.from('jade-garden-b1-01'))).toBe(true)
    const raw = new Database(db)
    raw
      .prepare(
        `UPDATE events SET data = json_set(data, '$.rating', 1) WHERE type = 'ComplaintClosed' AND position = (SELECT MIN(position) FROM events WHERE type = 'ComplaintClosed')`,
      )
      .run()
    raw.close()
    const tampered = await cli('audit', 'verify', '--db', db, '--anchors', anchorsFile)
    expect(tampered.code).toBe(1)
    expect(tampered.out).toMatch(/^anchor-mismatch|^altered/m)
    expect(tampered.out).toMatch(/^altered {2}complaint-\S+ revision \d+ {2}position \d+\/\d+/m)
    expect((await cli('audit', 'verify', '--db', db, '--anchors', join(dir, 'nothing.json'))).code).toBe(2)
    const forged = join(dir, 'forged.json')
    writeFileSync(
      forged,
      JSON.stringify({ format: 'property-services/anchors@1', anchors: [{ events: -1, digest: 'x' }] }),
    )
    const refused = await cli('audit', 'verify', '--db', db, '--anchors', forged)
    expect(refused).toMatchObject({
      code: 2,
      err: expect.stringMatching(/at anchors\.0\.events expected Int/),
    })
    expect(refused.err).not.toMatch(/\n\s+at /)
  }, 120_000)

  it('reconcile: completes an erasure whose key a crash left behind', async () => {
    const db = join(dir, 'reconcile.db')
    expect((await cli('demo', '--months', '1', '--db', db)).code).toBe(0)
    expect(await cli('reconcile', '--db', db)).toMatchObject({
      code: 0,
      out: expect.stringContaining('no interrupted erasure'),
    })
  }, 120_000)

  it.each([
    [['demo', '--seed', 'abc'], 2, /--seed must be a whole number/],
    [['demo', '--colour'], 2, /unknown option '--colour'/],
    [['audit', 'stream'], 2, /missing required argument 'name'/],
    [['audit', 'anchors'], 2, /required option '--out <file>' not specified/],
    [['audit', 'complaints', '--as-of', 'yesterday'], 2, /--as-of must be a date-time/],
    [
      ['audit', 'complaints', '--as-of', '0'],
      2,
      /--as-of must be a date-time .*such as 2025-06-30T12:00:00\+08:00/,
    ],
    [['audit', 'complaints', '--as-of', '+275760-09-13T00:00:00Z'], 2, /--as-of must be a date-time/],
    [['audit', 'complaints', '--as-of', '2026-03-02T10:00:00'], 2, /with an offset/],
    [['rebuild', '--on-poison', 'ignore'], 2, /--on-poison must be stop or quarantine/],
    [['report', '--db', '/nonexistent/x.db'], 1, /no event store at \/nonexistent\/x.db/],
    [['fly'], 2, /unknown command 'fly'/],
  ])('refuses %j with one clear line and exit code %i', async (argv, code, message) => {
    const result = await cli(...argv)
    expect(result.code).toBe(code)
    expect(result.err).toMatch(message)
    expect(result.err.split('\n')[0]).toMatch(/^property-services: /)
    expect(result.err).not.toMatch(/\n\s+at /)
  })

  it('has --version, --help for every command, and shell completion written from its commands', async () => {
    const version = await cli('--version')
    expect(version.code).toBe(0)
    expect(version.out.trim()).toBe(
      (JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as { version: string })
        .version,
    )
    const demoHelp = await cli('demo', '--help')
    expect(demoHelp.code).toBe(0)
    expect(demoHelp.out).toMatch(/--seed <n>/)
    expect(demoHelp.out).toMatch(/--months <n>/)
    const auditHelp = await cli('audit', '--help')
    for (const sub of ['stream', 'complaints', 'verify', 'anchors']) expect(auditHelp.out).toContain(sub)
    const none = await cli()
    expect(none.code).toBe(2)
    expect(none.out).toMatch(/Usage: property-services/)
    const script = (await cli('completion', 'bash')).out
    // Source it and ask bash what completes "property-services audit " and "property-services demo --s".
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _property_services_complete; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).trim()
    expect(complete('property-services audit ""').split(' ')).toEqual(
      expect.arrayContaining(['stream', 'complaints', 'verify', 'anchors']),
    )
    expect(complete('property-services demo --s').split(' ')).toEqual(['--seed'])
    expect((await cli('completion', 'fish')).code).toBe(2)
  })

  it('lets its heap grow half past what is live between full collections, unless node was told otherwise', () => {
    // V8 traces the limit it sets after each full collection, with the factor it grew by.
    const factors = (...v8Flags: string[]) => {
      const trace = execFileSync(
        process.execPath,
        [
          ...v8Flags,
          '--trace-gc-verbose',
          join(import.meta.dirname, '../dist/src/main.js'),
          'demo',
          '--seed',
          '5',
          '--months',
          '2',
          '--db',
          join(dir, `heap-${v8Flags.length}.db`),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      )
      return [...trace.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)$/gm)].map((m) => Number(m[1]))
    }
    const shipped = factors()
    expect(shipped.length).toBeGreaterThan(0)
    expect(shipped.every((factor) => factor === 1 + heapGrowingPercent / 100)).toBe(true)
    const own = factors('--heap-growing-percent=30')
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((factor) => factor === 1.3)).toBe(true)
    // What is kept (and passed on to rebuild's workers): either spelling V8 takes, nothing else.
    expect(
      givenHeapGrowth(['--max-old-space-size=512', '--heap_growing_percent=20', '--heap-growing-percent=0']),
    ).toEqual(['--heap_growing_percent=20', '--heap-growing-percent=0'])
  }, 60_000)

  it('--telemetry console prints the spans and metrics of the work done; another exporter is refused', async () => {
    const output = execFileSync(
      process.execPath,
      cliFromSource('--telemetry', 'console', 'report', '--db', join(dir, 'a.db')),
      { encoding: 'utf8', cwd: cliPackage, stdio: ['ignore', 'pipe', 'ignore'] },
    )
    expect(output).toMatch(/name: 'property_services\.project'/)
    expect(output).toMatch(/projection: 'complaintAnalytics'/)
    const refused = await cli('--telemetry', 'jaeger', 'report', '--db', join(dir, 'a.db'))
    expect(refused.code).toBe(2)
    expect(refused.err).toMatch(/--telemetry must be console/)
  }, 60_000)

  it('reports an unreachable EventStoreDB as one line', async () => {
    const result = await cli('rebuild', '--eventstore', 'esdb://127.0.0.1:1?tls=false')
    expect(result.code).toBe(1)
    expect(result.err).toBe('property-services: cannot reach EventStoreDB at esdb://127.0.0.1:1?tls=false\n')
    // KurrentDB's schemes take its own client, in every command that reads a server's log.
    for (const command of [['rebuild'], ['report'], ['quarantine'], ['audit', 'verify']]) {
      expect(await cli(...command, '--eventstore', 'esdb://127.0.0.1:1?tls=false')).toMatchObject({
        code: 1,
        err: 'property-services: cannot reach EventStoreDB at esdb://127.0.0.1:1?tls=false\n',
      })
      expect(await cli(...command, '--eventstore', 'kurrentdb://127.0.0.1:1?tls=false')).toMatchObject({
        code: 1,
        err: 'property-services: cannot reach KurrentDB at kurrentdb://127.0.0.1:1?tls=false\n',
      })
    }
  }, 60_000)

  it.skipIf(process.env.MONGODB_URL === undefined)(
    'rebuilds the read models from SQLite into MongoDB',
    async () => {
      const url = process.env.MONGODB_URL as string
      const database = `ps_cli_${process.pid}`
      const result = await cli('rebuild', '--db', join(dir, 'a.db'), '--mongo', url, '--database', database)
      expect(result).toMatchObject({
        code: 0,
        out: `rebuilt ${allProjections().length} read models into ${url}`,
      })
      const readModels = await mongoReadModelStore({ url, database })
      try {
        const rows = await complaintAnalyticsQueries(readModels).by('category')
        expect(rows.reduce((sum, r) => sum + r.filed, 0)).toBeGreaterThan(10)
      } finally {
        await readModels.close()
        const client = await MongoClient.connect(url)
        await client.db(database).dropDatabase()
        await client.close()
      }
    },
    60_000,
  )

  it.skipIf(process.env.MONGODB_URL === undefined)(
    'report --mongo: the report of the read models kept in MongoDB, as projecting the log gives it, and how far they hold the log',
    async () => {
      const url = process.env.MONGODB_URL as string
      const database = `ps_cli_report_${process.pid}`
      const db = join(dir, 'a.db')
      const fromMongo = [
        'report',
        '--mongo',
        url,
        '--database',
        database,
        '--as-of',
        '2025-06-30T12:00:00+08:00',
      ]
      try {
        // Nothing built there: refused, rather than a report of nothing.
        const unbuilt = await cli(...fromMongo)
        expect(unbuilt.code).toBe(1)
        expect(unbuilt.err).toContain(`the read models in MongoDB database ${database} have not been built`)
        expect(unbuilt.err).toContain(`run "property-services rebuild --mongo ${url} --database ${database}"`)
        expect((await cli('rebuild', '--db', db, '--mongo', url, '--database', database)).code).toBe(0)
        const projected = await cli('report', '--db', db, '--as-of', '2025-06-30T12:00:00+08:00')
        const kept = await cli(...fromMongo)
        expect(kept.code).toBe(0)
        // The same report, and no projecting (no progress line).
        expect(
          kept.out.startsWith(
            `${projected.out}\n\nread models from MongoDB database ${database}: they hold every event up to position `,
          ),
        ).toBe(true)
        expect(kept.out).toMatch(/\(name the log with --db or --eventstore to count those not yet in them\)$/)
        expect(kept.err).toBe('')
        expect((await cli(...fromMongo, '--db', db)).out).toMatch(/, the end of the log$/)
        // Another log (another seed's demo) is not theirs: its events are not counted as missing.
        const foreign = await cli(...fromMongo, '--db', join(dir, 'c.db'))
        expect(foreign.code).toBe(1)
        expect(foreign.err).toContain(
          `the read models in MongoDB database ${database} were built from another log`,
        )
        // The log goes on: the events the read models lack are counted.
        const grown = join(dir, 'grown.db')
        copyFileSync(db, grown)
        const store = sqliteEventStore({ path: grown })
        const metadata = {
          commandId: 'later',
          correlationId: 'later',
          actor: { id: 's', role: 'staff' },
          occurredAt: '2025-07-01T01:00:00.000Z',
        }
        await store.appendToStream('complaint-later', [
          { eventId: 'later-1', type: 'Noted', data: {}, metadata: { ...metadata, eventId: 'later-1' } },
          { eventId: 'later-2', type: 'Noted', data: {}, metadata: { ...metadata, eventId: 'later-2' } },
        ])
        await store.close()
        expect((await cli(...fromMongo, '--db', grown)).out).toMatch(/, 2 events of the log not yet in them$/)
      } finally {
        const client = await MongoClient.connect(url)
        await client.db(database).dropDatabase()
        await client.close()
      }
    },
    60_000,
  )

  it.skipIf(process.env.MONGODB_URL === undefined)(
    'work: two workers, each catching up with its share of the communities, give the read models of one rebuild',
    async () => {
      const url = process.env.MONGODB_URL as string
      const shared = `ps_cli_work_${process.pid}`
      const whole = `ps_cli_whole_${process.pid}`
      const db = join(dir, 'a.db')
      for (const worker of ['0/2', '1/2']) {
        const result = await cli(
          'work',
          '--db',
          db,
          '--mongo',
          url,
          '--database',
          shared,
          '--partitions',
          '4',
          '--worker',
          worker,
          '--once',
        )
        expect(result).toMatchObject({ code: 0, out: `worker ${worker.replace('/', ' of ')} caught up` })
        expect(result.err).toMatch(/^worker \d of 2: partitions \d, \d of 4\n/)
      }
      expect((await cli('rebuild', '--db', db, '--mongo', url, '--database', whole)).code).toBe(0)
      // A rebuild shared by two worker processes, into the next generation, then switched to.
      const rebuilt = `ps_cli_rebuilt_${process.pid}`
      const args = [
        'rebuild',
        '--db',
        db,
        '--mongo',
        url,
        '--database',
        rebuilt,
        '--workers',
        '2',
        '--partitions',
        '4',
      ]
      expect(await cli(...args)).toMatchObject({
        code: 0,
        err: expect.stringContaining('2 workers rebuilt 4 partitions'),
      })
      expect((await cli(...args)).code).toBe(0)
      const stores = await Promise.all(
        [shared, whole, rebuilt].map((database) => mongoReadModelStore({ url, database })),
      )
      try {
        const byCommunity = async (store: ReadModelStore) =>
          (await complaintAnalyticsQueries(store).communities()).map((c) => [c.community, c.filed, c.open])
        const [a, b, c] = await Promise.all(stores.map(byCommunity))
        expect(a).toEqual(b)
        expect(c).toEqual(b)
        expect(a?.length).toBe(3)
        // Rebuilt twice (each into the generation after the one read): readers are on the third, the
        // second is gone.
        expect(await currentGeneration(stores[2]!, 'complaintAnalytics')).toBe(3)
        expect(await stores[2]!.collection('complaintAnalytics_buckets_g2').find()).toEqual([])
        // A worker that fails (an event no codec reads, stopped on) leaves readers where they were.
        const poisoned = join(dir, 'poisoned.db')
        copyFileSync(db, poisoned)
        const store = sqliteEventStore({ path: poisoned })
        await store.appendToStream('complaint-bad', [
          {
            eventId: 'bad-workers',
            type: 'ComplaintFiled',
            data: { complaintId: 'bad', category: 'plumbing' },
            metadata: {
              eventId: 'bad-workers',
              commandId: 'bad-workers',
              correlationId: 'bad-workers',
              actor: { id: 's', role: 'staff' },
              occurredAt: '2025-02-01T01:00:00.000Z',
              schemaVersion: 1,
            },
          },
        ])
        await store.close()
        const failed = await cli(...args.map((arg) => (arg === db ? poisoned : arg)))
        expect(failed).toMatchObject({
          code: 1,
          err: expect.stringContaining('(readers stay on the read models they had)'),
        })
        expect(await currentGeneration(stores[2]!, 'complaintAnalytics')).toBe(3)
        expect(await byCommunity(stores[2]!)).toEqual(b)
      } finally {
        await Promise.all(stores.map((store) => store.close()))
        const client = await MongoClient.connect(url)
        for (const database of [shared, whole, rebuilt]) await client.db(database).dropDatabase()
        await client.close()
      }
      // Workers share read models in MongoDB, and there is at least one.
      expect(await cli('rebuild', '--db', db, '--workers', '2')).toMatchObject({
        code: 2,
        err: expect.stringContaining('pass --mongo <url> with --workers'),
      })
      expect(await cli('rebuild', '--db', db, '--mongo', url, '--workers', '0')).toMatchObject({
        code: 2,
        err: expect.stringContaining('--workers must be a whole number from 1 to 64'),
      })
      expect(await cli('work', '--db', db, '--mongo', url, '--generation', '{"nope":1}')).toMatchObject({
        code: 2,
        err: expect.stringContaining('--generation must be a JSON object of read model names'),
      })
      // Another rebuild holds the next generation of a read model: this one drops nothing and says so.
      const held = `ps_cli_held_${process.pid}`
      const heldStore = await mongoReadModelStore({ url, database: held })
      try {
        await checkpointOf(heldStore, 'repeatComplaints', 2, {
          owner: 'other-rebuild',
          ttlMs: 60_000,
        }).acquire()
        const moments = heldStore.collection('repeatComplaints_moments_g2')
        await moments.write([{ kind: 'put', doc: { _id: 'written by the other rebuild' } }])
        expect(await cli('rebuild', '--db', db, '--mongo', url, '--database', held)).toMatchObject({
          code: 1,
          err: expect.stringContaining(
            'projection repeatComplaints is being written by runner other-rebuild (lease 1, until ',
          ),
        })
        expect((await cli('rebuild', '--db', db, '--mongo', url, '--database', held)).err).toContain(
          '(another rebuild or worker is writing these read models: readers stay where they were; run again once it is done, or once its lease has expired)',
        )
        expect(await moments.find()).toEqual([{ _id: 'written by the other rebuild' }])
      } finally {
        await heldStore.close()
        const client = await MongoClient.connect(url)
        await client.db(held).dropDatabase()
        await client.close()
      }
      // What a worker cannot do is said before anything is read.
      expect(await cli('work', '--db', db, '--worker', '2/2', '--mongo', url)).toMatchObject({
        code: 2,
        err: expect.stringContaining('--worker must be I/N with 0 <= I < N'),
      })
      expect(await cli('work', '--db', db)).toMatchObject({
        err: expect.stringContaining('pass --mongo <url>'),
      })
    },
    120_000,
  )

  it('reports an unreachable MongoDB as one line, not a stack trace', async () => {
    const result = await cli(
      'rebuild',
      '--db',
      join(dir, 'a.db'),
      '--mongo',
      'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300',
    )
    expect(result.code).toBe(1)
    expect(result.err).toMatch(/^property-services: cannot reach MongoDB at mongodb:\/\/127\.0\.0\.1:1\//)
    // A database name MongoDB refuses is a wrong flag, said before connecting.
    for (const command of ['report', 'rebuild', 'quarantine'])
      expect(
        await cli(
          command,
          '--db',
          join(dir, 'a.db'),
          '--mongo',
          'mongodb://127.0.0.1:1/',
          '--database',
          'a.b',
        ),
      ).toEqual({
        code: 2,
        out: '',
        err: 'property-services: --database: mongoReadModelStore: database must be 1 to 63 bytes without / \\ . " $ * < > : | ? or NUL, got "a.b"\n',
      })
  }, 30_000)
})
