import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandHandler, sqliteEventStore } from '@property-services/infrastructure'
import { afterAll, describe, expect, it } from 'vitest'
import { auditComplaint } from './replay.js'

const dir = mkdtempSync(join(tmpdir(), 'ps-audit-example-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('example: an audit replay against a stored history', () => {
  it('shows the state at the moment asked about and the whole timeline', async () => {
    const path = join(dir, 'events.db')
    const writer = sqliteEventStore({ path })
    // The history is written as it happened: the handler's clock reads each moment in turn.
    let now = ''
    const { handle } = commandHandler({ store: writer, clock: () => new Date(now) })
    const staff = { id: 'staff-7', role: 'staff' } as const
    const send = (type: string, data: object, at: string, n: number) => {
      now = at
      return handle({ type, commandId: `a${n}`, data: { complaintId: 'k9', ...data } }, { actor: staff })
    }
    now = '2026-04-01T00:00:00.000Z'
    await handle(
      {
        type: 'RegisterUnit',
        commandId: 'a0',
        data: { unitId: 'u1', communityId: 'default', building: '1', number: '101', floorAreaCm2: 800_000 },
      },
      { actor: staff },
    )
    await send(
      'FileComplaint',
      {
        ownerId: 'o1',
        unitId: 'u1',
        category: 'fees',
        subject: 'water-charge',
        channel: 'visit',
        description: 'bill too high',
      },
      '2026-04-01T01:00:00.000Z',
      1,
    )
    await send(
      'AcknowledgeComplaint',
      { gesture: 'sympathy', note: 'will check the meter' },
      '2026-04-01T02:00:00.000Z',
      2,
    )
    await send('RejectComplaint', { reason: 'meter read correctly' }, '2026-04-02T01:00:00.000Z', 3)
    await writer.close()

    const reader = sqliteEventStore({ path })
    const report = await auditComplaint(reader, 'k9', '2026-04-01T12:00:00.000Z')
    expect(report.state).toMatchObject({ status: 'acknowledged', repliedAt: null })
    expect(report.revision).toBe(1)
    expect(report.timeline).toEqual([
      '2026-04-01T01:00:00.000Z staff:staff-7 ComplaintFiled',
      '2026-04-01T02:00:00.000Z staff:staff-7 ComplaintAcknowledged',
      '2026-04-02T01:00:00.000Z staff:staff-7 ComplaintRejected',
    ])
    await reader.close()
  })
})
