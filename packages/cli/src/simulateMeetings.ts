/**
 * The simulation's owner forums and committee meetings (策略六): a forum every month (now and then
 * cancelled, so the report shows a gap), a committee meeting every quarter; each raises a few action
 * items for departments, most closed in time, some late, some left open.
 */
import type { Actor, CommandRequest, CommandType } from '@property-services/domain'
import { seededRandom } from './random.js'

/**
 * Sends one command of the story, as `actor` (staff by default) at the simulated time `at`; resolves
 * whether the domain accepted it. Typed by the command: its data must be that command's.
 */
export type Send = <T extends CommandType>(
  type: T,
  data: Extract<CommandRequest, { readonly type: T }>['data'],
  at: number,
  actor?: Actor,
) => Promise<boolean>

const DAY = 86_400_000
const HOUR = 3_600_000
const departments = ['engineering', 'customer-service', 'security', 'cleaning', 'finance']
const items = [
  'repaint the corridor of building 2',
  'fix the gate barrier',
  'more lighting by the bike shed',
  'explain the lift electricity share',
  'trim the hedges by the playground',
  'post the cleaning rota',
]

export const simulateMeetings = async (
  send: Send,
  options: {
    readonly communityId: string
    readonly seed: number
    readonly start: number
    readonly months: number
  },
): Promise<void> => {
  const random = seededRandom(options.seed)
  for (let month = 0; month < options.months; month++) {
    const monthStart = options.start + month * 30 * DAY
    const meetings: Array<{ meetingId: string; kind: 'forum' | 'committee'; at: number }> = [
      {
        meetingId: `${options.communityId}-forum-${month + 1}`,
        kind: 'forum',
        at: monthStart + random.int(10, 20) * DAY + 9 * HOUR,
      },
    ]
    if (month % 3 === 1)
      meetings.push({
        meetingId: `${options.communityId}-committee-${month + 1}`,
        kind: 'committee',
        at: monthStart + 25 * DAY + 6 * HOUR,
      })
    for (const { meetingId, kind, at } of meetings) {
      await send(
        'ScheduleMeeting',
        {
          meetingId,
          communityId: options.communityId,
          kind,
          scheduledFor: new Date(at).toISOString(),
          agenda: 'owners’ questions and last month’s items',
        },
        at - 7 * DAY,
      )
      if (kind === 'forum' && random.chance(1 / 6)) {
        await send('CancelMeeting', { meetingId, reason: 'too few owners could come' }, at - DAY)
        continue
      }
      await send(
        'HoldMeeting',
        {
          meetingId,
          attendance: random.int(kind === 'forum' ? 6 : 5, kind === 'forum' ? 30 : 9),
          minutes: 'see the action items',
        },
        at,
      )
      const closings: Array<{ itemId: string; at: number }> = []
      for (let i = random.int(0, 3); i > 0; i--) {
        const itemId = `${meetingId}-${i}`
        const dueBy = at + random.int(14, 42) * DAY
        await send(
          'RaiseActionItem',
          {
            meetingId,
            itemId,
            description: random.pick(items),
            department: random.pick(departments),
            dueBy: new Date(dueBy).toISOString(),
          },
          at + HOUR,
        )
        const fate = random.next()
        if (fate < 0.15) continue // left open
        closings.push({
          itemId,
          at: fate < 0.3 ? dueBy + random.int(3, 20) * DAY : at + random.int(2, 13) * DAY,
        })
      }
      // Time moves forward in a meeting's stream: items are closed in the order they are done.
      for (const { itemId, at: closedAt } of closings.sort((a, b) => a.at - b.at))
        await send(
          'CloseActionItem',
          { meetingId, itemId, outcome: 'done and reported to the owners' },
          closedAt,
        )
    }
  }
}
