import type { Actor } from '@property-services/domain'
import { inMemoryEventStore, inMemoryKeyStore } from '@property-services/infrastructure'
import { manualScheduler } from '@property-services/projections'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signToken } from './auth.js'
import { startService } from './server.js'

const tokens = { secret: 'test-secret-0123456789abcdef-0123456789' }
const staff = { id: 'staff-1', role: 'staff' } as const
const manager = { id: 'manager-1', role: 'manager' } as const
const owner = { id: 'owner-1', role: 'owner' } as const

describe('example: an HTTP service embedding the packages', () => {
  let service: Awaited<ReturnType<typeof startService>>
  const logged: unknown[] = []
  const events = inMemoryEventStore()
  beforeAll(async () => {
    service = await startService({
      events,
      keys: inMemoryKeyStore(),
      tokens,
      log: (error) => logged.push(error),
    })
  })
  afterAll(async () => service.stop())

  let n = 0
  const send = async (
    body: string | object,
    options: { token?: string | null; as?: Actor; type?: string } = {},
  ) => {
    const token = options.token === undefined ? await signToken(options.as ?? staff, tokens) : options.token
    const response = await fetch(`${service.url}/commands`, {
      method: 'POST',
      headers: {
        'content-type': options.type ?? 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    }
  }
  const command = (type: string, data: object, extra: object = {}) => ({
    type,
    commandId: `http-${++n}`,
    data,
    ...extra,
  })
  const complaint = {
    complaintId: 'k1',
    ownerId: 'owner-1',
    unitId: 'u1',
    category: 'facilities',
    subject: 'lift-stoppage',
    channel: 'phone',
    description: 'the lift stops between floors',
  }

  it('takes the actor from the bearer token and answers refusals with problem details', async () => {
    expect(
      (
        await send(
          command('RegisterUnit', {
            unitId: 'u1',
            communityId: 'default',
            building: '3',
            number: '1202',
            floorAreaCm2: 893_700,
          }),
        )
      ).status,
    ).toBe(200)
    expect((await send(command('AssignUnitOwner', { unitId: 'u1', ownerId: 'owner-1' }))).status).toBe(200)
    const filed = await send(command('FileComplaint', complaint), { as: owner })
    expect(filed).toMatchObject({ status: 200, body: { stream: 'complaint-k1', duplicate: false } })
    // Staff of another community only, as the token says: refused here.
    const elsewhere = {
      id: 'staff-9',
      role: 'staff' as const,
      communities: { 'community-2': 'manager' as const },
    }
    const acknowledge = command('AcknowledgeComplaint', { complaintId: 'k1', gesture: 'apology', note: 'x' })
    expect(await send(acknowledge, { as: elsewhere })).toMatchObject({
      status: 403,
      body: { title: 'NotAllowed', detail: expect.stringContaining('does not act in community default') },
    })
    const closing = await send(command('CloseComplaint', { complaintId: 'k1', rating: 5 }), { as: owner })
    expect(closing).toMatchObject({
      status: 409,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 409, title: 'WrongState' },
    })
  })

  it('refuses every poison input with the right status, stores none of it, and keeps serving', async () => {
    await send(command('AcknowledgeComplaint', { complaintId: 'k1', gesture: 'apology', note: 'recorded' }))
    await send(
      command('ProposeResolution', { complaintId: 'k1', proposal: 'engineer today', partial: false }),
    )
    await send(
      command('IssueBill', {
        unitId: 'u1',
        billId: 'b1',
        period: '2026-03',
        dueDate: '2026-03-31',
        lines: [{ item: 'special-repair', description: 'lock', amountFen: 60_000 }],
      }),
    )
    await send(
      command('RegisterOwner', {
        ownerId: 'owner-2',
        communityId: 'default',
        contact: { name: 'Li Na', phone: '13900000002' },
      }),
    )
    const before = await events.countAfter()
    const dueBy = new Date(Date.now() + 86_400_000).toISOString()
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
    const otherSecret = await signToken(manager, { secret: 'another-secret-0123456789abcdef-xyz' })
    const expired = await signToken(manager, tokens, '-1m')
    const poison: Array<[string, Promise<{ status: number; body: Record<string, unknown> }>, number]> = [
      ['no token', send(command('RetireService', { serviceId: 's1' }), { token: null }), 401],
      [
        'a token that is not a JWT',
        send(command('RetireService', { serviceId: 's1' }), { token: 'abc' }),
        401,
      ],
      [
        'a token signed with another secret',
        send(command('RetireService', { serviceId: 's1' }), { token: otherSecret }),
        401,
      ],
      ['an expired token', send(command('RetireService', { serviceId: 's1' }), { token: expired }), 401],
      [
        'a token with an unknown role',
        send(command('RetireService', { serviceId: 's1' }), {
          token: await signToken({ id: 'x', role: 'root' as 'staff' }, tokens),
        }),
        401,
      ],
      [
        'the wrong content type',
        send(command('RetireService', { serviceId: 's1' }), { type: 'text/plain' }),
        415,
      ],
      [
        'a 17 MB department',
        send(
          command('DispatchComplaint', { complaintId: 'k1', department: 'x'.repeat(17_000_000), dueBy }),
          {},
        ),
        413,
      ],
      ['a body that is not JSON', send('{not json'), 400],
      ['JSON nested 5,000 deep', send(deep), 400],
      [
        'an actor in the body',
        send(
          command(
            'WaiveCharge',
            { unitId: 'u1', billId: 'b1', amountFen: 100, reason: 'r' },
            { meta: { actor: { id: 'm', role: 'manager' } } },
          ),
          { as: owner },
        ),
        400,
      ],
      [
        'a time in the year 9999',
        send(
          command(
            'FileComplaint',
            { ...complaint, complaintId: 'k9', category: 'emergency', subject: 'flooding' },
            { occurredAt: '9999-12-31T23:59:59Z' },
          ),
        ),
        400,
      ],
      [
        'a business time in the future',
        send(
          command(
            'FileComplaint',
            { ...complaint, complaintId: 'k8' },
            { occurredAt: '2190-01-01T00:00:00Z' },
          ),
        ),
        422,
      ],
      [
        'an owner setting the business time',
        send(
          command(
            'FileComplaint',
            { ...complaint, complaintId: 'k7' },
            { occurredAt: new Date(Date.now() - 3_600_000).toISOString() },
          ),
          { as: owner },
        ),
        403,
      ],
      [
        'staff backdating past the window',
        send(
          command(
            'FileComplaint',
            { ...complaint, complaintId: 'k6' },
            { occurredAt: new Date(Date.now() - 30 * 86_400_000).toISOString() },
          ),
        ),
        422,
      ],
      [
        'a step dated before the complaint',
        send(
          command(
            'DispatchComplaint',
            { complaintId: 'k1', department: 'engineering', dueBy },
            { occurredAt: new Date(Date.now() - 48 * 3_600_000).toISOString() },
          ),
        ),
        422,
      ],
      [
        'a NUL in a department',
        send(command('DispatchComplaint', { complaintId: 'k1', department: 'a\u0000b', dueBy })),
        400,
      ],
      [
        'a line of MAX_SAFE_INTEGER fen',
        send(
          command('IssueBill', {
            unitId: 'u1',
            billId: 'b2',
            period: '2026-03',
            dueDate: '2026-03-31',
            lines: [{ item: 'special-repair', description: 'x', amountFen: Number.MAX_SAFE_INTEGER }],
          }),
        ),
        400,
      ],
      [
        'a rate of 1e15 fen',
        send(
          command('IssueBill', {
            unitId: 'u1',
            billId: 'b3',
            period: '2026-03',
            dueDate: '2026-03-31',
            lines: [{ item: 'service-fee', ratePerM2MonthFen: 1e15, floorAreaCm2: 1, months: 1 }],
          }),
        ),
        400,
      ],
      [
        'an unknown field',
        send(
          command('RegisterUnit', {
            unitId: 'u2',
            communityId: 'default',
            building: '3',
            number: '1',
            floorAreaCm2: 1,
            ownerPhone: '139',
          }),
        ),
        400,
      ],
      [
        'an operator as a field',
        send(
          command('RegisterUnit', {
            unitId: 'u2',
            communityId: 'default',
            building: '3',
            number: '1',
            floorAreaCm2: 1,
            $where: '1',
          }),
        ),
        400,
      ],
      [
        'a dotted field',
        send(
          command('RegisterUnit', {
            unitId: 'u2',
            communityId: 'default',
            building: '3',
            number: '1',
            floorAreaCm2: 1,
            'a.b': 1,
          }),
        ),
        400,
      ],
      [
        'staff adjusting a bill down by 500 yuan',
        send(command('AdjustBill', { unitId: 'u1', billId: 'b1', amountFen: -50_000, reason: 'goodwill' })),
        403,
      ],
      [
        'staff waiving a charge',
        send(command('WaiveCharge', { unitId: 'u1', billId: 'b1', amountFen: 100, reason: 'r' })),
        403,
      ],
      [
        'an owner erasing another owner',
        send(command('EraseOwnerPersonalData', { ownerId: 'owner-2' }), { as: owner }),
        403,
      ],
    ]
    for (const [what, response, status] of poison) {
      const { status: actual, body } = await response
      expect({ what, status: actual }).toEqual({ what, status })
      expect(body).toMatchObject({ type: 'about:blank', status })
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|Error:|SQLITE|stack/)
    }
    expect(await events.countAfter()).toBe(before)
    const first = command('RegisterUnit', {
      unitId: 'u4',
      communityId: 'default',
      building: '3',
      number: '4',
      floorAreaCm2: 1,
    })
    expect((await send(first)).status).toBe(200)
    const reused = await send({
      ...command('RegisterUnit', {
        unitId: 'u3',
        communityId: 'default',
        building: '3',
        number: '2',
        floorAreaCm2: 1,
      }),
      commandId: first.commandId,
    })
    expect(reused).toMatchObject({ status: 409, body: { title: 'DuplicateCommandId' } })
    expect(await events.countAfter()).toBe(before + 1)

    const dispatched = await send(
      command('DispatchComplaint', { complaintId: 'k1', department: 'engineering', dueBy }),
    )
    expect(dispatched).toMatchObject({ status: 200, body: { stream: 'complaint-k1' } })
    expect(logged).toEqual([])
  })

  it('serves the read models the runner keeps up to date', async () => {
    let rows: Array<Record<string, unknown>> = []
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      rows = (await (await fetch(`${service.url}/analytics/department`)).json()) as typeof rows
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // The complaint reached the department it was dispatched to, after all the poison sent before it.
    expect(rows).toMatchObject([{ key: 'engineering', filed: 1, open: 1 }])
    expect((await fetch(`${service.url}/nowhere`)).status).toBe(404)
  })

  it('runs the deadline watch beside it: an emergency left undispatched is escalated when its deadline comes', async () => {
    const scheduler = manualScheduler(new Date())
    const watched = await startService({
      events: inMemoryEventStore(),
      keys: inMemoryKeyStore(),
      tokens,
      scheduler,
    })
    try {
      const token = await signToken(staff, tokens)
      const post = (body: object) =>
        fetch(`${watched.url}/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        })
      const registered = await post(
        command('RegisterUnit', {
          unitId: complaint.unitId,
          communityId: 'default',
          building: '3',
          number: '1202',
          floorAreaCm2: 893_700,
        }),
      )
      expect(registered.status).toBe(200)
      const filed = await post(
        command('FileComplaint', {
          ...complaint,
          complaintId: 'e1',
          category: 'emergency',
          subject: 'flooding',
        }),
      )
      expect(filed.status).toBe(200)
      const poll = async <T>(path: string, done: (body: T) => boolean): Promise<T> => {
        let body = (await (await fetch(`${watched.url}${path}`)).json()) as T
        for (let i = 0; i < 200 && !done(body); i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
          body = (await (await fetch(`${watched.url}${path}`)).json()) as T
        }
        return body
      }
      const pending = await poll<Array<{ command: string; complaintId: string }>>('/deadlines', (b) =>
        b.some((p) => p.command === 'EscalateComplaint'),
      )
      expect(pending).toContainEqual(
        expect.objectContaining({ command: 'EscalateComplaint', complaintId: 'e1' }),
      )
      // Half an hour later (the emergency dispatch deadline), the watch wakes and tells the manager.
      scheduler.advanceTo(new Date(scheduler.now().getTime() + 31 * 60_000))
      const rows = await poll<Array<{ key: string; escalations: number }>>('/analytics/category', (b) =>
        b.some((r) => r.escalations > 0),
      )
      expect(rows).toMatchObject([{ key: 'emergency', escalations: 1 }])
    } finally {
      await watched.stop()
    }
  })
})
