/**
 * Corrective actions (CAPA, ISO 9001 §10.2; the handbook's 篇3 策略四 and 五: find the cause, have the
 * department fix it within a time limit, and make sure the same problem does not come back, 杜绝二次投诉).
 *
 * An action is opened from a complaint's cause or from a repeat complaint: root cause, action,
 * responsible department, due date, and when its effectiveness is reviewed (a number of days after it
 * is completed). A review finds it effective (verified) or not (ineffective). A new complaint about the
 * same thing on the same unit reopens it: the corrective-action watch sends that, as automation.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, communityOfUnit } from '../communities/community.js'
import { ComplaintCategory, ComplaintSubject, subjectBelongsTo } from '../complaints/classification.js'
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
import { FreeText, Id, IsoDateTime, inTimeRange, limits, refine, ShortText } from '../shared/values.js'

/** Days after completion before effectiveness is reviewed: 1 to 365. */
export const ReviewAfterDays = refine(
  'ReviewAfterDays',
  t.number,
  (n) => Number.isInteger(n) && n >= 1 && n <= 365,
)

export const OpenCorrectiveAction = command(
  'OpenCorrectiveAction',
  t.type({
    actionId: Id,
    complaintId: Id,
    unitId: Id,
    category: ComplaintCategory,
    subject: ComplaintSubject,
    rootCause: FreeText,
    action: FreeText,
    department: ShortText,
    dueBy: IsoDateTime,
    reviewAfterDays: ReviewAfterDays,
  }),
)
export const CompleteCorrectiveAction = command(
  'CompleteCorrectiveAction',
  t.type({ actionId: Id, outcome: FreeText }),
)
export const ReviewCorrectiveAction = command(
  'ReviewCorrectiveAction',
  t.type({ actionId: Id, effective: t.boolean, note: FreeText }),
)
export const ReopenCorrectiveAction = command(
  'ReopenCorrectiveAction',
  t.type({
    actionId: Id,
    /** The new complaint that shows the problem came back, or null when reopened for another reason. */
    complaintId: t.union([Id, t.null]),
    reason: FreeText,
    dueBy: IsoDateTime,
  }),
)

export const CorrectiveActionCommand = t.union([
  OpenCorrectiveAction,
  CompleteCorrectiveAction,
  ReviewCorrectiveAction,
  ReopenCorrectiveAction,
])
export type CorrectiveActionCommand = t.TypeOf<typeof CorrectiveActionCommand>

export const CorrectiveActionOpened = event(
  'CorrectiveActionOpened',
  t.type({
    actionId: Id,
    complaintId: Id,
    unitId: Id,
    /** The unit's community. */
    communityId: CommunityId,
    category: ComplaintCategory,
    subject: ComplaintSubject,
    rootCause: FreeText,
    action: FreeText,
    department: ShortText,
    dueBy: IsoDateTime,
    reviewAfterDays: ReviewAfterDays,
    at: IsoDateTime,
  }),
)
export const CorrectiveActionCompleted = event(
  'CorrectiveActionCompleted',
  t.type({ actionId: Id, outcome: FreeText, reviewDueAt: IsoDateTime, at: IsoDateTime }),
)
export const CorrectiveActionReviewed = event(
  'CorrectiveActionReviewed',
  t.type({ actionId: Id, effective: t.boolean, note: FreeText, at: IsoDateTime }),
)
export const CorrectiveActionReopened = event(
  'CorrectiveActionReopened',
  t.type({
    actionId: Id,
    complaintId: t.union([Id, t.null]),
    reason: FreeText,
    dueBy: IsoDateTime,
    at: IsoDateTime,
  }),
)

export const CorrectiveActionEvent = t.union([
  CorrectiveActionOpened,
  CorrectiveActionCompleted,
  CorrectiveActionReviewed,
  CorrectiveActionReopened,
])
export type CorrectiveActionEvent = t.TypeOf<typeof CorrectiveActionEvent>

export type CorrectiveActionStatus = 'open' | 'completed' | 'verified' | 'ineffective'

export type CorrectiveActionState =
  | { readonly status: 'none' }
  | {
      readonly status: CorrectiveActionStatus
      readonly actionId: string
      readonly complaintId: string
      readonly unitId: string
      readonly communityId: string
      readonly subject: string
      readonly reviewAfterDays: number
      /** When effectiveness may be reviewed: set on completion. */
      readonly reviewDueAt: string | null
      /** The complaints that reopened it. */
      readonly reopenedBy: readonly string[]
    }

const DAY = 86_400_000

/** A due date not after `at`: a corrective action is due in the future. */
const notAhead = (type: string, at: string, dueBy: string) =>
  Date.parse(dueBy) > Date.parse(at)
    ? undefined
    : ruleViolated(type, 'deadline-ahead', 'a corrective action is due in the future')

export const correctiveActionDecider: Decider<
  CorrectiveActionCommand,
  CorrectiveActionEvent,
  CorrectiveActionState & TimeOrdered
> = timeOrdered<CorrectiveActionCommand, CorrectiveActionEvent, CorrectiveActionState>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<CorrectiveActionCommand, CorrectiveActionEvent, CorrectiveActionState>({
      OpenCorrectiveAction: (command, state, context) => {
        const at = command.meta.occurredAt
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'corrective action already opened'))
        const community = communityOfUnit(command, command.data.unitId, context)
        if (E.isLeft(community)) return community
        if (!subjectBelongsTo(command.data.category, command.data.subject))
          return E.left(
            ruleViolated(
              command.type,
              'subject-in-category',
              `${command.data.subject} is not a ${command.data.category} subject`,
            ),
          )
        const late = notAhead(command.type, at, command.data.dueBy)
        if (late) return E.left(late)
        return E.right([
          { type: 'CorrectiveActionOpened', data: { ...command.data, communityId: community.right, at } },
        ])
      },
      CompleteCorrectiveAction: onExisting('no such corrective action', (command, state, at) => {
        if (state.status !== 'open')
          return E.left(wrongState(command.type, state.status, 'only an open corrective action is completed'))
        const reviewDueAt = Date.parse(at) + state.reviewAfterDays * DAY
        if (!inTimeRange(reviewDueAt))
          return E.left(
            ruleViolated(command.type, 'time-range', `its review would fall after ${limits.latest}`),
          )
        return E.right([
          {
            type: 'CorrectiveActionCompleted',
            data: { ...command.data, reviewDueAt: new Date(reviewDueAt).toISOString(), at },
          },
        ])
      }),
      ReviewCorrectiveAction: onExisting('no such corrective action', (command, state, at) => {
        if (state.status !== 'completed')
          return E.left(
            wrongState(command.type, state.status, 'only a completed corrective action is reviewed'),
          )
        if (state.reviewDueAt !== null && Date.parse(at) < Date.parse(state.reviewDueAt))
          return E.left(
            ruleViolated(
              command.type,
              'review-due',
              `effectiveness is reviewed from ${state.reviewDueAt}, ${state.reviewAfterDays} days after completion`,
            ),
          )
        return E.right([{ type: 'CorrectiveActionReviewed', data: { ...command.data, at } }])
      }),
      ReopenCorrectiveAction: onExisting('no such corrective action', (command, state, at) => {
        if (state.status === 'open')
          return E.left(wrongState(command.type, state.status, 'the corrective action is still open'))
        const { complaintId } = command.data
        if (
          complaintId !== null &&
          (complaintId === state.complaintId || state.reopenedBy.includes(complaintId))
        )
          return E.left(
            ruleViolated(
              command.type,
              'new-complaint',
              `complaint ${complaintId} was taken into account already`,
            ),
          )
        const late = notAhead(command.type, at, command.data.dueBy)
        if (late) return E.left(late)
        return E.right([{ type: 'CorrectiveActionReopened', data: { ...command.data, at } }])
      }),
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CorrectiveActionOpened': {
        const { actionId, complaintId, unitId, communityId, subject, reviewAfterDays } = event.data
        return {
          status: 'open',
          actionId,
          complaintId,
          unitId,
          communityId,
          subject,
          reviewAfterDays,
          reviewDueAt: null,
          reopenedBy: [],
        }
      }
      case 'CorrectiveActionCompleted':
        return state.status === 'none'
          ? state
          : { ...state, status: 'completed', reviewDueAt: event.data.reviewDueAt }
      case 'CorrectiveActionReviewed':
        return state.status === 'none'
          ? state
          : { ...state, status: event.data.effective ? 'verified' : 'ineffective' }
      case 'CorrectiveActionReopened':
        return state.status === 'none'
          ? state
          : {
              ...state,
              status: 'open',
              reviewDueAt: null,
              reopenedBy:
                event.data.complaintId === null
                  ? state.reopenedBy
                  : [...state.reopenedBy, event.data.complaintId],
            }
    }
  },
})
