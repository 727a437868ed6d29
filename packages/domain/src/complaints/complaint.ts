/**
 * A complaint (投诉) and its handling procedure, the handbook's six strategies in order:
 * 1. listen and record without rebutting, with an apology or sympathy   -> AcknowledgeComplaint
 * 2-3. propose a fair resolution (it may satisfy part of the demand)    -> ProposeResolution
 *      or find the complaint unfounded and say why                     -> RejectComplaint
 * 5. dispatch to the responsible department with a deadline           -> DispatchComplaint, ResolveComplaint
 * 6. report the outcome to the owner by phone or letter               -> NotifyComplaintOutcome
 * 4. thank the owner, record their rating, keep it for improvement    -> CloseComplaint
 * A handled complaint can be reopened, and the procedure starts again.
 *
 * Rules: a verbal complaint is answered (a resolution proposed, or a rejection) by its reply deadline,
 * one working day after filing; an emergency may be dispatched before a resolution is proposed and has
 * a dispatch deadline in minutes; nothing closes before the owner was told the outcome.
 *
 * Deadlines are watched (see deadlines.ts): staff are warned before a verbal reply deadline
 * (WarnOfReplyDeadline), and the manager hears of an emergency not dispatched in time or a department
 * late with its work (EscalateComplaint), each once per deadline.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, communityOfUnit } from '../communities/community.js'
import type { Policies } from '../policies.js'
import { defaultPolicies } from '../policies.js'
import { command, event } from '../shared/actor.js'
import { authorize } from '../shared/authorize.js'
import { addWorkingDays } from '../shared/calendar.js'
import {
  type CommandDecision,
  type Decider,
  decideByCommand,
  type Existing,
  onExisting,
  type TimedDecision,
  type TimeOrdered,
  timeOrdered,
} from '../shared/decider.js'
import { erasable } from '../shared/erasable.js'
import { type DomainError, ruleViolated, wrongState } from '../shared/errors.js'
import { FreeText, Id, IsoDateTime, inTimeRange, limits, Score, ShortText } from '../shared/values.js'
import {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintSubject,
  isVerbal,
  subjectBelongsTo,
} from './classification.js'
import {
  type DeadlineAction,
  deadlineActionKey,
  dueDeadlineActions,
  pendingDeadlineActions,
} from './deadlines.js'

export const Gesture = t.keyof({ apology: null, sympathy: null }, 'Gesture')
export const NotificationChannel = t.keyof({ phone: null, letter: null }, 'NotificationChannel')

export const FileComplaint = command(
  'FileComplaint',
  t.type({
    complaintId: Id,
    ownerId: Id,
    unitId: Id,
    category: ComplaintCategory,
    subject: ComplaintSubject,
    channel: ComplaintChannel,
    description: FreeText,
  }),
)
export const AcknowledgeComplaint = command(
  'AcknowledgeComplaint',
  t.type({ complaintId: Id, gesture: Gesture, note: FreeText }),
)
export const ProposeResolution = command(
  'ProposeResolution',
  t.type({ complaintId: Id, proposal: FreeText, partial: t.boolean }),
)
export const DispatchComplaint = command(
  'DispatchComplaint',
  t.type({ complaintId: Id, department: ShortText, dueBy: IsoDateTime }),
)
export const ResolveComplaint = command('ResolveComplaint', t.type({ complaintId: Id, cause: FreeText }))
export const RejectComplaint = command('RejectComplaint', t.type({ complaintId: Id, reason: FreeText }))
export const NotifyComplaintOutcome = command(
  'NotifyComplaintOutcome',
  t.type({ complaintId: Id, via: NotificationChannel, summary: FreeText }),
)
export const CloseComplaint = command('CloseComplaint', t.type({ complaintId: Id, rating: Score }))
export const ReopenComplaint = command('ReopenComplaint', t.type({ complaintId: Id, reason: FreeText }))
/** Which deadline an escalation is about: an emergency's dispatch, or the department's work. */
export const EscalatedDeadline = t.keyof({ dispatch: null, department: null }, 'EscalatedDeadline')
export type EscalatedDeadline = t.TypeOf<typeof EscalatedDeadline>
export const EscalateComplaint = command(
  'EscalateComplaint',
  t.type({ complaintId: Id, deadline: EscalatedDeadline }),
)
export const WarnOfReplyDeadline = command('WarnOfReplyDeadline', t.type({ complaintId: Id }))

export const ComplaintCommand = t.union([
  FileComplaint,
  AcknowledgeComplaint,
  ProposeResolution,
  DispatchComplaint,
  ResolveComplaint,
  RejectComplaint,
  NotifyComplaintOutcome,
  CloseComplaint,
  ReopenComplaint,
  EscalateComplaint,
  WarnOfReplyDeadline,
])
export type ComplaintCommand = t.TypeOf<typeof ComplaintCommand>

const Deadline = t.union([IsoDateTime, t.null])

export const ComplaintFiled = event(
  'ComplaintFiled',
  t.type({
    complaintId: Id,
    ownerId: Id,
    unitId: Id,
    /** The unit's community. */
    communityId: CommunityId,
    category: ComplaintCategory,
    subject: ComplaintSubject,
    channel: ComplaintChannel,
    description: erasable(FreeText),
    /** When a verbal complaint must be answered; null for letters and online complaints. */
    replyDueBy: Deadline,
    /** When an emergency must be dispatched; null for other categories. */
    dispatchDueBy: Deadline,
    at: IsoDateTime,
  }),
)
export const ComplaintAcknowledged = event(
  'ComplaintAcknowledged',
  t.type({ complaintId: Id, gesture: Gesture, note: erasable(FreeText), at: IsoDateTime }),
)
export const ResolutionProposed = event(
  'ResolutionProposed',
  t.type({ complaintId: Id, proposal: erasable(FreeText), partial: t.boolean, at: IsoDateTime }),
)
export const ComplaintDispatched = event(
  'ComplaintDispatched',
  t.type({ complaintId: Id, department: ShortText, dueBy: IsoDateTime, at: IsoDateTime }),
)
export const ComplaintResolved = event(
  'ComplaintResolved',
  t.type({ complaintId: Id, cause: erasable(FreeText), at: IsoDateTime }),
)
export const ComplaintRejected = event(
  'ComplaintRejected',
  t.type({ complaintId: Id, reason: erasable(FreeText), at: IsoDateTime }),
)
export const ComplaintOutcomeNotified = event(
  'ComplaintOutcomeNotified',
  t.type({ complaintId: Id, via: NotificationChannel, summary: erasable(FreeText), at: IsoDateTime }),
)
/** The owner's rating closes the complaint; its community is said again for satisfaction by community. */
export const ComplaintClosed = event(
  'ComplaintClosed',
  t.type({ complaintId: Id, communityId: CommunityId, rating: Score, at: IsoDateTime }),
)
export const ComplaintReopened = event(
  'ComplaintReopened',
  t.type({ complaintId: Id, reason: erasable(FreeText), at: IsoDateTime }),
)

/** The manager is told that a deadline passed: an emergency undispatched, or a department late. */
export const ComplaintEscalated = event(
  'ComplaintEscalated',
  t.type({
    complaintId: Id,
    deadline: EscalatedDeadline,
    dueBy: IsoDateTime,
    /** The department that is late; null for an undispatched emergency. */
    department: t.union([ShortText, t.null]),
    at: IsoDateTime,
  }),
)
/** Staff are told that a verbal complaint is still unanswered as its reply deadline nears. */
export const ReplyDeadlineWarned = event(
  'ReplyDeadlineWarned',
  t.type({ complaintId: Id, dueBy: IsoDateTime, at: IsoDateTime }),
)

export const ComplaintEvent = t.union([
  ComplaintFiled,
  ComplaintAcknowledged,
  ResolutionProposed,
  ComplaintDispatched,
  ComplaintResolved,
  ComplaintRejected,
  ComplaintOutcomeNotified,
  ComplaintClosed,
  ComplaintReopened,
  ComplaintEscalated,
  ReplyDeadlineWarned,
])
export type ComplaintEvent = t.TypeOf<typeof ComplaintEvent>

export type ComplaintStatus =
  | 'filed'
  | 'acknowledged'
  | 'dispatched'
  | 'resolved'
  | 'rejected'
  | 'notified'
  | 'closed'
  | 'reopened'

/** A complaint's state, before the time of its last event is added (see `timeOrdered`). */
export type ComplaintState =
  | { readonly status: 'none' }
  | {
      readonly status: ComplaintStatus
      readonly complaintId: string
      readonly ownerId: string
      readonly unitId: string
      readonly communityId: string
      readonly category: ComplaintCategory
      readonly subject: ComplaintSubject
      readonly filedAt: string
      readonly replyDueBy: string | null
      readonly dispatchDueBy: string | null
      /** When the owner first got an answer: a proposed resolution or a rejection. */
      readonly repliedAt: string | null
      /** Whether a resolution was proposed in the current round of handling. */
      readonly proposed: boolean
      /** Whether the owner was told the outcome of the current round. */
      readonly notified: boolean
      readonly reopenCount: number
      readonly firstDispatchedAt: string | null
      /** The department and deadline of the current dispatch. */
      readonly department: string | null
      readonly departmentDueBy: string | null
      /** Warnings and escalations done, as `<action>@<deadline>` (see deadlines.ts). */
      readonly deadlineActions: readonly string[]
    }

const inState = (
  command: ComplaintCommand,
  state: ComplaintState,
  allowed: readonly ComplaintStatus[],
  why: string,
): DomainError | undefined =>
  state.status !== 'none' && allowed.includes(state.status)
    ? undefined
    : wrongState(command.type, state.status, why)

/**
 * The deadline a warning or an escalation is about, when it is due at `at`; otherwise why not: nothing
 * of the kind is pending (done already, or the complaint moved on), or it is not due yet, or too late.
 */
const dueOrRefused = (
  type: string,
  action: DeadlineAction,
  state: Exclude<ComplaintState, { status: 'none' }>,
  at: string,
  policies: Policies,
): E.Either<DomainError, string> => {
  const pending = pendingDeadlineActions(state, policies).find((a) => a.action === action)
  if (pending === undefined)
    return E.left(wrongState(type, state.status, `no ${action} is pending for this complaint`))
  if (!dueDeadlineActions(state, at, policies).some((a) => a.action === action))
    return E.left(
      ruleViolated(
        type,
        'deadline-due',
        `${action} is due from ${pending.from}${pending.until === null ? '' : ` until ${pending.until}`}, not at ${at}`,
      ),
    )
  return E.right(pending.deadline)
}

/**
 * For a command about a filed complaint: refused when there is none, or when the actor may not act on
 * it (an owner acts only on their own complaint); otherwise decided on the complaint's state.
 */
const onFiled = <C extends ComplaintCommand>(
  decide: TimedDecision<C, ComplaintEvent, Existing<ComplaintState>>,
): CommandDecision<C, ComplaintEvent, ComplaintState> =>
  onExisting<C, ComplaintEvent, ComplaintState>('no such complaint', (command, state, at, context) => {
    const denied = authorize(command, { owner: state.ownerId, community: state.communityId })
    return denied === undefined ? decide(command, state, at, context) : E.left(denied)
  })

/** The complaint decider under the given policies (calendar, reply and dispatch deadlines). */
export const complaintDecider = (
  policies: Policies = defaultPolicies,
): Decider<ComplaintCommand, ComplaintEvent, ComplaintState & TimeOrdered> =>
  timeOrdered<ComplaintCommand, ComplaintEvent, ComplaintState>({
    initialState: { status: 'none' },
    decide: decideByCommand<ComplaintCommand, ComplaintEvent, ComplaintState>({
      FileComplaint: (command, state, context) => {
        const at = command.meta.occurredAt
        const { ownerId, unitId, category, subject, channel } = command.data
        const community = communityOfUnit(command, unitId, context)
        if (E.isLeft(community)) return community
        const communityId = community.right
        const denied = authorize(command, { owner: ownerId, unitId, context, community: communityId })
        if (denied) return E.left(denied)
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'complaint already filed'))
        if (!subjectBelongsTo(category, subject))
          return E.left(
            ruleViolated(command.type, 'subject-in-category', `${subject} is not a ${category} subject`),
          )
        const replyDueBy = isVerbal(channel)
          ? addWorkingDays(
              at,
              policies.verbalReplyWorkingDays,
              context?.communityCalendar ?? policies.calendar,
            )
          : null
        const dispatchDueBy =
          category === 'emergency'
            ? new Date(Date.parse(at) + policies.emergencyDispatchMinutes * 60_000).toISOString()
            : null
        const outOfRange = [replyDueBy, dispatchDueBy].find((d) => d !== null && !inTimeRange(Date.parse(d)))
        if (outOfRange !== undefined)
          return E.left(
            ruleViolated(
              command.type,
              'time-range',
              `its deadline ${outOfRange} would fall after ${limits.latest}`,
            ),
          )
        return E.right([
          { type: 'ComplaintFiled', data: { ...command.data, communityId, replyDueBy, dispatchDueBy, at } },
        ])
      },
      AcknowledgeComplaint: onFiled((command, state, at) => {
        const wrong = inState(
          command,
          state,
          ['filed', 'reopened'],
          'only a new or reopened complaint is acknowledged',
        )
        if (wrong) return E.left(wrong)
        return E.right([{ type: 'ComplaintAcknowledged', data: { ...command.data, at } }])
      }),
      ProposeResolution: onFiled((command, state, at) => {
        const wrong = inState(
          command,
          state,
          ['acknowledged', 'dispatched'],
          'acknowledge the complaint first',
        )
        if (wrong) return E.left(wrong)
        if (state.proposed)
          return E.left(ruleViolated(command.type, 'one-proposal', 'a resolution was proposed'))
        return E.right([{ type: 'ResolutionProposed', data: { ...command.data, at } }])
      }),
      RejectComplaint: onFiled((command, state, at) => {
        const wrong = inState(
          command,
          state,
          ['acknowledged'],
          'only an acknowledged, undispatched complaint',
        )
        if (wrong) return E.left(wrong)
        return E.right([{ type: 'ComplaintRejected', data: { ...command.data, at } }])
      }),
      DispatchComplaint: onFiled((command, state, at) => {
        const wrong = inState(command, state, ['acknowledged'], 'acknowledge the complaint first')
        if (wrong) return E.left(wrong)
        if (!state.proposed && state.category !== 'emergency')
          return E.left(
            ruleViolated(command.type, 'proposal-first', 'propose a resolution before dispatching'),
          )
        if (Date.parse(command.data.dueBy) <= Date.parse(at))
          return E.left(
            ruleViolated(command.type, 'deadline-ahead', 'the department deadline must be in the future'),
          )
        return E.right([{ type: 'ComplaintDispatched', data: { ...command.data, at } }])
      }),
      ResolveComplaint: onFiled((command, state, at) => {
        const wrong = inState(command, state, ['dispatched'], 'dispatch the complaint first')
        if (wrong) return E.left(wrong)
        if (!state.proposed)
          return E.left(ruleViolated(command.type, 'proposal-first', 'propose a resolution before resolving'))
        return E.right([{ type: 'ComplaintResolved', data: { ...command.data, at } }])
      }),
      NotifyComplaintOutcome: onFiled((command, state, at) => {
        const wrong = inState(command, state, ['resolved', 'rejected'], 'there is no outcome to report yet')
        if (wrong) return E.left(wrong)
        return E.right([{ type: 'ComplaintOutcomeNotified', data: { ...command.data, at } }])
      }),
      CloseComplaint: onFiled((command, state, at) => {
        const { complaintId } = state
        const wrong = inState(command, state, ['notified'], 'tell the owner the outcome before closing')
        if (wrong) return E.left(wrong)
        return E.right([
          {
            type: 'ComplaintClosed',
            data: { complaintId, communityId: state.communityId, rating: command.data.rating, at },
          },
        ])
      }),
      ReopenComplaint: onFiled((command, state, at) => {
        const { complaintId } = state
        const wrong = inState(
          command,
          state,
          ['notified', 'closed'],
          'only a handled complaint can be reopened',
        )
        if (wrong) return E.left(wrong)
        return E.right([
          { type: 'ComplaintReopened', data: { complaintId, reason: command.data.reason, at } },
        ])
      }),
      EscalateComplaint: onFiled((command, state, at) => {
        const { complaintId } = state
        const action: DeadlineAction =
          command.data.deadline === 'dispatch' ? 'escalate-dispatch' : 'escalate-department'
        const due = dueOrRefused(command.type, action, state, at, policies)
        if (E.isLeft(due)) return due
        return E.right([
          {
            type: 'ComplaintEscalated',
            data: {
              complaintId,
              deadline: command.data.deadline,
              dueBy: due.right,
              department: action === 'escalate-department' ? state.department : null,
              at,
            },
          },
        ])
      }),
      WarnOfReplyDeadline: onFiled((command, state, at) => {
        const { complaintId } = state
        const due = dueOrRefused(command.type, 'warn-reply', state, at, policies)
        if (E.isLeft(due)) return due
        return E.right([{ type: 'ReplyDeadlineWarned', data: { complaintId, dueBy: due.right, at } }])
      }),
    }),
    evolve: (state, event) => {
      if (event.type === 'ComplaintFiled') {
        const {
          complaintId,
          ownerId,
          unitId,
          communityId,
          category,
          subject,
          replyDueBy,
          dispatchDueBy,
          at,
        } = event.data
        return {
          status: 'filed',
          complaintId,
          ownerId,
          unitId,
          communityId,
          category,
          subject,
          filedAt: at,
          replyDueBy,
          dispatchDueBy,
          repliedAt: null,
          proposed: false,
          notified: false,
          reopenCount: 0,
          firstDispatchedAt: null,
          department: null,
          departmentDueBy: null,
          deadlineActions: [],
        }
      }
      if (state.status === 'none') return state
      switch (event.type) {
        case 'ComplaintAcknowledged':
          return { ...state, status: 'acknowledged' }
        case 'ResolutionProposed':
          return { ...state, proposed: true, repliedAt: state.repliedAt ?? event.data.at }
        case 'ComplaintDispatched':
          return {
            ...state,
            status: 'dispatched',
            firstDispatchedAt: state.firstDispatchedAt ?? event.data.at,
            department: event.data.department,
            departmentDueBy: event.data.dueBy,
          }
        case 'ComplaintResolved':
          return { ...state, status: 'resolved' }
        case 'ComplaintRejected':
          return { ...state, status: 'rejected', repliedAt: state.repliedAt ?? event.data.at }
        case 'ComplaintOutcomeNotified':
          return { ...state, status: 'notified', notified: true }
        case 'ComplaintClosed':
          return { ...state, status: 'closed' }
        case 'ComplaintReopened':
          return {
            ...state,
            status: 'reopened',
            proposed: false,
            notified: false,
            reopenCount: state.reopenCount + 1,
          }
        case 'ComplaintEscalated':
          return {
            ...state,
            deadlineActions: [
              ...state.deadlineActions,
              deadlineActionKey(
                event.data.deadline === 'dispatch' ? 'escalate-dispatch' : 'escalate-department',
                event.data.dueBy,
              ),
            ],
          }
        case 'ReplyDeadlineWarned':
          return {
            ...state,
            deadlineActions: [...state.deadlineActions, deadlineActionKey('warn-reply', event.data.dueBy)],
          }
      }
    },
  })
