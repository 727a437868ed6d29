/**
 * Owner forums (业主座谈会, monthly) and owners' committee meetings (业主委员会会议), 策略六: channels
 * with a cadence. A meeting is scheduled, then held (how many owners came, the minutes) or cancelled.
 * A held meeting raises action items, each with a responsible department and a due date, closed with
 * an outcome.
 *
 * Minutes and action items are the company's records, not an owner's personal data: they name units
 * and subjects, not people (PIPL; owners' personal data lives only in owner streams, where it can be erased).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, inRegisteredCommunity } from '../communities/community.js'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import {
  type Decider,
  decideByCommand,
  onExisting,
  type TimeOrdered,
  timeOrdered,
} from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { FreeText, Id, Int, IsoDateTime, ShortText } from '../shared/values.js'

export const MeetingKind = t.keyof({ forum: null, committee: null }, 'MeetingKind')
export type MeetingKind = t.TypeOf<typeof MeetingKind>

/** How many action items one meeting may raise. */
export const maxActionItemsPerMeeting = 100

const scheduled = {
  meetingId: Id,
  communityId: CommunityId,
  kind: MeetingKind,
  scheduledFor: IsoDateTime,
  agenda: FreeText,
}

export const ScheduleMeeting = command('ScheduleMeeting', t.type(scheduled))
export const HoldMeeting = command(
  'HoldMeeting',
  t.type({ meetingId: Id, attendance: Int, minutes: FreeText }),
)
export const CancelMeeting = command('CancelMeeting', t.type({ meetingId: Id, reason: FreeText }))
export const RaiseActionItem = command(
  'RaiseActionItem',
  t.type({ meetingId: Id, itemId: Id, description: FreeText, department: ShortText, dueBy: IsoDateTime }),
)
export const CloseActionItem = command(
  'CloseActionItem',
  t.type({ meetingId: Id, itemId: Id, outcome: FreeText }),
)

export const MeetingCommand = t.union([
  ScheduleMeeting,
  HoldMeeting,
  CancelMeeting,
  RaiseActionItem,
  CloseActionItem,
])
export type MeetingCommand = t.TypeOf<typeof MeetingCommand>

export const MeetingScheduled = event('MeetingScheduled', t.type({ ...scheduled, at: IsoDateTime }))
export const MeetingHeld = event(
  'MeetingHeld',
  t.type({ meetingId: Id, kind: MeetingKind, attendance: Int, minutes: FreeText, at: IsoDateTime }),
)
export const MeetingCancelled = event(
  'MeetingCancelled',
  t.type({ meetingId: Id, kind: MeetingKind, reason: FreeText, at: IsoDateTime }),
)
export const ActionItemRaised = event(
  'ActionItemRaised',
  t.type({
    meetingId: Id,
    kind: MeetingKind,
    itemId: Id,
    description: FreeText,
    department: ShortText,
    dueBy: IsoDateTime,
    at: IsoDateTime,
  }),
)
export const ActionItemClosed = event(
  'ActionItemClosed',
  t.type({ meetingId: Id, itemId: Id, outcome: FreeText, at: IsoDateTime }),
)

export const MeetingEvent = t.union([
  MeetingScheduled,
  MeetingHeld,
  MeetingCancelled,
  ActionItemRaised,
  ActionItemClosed,
])
export type MeetingEvent = t.TypeOf<typeof MeetingEvent>

export type MeetingState =
  | { readonly status: 'none' }
  | {
      readonly status: 'scheduled' | 'held' | 'cancelled'
      readonly meetingId: string
      readonly communityId: string
      readonly kind: MeetingKind
      readonly scheduledFor: string
      readonly openItems: readonly string[]
      readonly closedItems: readonly string[]
    }

export const meetingDecider: Decider<MeetingCommand, MeetingEvent, MeetingState & TimeOrdered> = timeOrdered<
  MeetingCommand,
  MeetingEvent,
  MeetingState
>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<MeetingCommand, MeetingEvent, MeetingState>({
      ScheduleMeeting: (command, state, context) => {
        const at = command.meta.occurredAt
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'meeting already scheduled'))
        const unknown = inRegisteredCommunity(command, command.data.communityId, context)
        if (unknown) return E.left(unknown)
        if (Date.parse(command.data.scheduledFor) < Date.parse(at))
          return E.left(ruleViolated(command.type, 'ahead', 'a meeting is scheduled for a time to come'))
        return E.right([{ type: 'MeetingScheduled', data: { ...command.data, at } }])
      },
      HoldMeeting: onExisting('no such meeting', (command, state, at) => {
        const { kind } = state
        if (state.status !== 'scheduled')
          return E.left(wrongState(command.type, state.status, 'only a scheduled meeting is held'))
        return E.right([{ type: 'MeetingHeld', data: { ...command.data, kind, at } }])
      }),
      CancelMeeting: onExisting('no such meeting', (command, state, at) => {
        const { meetingId, kind } = state
        if (state.status !== 'scheduled')
          return E.left(wrongState(command.type, state.status, 'only a scheduled meeting is cancelled'))
        return E.right([
          { type: 'MeetingCancelled', data: { meetingId, kind, reason: command.data.reason, at } },
        ])
      }),
      RaiseActionItem: onExisting('no such meeting', (command, state, at) => {
        const { kind } = state
        if (state.status !== 'held')
          return E.left(wrongState(command.type, state.status, 'action items come from a meeting held'))
        const { itemId } = command.data
        if (state.openItems.includes(itemId) || state.closedItems.includes(itemId))
          return E.left(ruleViolated(command.type, 'new-item', `action item ${itemId} was raised already`))
        if (state.openItems.length + state.closedItems.length >= maxActionItemsPerMeeting)
          return E.left(
            ruleViolated(
              command.type,
              'item-limit',
              `a meeting raises at most ${maxActionItemsPerMeeting} items`,
            ),
          )
        if (Date.parse(command.data.dueBy) <= Date.parse(at))
          return E.left(ruleViolated(command.type, 'deadline-ahead', 'an action item is due in the future'))
        return E.right([{ type: 'ActionItemRaised', data: { ...command.data, kind, at } }])
      }),
      CloseActionItem: onExisting('no such meeting', (command, state, at) => {
        const { itemId } = command.data
        if (!state.openItems.includes(itemId))
          return E.left(
            wrongState(
              command.type,
              state.closedItems.includes(itemId) ? 'closed' : 'none',
              `action item ${itemId} is not open`,
            ),
          )
        return E.right([{ type: 'ActionItemClosed', data: { ...command.data, at } }])
      }),
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'MeetingScheduled': {
        const { meetingId, communityId, kind, scheduledFor } = event.data
        return {
          status: 'scheduled',
          meetingId,
          communityId,
          kind,
          scheduledFor,
          openItems: [],
          closedItems: [],
        }
      }
      case 'MeetingHeld':
        return state.status === 'none' ? state : { ...state, status: 'held' }
      case 'MeetingCancelled':
        return state.status === 'none' ? state : { ...state, status: 'cancelled' }
      case 'ActionItemRaised':
        return state.status === 'none'
          ? state
          : { ...state, openItems: [...state.openItems, event.data.itemId] }
      case 'ActionItemClosed':
        return state.status === 'none'
          ? state
          : {
              ...state,
              openItems: state.openItems.filter((i) => i !== event.data.itemId),
              closedItems: [...state.closedItems, event.data.itemId],
            }
    }
  },
})
