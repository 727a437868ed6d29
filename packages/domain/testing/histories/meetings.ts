/** Scripts of generated histories: owner forums and committee meetings, with their action items. */
import type { MeetingState } from '@property-services/domain'
import { actorFor, build, cast, pickOf, plusMinutes, type Script, text } from './script.js'

const meetingId = 'meeting-1'

export const meetingScript: Script<MeetingState> = {
  next: (s) => {
    switch (s.status) {
      case 'none':
        return ['ScheduleMeeting']
      case 'scheduled':
        return ['HoldMeeting', 'CancelMeeting']
      case 'held':
        return s.openItems.length > 0 ? ['RaiseActionItem', 'CloseActionItem'] : ['RaiseActionItem']
      case 'cancelled':
        return []
    }
  },
  build: (type, state, env) => {
    const { pick, amount, flag } = env.step
    const staff = actorFor(env, flag ? cast.staff : cast.manager)
    switch (type) {
      case 'ScheduleMeeting':
        return build(
          type,
          {
            meetingId,
            communityId: cast.communityId,
            kind: flag ? 'forum' : 'committee',
            scheduledFor: plusMinutes(env.at, amount % 20_000),
            agenda: text('agenda', env),
          },
          staff,
        )
      case 'HoldMeeting':
        return build(type, { meetingId, attendance: amount % 300, minutes: text('minutes', env) }, staff)
      case 'CancelMeeting':
        return build(type, { meetingId, reason: text('no quorum', env) }, staff)
      case 'RaiseActionItem':
        return build(
          type,
          {
            meetingId,
            itemId: `item-${env.index}`,
            description: text('fix the gate', env),
            department: pickOf(['engineering', 'security', 'cleaning', 'finance'], pick),
            dueBy: plusMinutes(env.at, 60 + (amount % 20_000)),
          },
          staff,
        )
      case 'CloseActionItem': {
        const open = state.status === 'none' ? [] : state.openItems
        return build(
          type,
          {
            meetingId,
            itemId: pickOf(open.length > 0 ? open : ['item-0'], pick),
            outcome: text('done', env),
          },
          staff,
        )
      }
      default:
        throw new Error(`not a meeting command: ${type}`)
    }
  },
}
