import type { Actor } from '@property-services/domain'
import { commandHandler, type EventStore } from '@property-services/infrastructure'
import * as E from 'fp-ts/lib/Either.js'

const staff = { id: 'staff-1', role: 'staff' as const }
const manager = { id: 'manager-1', role: 'manager' as const }
const communityProfile = {
  name: 'A community',
  address: '1 Road',
  timeZone: 'Asia/Shanghai',
  calendar: { weekendDays: [0, 6], holidays: [], extraWorkingDays: [] },
  serviceGrade: 'grade-2',
}
let n = 0

/** Drives commands through the real command handler: the domain's rules apply to every scenario. */
export const scenario = (store: EventStore) => {
  // Each command arrives when its scenario says: the handler's clock reads that moment.
  let now = ''
  const { handle } = commandHandler({ store, clock: () => new Date(now) })
  const units = new Set<string>()
  const communities = new Set<string>(['default'])
  const run = async (type: string, data: object, at: string, actor: Actor = staff) => {
    // A community the scenario names is registered the first time (by a manager, at the same moment).
    const named = (data as { communityId?: string }).communityId
    if (named !== undefined && !communities.has(named) && type !== 'RegisterCommunity') {
      communities.add(named)
      await run('RegisterCommunity', { communityId: named, ...communityProfile }, at, manager)
    }
    now = at
    const result = await handle({ type, commandId: `s${++n}`, data }, { actor })
    if (E.isLeft(result)) throw new Error(`${type} refused: ${result.left.message}`)
    if (type === 'RegisterUnit') units.add((data as { unitId: string }).unitId)
  }
  /** Registers the unit, in the default community unless said otherwise, unless the scenario already has. */
  const unit = async (unitId: string, at: string, communityId = 'default') => {
    if (units.has(unitId)) return
    await run(
      'RegisterUnit',
      { unitId, communityId, building: '1', number: unitId, floorAreaCm2: 800_000 },
      at,
    )
  }
  /** A complaint taken through the procedure; `steps` says how far and when (ISO times). */
  const complaint = async (
    id: string,
    filing: {
      ownerId: string
      unitId: string
      category: string
      subject: string
      channel: string
      at: string
      /** The unit's community, when the scenario registers it: the default one unless said. */
      communityId?: string
    },
    steps: {
      acknowledged?: string
      proposed?: string
      rejected?: string
      dispatched?: { at: string; department: string }
      resolved?: string
      notified?: string
      closed?: { at: string; rating: number }
    } = {},
  ) => {
    const { at, communityId, ...rest } = filing
    await unit(rest.unitId, at, communityId)
    await run('FileComplaint', { complaintId: id, ...rest, description: `complaint ${id}` }, at)
    if (steps.acknowledged)
      await run(
        'AcknowledgeComplaint',
        { complaintId: id, gesture: 'apology', note: 'noted' },
        steps.acknowledged,
      )
    if (steps.proposed)
      await run(
        'ProposeResolution',
        { complaintId: id, proposal: 'we will fix it', partial: false },
        steps.proposed,
      )
    if (steps.rejected)
      await run('RejectComplaint', { complaintId: id, reason: 'no fault found' }, steps.rejected)
    if (steps.dispatched) {
      const dueBy = new Date(Date.parse(steps.dispatched.at) + 3 * 86_400_000).toISOString()
      await run(
        'DispatchComplaint',
        { complaintId: id, department: steps.dispatched.department, dueBy },
        steps.dispatched.at,
      )
    }
    if (steps.resolved) await run('ResolveComplaint', { complaintId: id, cause: 'worn part' }, steps.resolved)
    if (steps.notified)
      await run('NotifyComplaintOutcome', { complaintId: id, via: 'phone', summary: 'done' }, steps.notified)
    if (steps.closed)
      await run('CloseComplaint', { complaintId: id, rating: steps.closed.rating }, steps.closed.at)
  }
  return { run, complaint, unit }
}

/** A moment in Beijing time (UTC+8), e.g. bj('2026-03-06 18:30'). */
export const bj = (local: string): string => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString()
export const daysAfter = (iso: string, days: number, hours = 0): string =>
  new Date(Date.parse(iso) + days * 86_400_000 + hours * 3_600_000).toISOString()
