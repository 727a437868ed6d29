import { isDeepStrictEqual } from 'node:util'
import { decodeEvent, type Event } from '@property-services/domain'
import { anyEvent } from '@property-services/domain/testing'
import { maxEventBytes, unstorableIssues } from '@property-services/infrastructure'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const filed = {
  type: 'ComplaintFiled',
  data: {
    complaintId: 'k1',
    ownerId: 'o1',
    unitId: 'u1',
    communityId: 'community-1',
    category: 'emergency',
    subject: 'flooding',
    channel: 'phone',
    description: 'water in the basement',
    replyDueBy: '2026-03-03T01:00:00.000Z',
    dispatchDueBy: '2026-03-02T01:30:00.000Z',
    at: '2026-03-02T01:00:00.000Z',
  },
} as const
const as = (event: object) => event as unknown as Event

describe('the check before appending', () => {
  it('passes an event that reads back as it is', () => {
    expect(unstorableIssues(as(filed))).toEqual([])
  })

  it.each([
    ['a deadline past 2199', { dispatchDueBy: '+010000-01-01T00:29:59.000Z' }, 'data.dispatchDueBy'],
    ['an event type no codec knows', { type: 'x' }, 'type'],
    ['a field no codec names', { ownerPhone: '139' }, 'data.ownerPhone'],
    ['a NUL in free text', { description: 'a\u0000b' }, 'data.description'],
    ['a lone surrogate', { description: '\ud800' }, 'data.description'],
    ['an amount that JSON cannot carry', { complaintId: Number.NaN }, 'data.complaintId'],
  ])('refuses %s, naming the path', (_what, change, path) => {
    const event =
      'type' in change ? { ...filed, ...change } : { ...filed, data: { ...filed.data, ...change } }
    expect(unstorableIssues(as(event)).map((i) => i.path)).toContain(path)
  })

  it('refuses an event larger than a read model may hold', () => {
    const huge = { ...filed, data: { ...filed.data, description: 'x'.repeat(maxEventBytes) } }
    expect(unstorableIssues(as(huge))).toMatchObject([
      { path: 'data', expected: expect.stringMatching(/bytes/) },
    ])
  })
})

describe('the check on the event itself', () => {
  /** What reading the event back after the JSON round trip of every store says. */
  const readsBack = (event: Event): boolean => {
    let json: string
    try {
      json = JSON.stringify(event)
    } catch {
      return false
    }
    const back = decodeEvent(JSON.parse(json))
    return E.isRight(back) && JSON.stringify(back.right) === json
  }
  // An array with a hole at index 1 (JSON writes null there).
  const holed: unknown[] = [1]
  holed[2] = 3
  const oddValues = [Number.NaN, Number.POSITIVE_INFINITY, undefined, new Date(0), holed, -0, null, '\ud800']

  it('passes only events that read back the same after JSON, valid ones included; odd values anywhere are refused', () => {
    const odd = fc.tuple(anyEvent, fc.nat(), fc.constantFrom(...oddValues)).map(([event, n, value]) => {
      const data = { ...(event.data as Record<string, unknown>) }
      const keys = Object.keys(data)
      data[keys[n % keys.length] as string] = value
      return { ...event, data } as Event
    })
    fc.assert(
      fc.property(fc.oneof(anyEvent, odd), (event) => {
        const passes = unstorableIssues(event).length === 0
        // Never passes what would not read back; refuses besides only what JSON would quietly convert
        // (NaN to null, a Date to a string): events that JSON does not carry faithfully.
        if (passes) expect(readsBack(event)).toBe(true)
        const faithful = isDeepStrictEqual(JSON.parse(JSON.stringify(event)), event)
        if (readsBack(event) && faithful) expect(passes).toBe(true)
      }),
      { numRuns: 2_000 },
    )
  })
})
