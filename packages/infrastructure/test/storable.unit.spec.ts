import type { Event } from '@property-services/domain'
import { maxEventBytes, unstorableIssues } from '@property-services/infrastructure'
import { describe, expect, it } from 'vitest'

const filed = {
  type: 'ComplaintFiled',
  data: {
    complaintId: 'k1',
    ownerId: 'o1',
    unitId: 'u1',
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
