import { inMemoryEventStore } from '@property-services/infrastructure'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startService } from './server.js'

describe('example: an HTTP service embedding the packages', () => {
  let service: Awaited<ReturnType<typeof startService>>
  beforeAll(async () => {
    service = await startService(inMemoryEventStore())
  })
  afterAll(async () => service.stop())

  const post = async (command: object) => {
    const response = await fetch(`${service.url}/commands`, { method: 'POST', body: JSON.stringify(command) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const staff = { id: 'staff-1', role: 'staff' }
  const meta = (n: number, actor = staff) => ({
    commandId: `http-${n}`,
    actor,
    issuedAt: `2026-03-0${n}T01:00:00.000Z`,
  })

  it('handles commands and answers refusals with their HTTP status', async () => {
    const filed = await post({
      type: 'FileComplaint',
      meta: meta(2),
      data: {
        complaintId: 'k1',
        ownerId: 'o1',
        unitId: 'u1',
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
        description: 'stuck',
      },
    })
    expect(filed).toMatchObject({ status: 200, body: { stream: 'complaint-k1' } })
    expect(
      await post({ type: 'CloseComplaint', meta: meta(3), data: { complaintId: 'k1', rating: 5 } }),
    ).toMatchObject({
      status: 409,
      body: { error: 'WrongState' },
    })
    expect(await post({ type: 'FileComplaint', meta: meta(4), data: { complaintId: 'k 2' } })).toMatchObject({
      status: 400,
      body: { error: 'DecodeError' },
    })
    const bad = await fetch(`${service.url}/commands`, { method: 'POST', body: '{not json' })
    expect(bad.status).toBe(400)
  })

  it('serves the read models the runner keeps up to date', async () => {
    let rows: Array<Record<string, unknown>> = []
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      rows = (await (await fetch(`${service.url}/analytics/category`)).json()) as typeof rows
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(rows).toMatchObject([{ key: 'facilities', month: '2026-03', filed: 1, open: 1 }])
    expect((await fetch(`${service.url}/nowhere`)).status).toBe(404)
  })
})
