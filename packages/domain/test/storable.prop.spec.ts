/**
 * Whatever a decider accepts, at the limits of every bound and for every role, it emits only events that
 * read back as they are through their codec and stay far below MongoDB's 16 MiB document limit: nothing
 * a caller sends can make the store hold an event that cannot be read.
 */
import {
  type AggregateName,
  aggregates,
  type Command,
  type CommandType,
  decodeEvent,
  limits,
  requestCodecs,
} from '@property-services/domain'
import { boundaryArbitraryOf, cast, castContext, historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'

const all = aggregates()
/** Far below MongoDB's limit: the event store refuses events over 1 MiB, leaving room for read models. */
const maxEventBytes = 1_048_576

const plusMinute = (iso: string) => new Date(Date.parse(iso) + 60_000).toISOString()

describe.each(Object.keys(all) as AggregateName[])('%s decisions at the limits', (name) => {
  const aggregate = all[name]
  const decider = aggregate.decider as unknown as {
    initialState: unknown
    decide: (c: Command, s: unknown, ctx: unknown) => E.Either<unknown, readonly { type: string }[]>
  }
  const fresh = { events: [] as readonly { data: { at: string } }[], finalState: decider.initialState }
  const attempt = fc.record({
    // From a new aggregate too: creating commands are accepted only there.
    history: fc.oneof(fc.constant(fresh), historyArbitrary(name, { mode: 'valid', maxSteps: 12 })),
    type: fc.constantFrom(...(aggregate.commandTypes as readonly CommandType[])),
    // Every role, staff and managers more often: they may issue most commands, so more are accepted.
    actor: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(cast.staff, cast.manager) },
      { weight: 2, arbitrary: fc.constantFrom(cast.owner, cast.otherOwner, cast.system) },
    ),
    atTheEnd: fc.boolean(),
  })
  const withData = attempt.chain((a) =>
    boundaryArbitraryOf(requestCodecs[a.type] as unknown as t.Type<{ data: unknown }, unknown, unknown>).map(
      (request) => ({ ...a, data: request.data }),
    ),
  )

  it('emits only events that read back unchanged and stay small', () => {
    let accepted = 0
    fc.assert(
      fc.property(withData, ({ history, type, actor, atTheEnd, data }) => {
        const lastAt = history.events.at(-1)?.data.at ?? '2026-01-01T00:00:00.000Z'
        const occurredAt = atTheEnd ? limits.latest : plusMinute(lastAt)
        const command = {
          type,
          data,
          meta: { commandId: 'c-edge', correlationId: 'c-edge', actor, occurredAt, recordedAt: occurredAt },
        } as unknown as Command
        const outcome = decider.decide(command, history.finalState, castContext)
        if (E.isLeft(outcome)) return
        accepted++
        for (const event of outcome.right) {
          const json = JSON.stringify(event)
          expect(Buffer.byteLength(json)).toBeLessThan(maxEventBytes)
          const parsed = JSON.parse(json) as unknown
          const decoded = decodeEvent(parsed)
          expect(E.isLeft(decoded) ? decoded.left.message : 'reads back').toBe('reads back')
          expect(E.isRight(decoded) && decoded.right).toEqual(parsed)
        }
      }),
      { numRuns: 200 },
    )
    // The property says something only if the limits were accepted some of the time.
    expect(accepted).toBeGreaterThan(0)
  })
})
