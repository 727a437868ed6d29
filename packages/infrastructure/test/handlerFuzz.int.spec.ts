/**
 * The trust boundary under fuzzing: thousands of generated, mutated and junk requests from real and
 * bogus principals, through the command handler on the in-memory and the SQLite store. Nothing throws;
 * a refused request appends nothing; everything stored reads back through its codec.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  commandHandler,
  type EventStore,
  inMemoryEventStore,
  type KeyStore,
  type Position,
  serde,
  sqliteEventStore,
  sqliteKeyStore,
  unstorableIssues,
  verifyHistory,
} from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { fuzzCorpus, fuzzSetUp } from './fuzz/corpus.js'

const count = Number(process.env.FUZZ_COUNT ?? 10_000)
const seed = Number(process.env.FUZZ_SEED ?? 20261129)
const corpus = fuzzCorpus(count, seed)

const dir = mkdtempSync(join(tmpdir(), 'ps-fuzz-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const stores: Array<[string, () => { store: EventStore; keys?: KeyStore }]> = [
  ['in-memory', () => ({ store: inMemoryEventStore() })],
  [
    'SQLite, with personal data encrypted',
    () => ({
      store: sqliteEventStore({ path: join(dir, 'fuzz.db'), synchronous: 'normal' }),
      keys: sqliteKeyStore({ path: join(dir, 'fuzz.db') }),
    }),
  ],
]

describe.each(stores)('the command handler fuzzed on %s', (name, makeStore) => {
  it(`handles ${count} hostile, mutated and valid requests: none throws, refusals append nothing, all stored reads back`, async () => {
    const { store, keys } = makeStore()
    // The clock moves on a few minutes between requests, as in an office.
    let now = Date.parse('2026-01-05T01:00:00.000Z')
    const { handle } = commandHandler({
      store,
      clock: () => new Date(now),
      ...(keys === undefined ? {} : { keys }),
    })
    for (const { request, principal } of fuzzSetUp)
      expect(E.isRight(await handle(request, principal as never))).toBe(true)
    const thrown: string[] = []
    const appendedByRefused: string[] = []
    const outcomes = new Map<string, number>()
    for (const [i, input] of corpus.entries()) {
      now += 60_000 * (1 + (i % 7))
      const before = await store.countAfter()
      let outcome: string
      try {
        const result = await handle(input.request, input.principal as never)
        const after = await store.countAfter()
        if (E.isLeft(result)) {
          outcome = result.left._tag
          if (after !== before) appendedByRefused.push(`#${i} ${input.label}: ${result.left._tag}`)
        } else {
          outcome = result.right.duplicate ? 'duplicate' : 'accepted'
          expect(after - before).toBe(result.right.duplicate ? 0 : result.right.events.length)
        }
      } catch (error) {
        outcome = 'thrown'
        thrown.push(`#${i} ${input.label}: ${String(error).slice(0, 200)}`)
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    let stored = 0
    const unreadable: string[] = []
    for (let after: Position | undefined; ; ) {
      const page = await store.readAll(after === undefined ? { maxCount: 1000 } : { after, maxCount: 1000 })
      for (const event of page.events) {
        stored++
        try {
          const { event: decoded, metadata } = serde(keys === undefined ? {} : { keys }).decode(event)
          const issues = unstorableIssues(decoded)
          if (issues.length > 0) unreadable.push(`${event.streamName}@${event.revision}: ${issues[0]?.path}`)
          if (!['owner', 'staff', 'manager', 'system'].includes(metadata.actor.role)) unreadable.push('actor')
        } catch (error) {
          unreadable.push(String(error).slice(0, 200))
        }
      }
      after = page.lastPosition
      if (page.isEnd) break
    }
    const verification = await verifyHistory(store)
    await store.close()
    await keys?.close()
    console.log(
      `fuzz on ${name}: ${corpus.length} requests (seed ${seed}); outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}; ${stored} events stored`,
    )
    expect(thrown).toEqual([])
    expect(appendedByRefused).toEqual([])
    expect(unreadable).toEqual([])
    // Every stream's hash chain is whole: nothing the fuzz sent left history inconsistent.
    expect(verification).toMatchObject({ events: stored, unchained: 0, problems: [] })
    // A fuzz that never gets past the decoder proves little: most kinds of outcome must occur.
    expect(outcomes.get('accepted') ?? 0).toBeGreaterThan(count / 20)
    for (const tag of ['DecodeError', 'NotAllowed', 'WrongState', 'RuleViolated', 'DuplicateCommandId'])
      expect(outcomes.get(tag) ?? 0, tag).toBeGreaterThan(0)
  }, 300_000)
})
