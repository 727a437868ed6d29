/**
 * The deadlines of a complaint's handling and what is done when one comes (篇3 策略五: departments
 * handle within a time limit; the manager hears of what is late). One rule, used twice: the complaint
 * decider accepts a warning or an escalation only when this says it is due, and the deadline watch (a
 * process manager) wakes at the times it gives.
 *
 * - `warn-reply`: a verbal complaint not yet answered, some time before its reply deadline;
 * - `escalate-dispatch`: an emergency not dispatched by its dispatch deadline;
 * - `escalate-department`: a dispatched complaint the department has not resolved by its deadline.
 * Each is done once per deadline: a reopened complaint dispatched again has a new department deadline.
 */
import type { Policies } from '../policies.js'
import { isoMillis } from '../shared/isoTime.js'

export type DeadlineAction = 'warn-reply' | 'escalate-dispatch' | 'escalate-department'

/** The facts of a complaint the deadline rules read (a part of the complaint's state). */
export interface DeadlineFacts {
  readonly status: string
  readonly replyDueBy: string | null
  readonly dispatchDueBy: string | null
  readonly repliedAt: string | null
  /** When the complaint was first dispatched, or null. */
  readonly firstDispatchedAt: string | null
  /** The department and deadline of the current dispatch, or null. */
  readonly department: string | null
  readonly departmentDueBy: string | null
  /** What was done already, as `<action>@<deadline>`. */
  readonly deadlineActions: readonly string[]
}

export interface DueAction {
  readonly action: DeadlineAction
  /** The deadline it is about. */
  readonly deadline: string
  /** From when it may be done (ISO time). */
  readonly from: string
  /** Until when it makes sense; null when it stays due until the complaint moves on. */
  readonly until: string | null
}

/** The key under which a done action is remembered in the complaint's state. */
export const deadlineActionKey = (action: DeadlineAction, deadline: string): string => `${action}@${deadline}`

const minus = (iso: string, minutes: number) => new Date(isoMillis(iso) - minutes * 60_000).toISOString()

/** The warnings and escalations a complaint has pending, done or not yet due, in order of `from`. */
export const pendingDeadlineActions = (
  facts: DeadlineFacts,
  policies: Pick<Policies, 'replyWarningMinutes'>,
): DueAction[] => {
  const pending: DueAction[] = []
  const open = (action: DeadlineAction, deadline: string) =>
    !facts.deadlineActions.includes(deadlineActionKey(action, deadline))
  if (facts.replyDueBy !== null && facts.repliedAt === null && open('warn-reply', facts.replyDueBy))
    pending.push({
      action: 'warn-reply',
      deadline: facts.replyDueBy,
      from: minus(facts.replyDueBy, policies.replyWarningMinutes),
      until: facts.replyDueBy,
    })
  if (
    facts.dispatchDueBy !== null &&
    facts.firstDispatchedAt === null &&
    (facts.status === 'filed' || facts.status === 'acknowledged') &&
    open('escalate-dispatch', facts.dispatchDueBy)
  )
    pending.push({
      action: 'escalate-dispatch',
      deadline: facts.dispatchDueBy,
      from: facts.dispatchDueBy,
      until: null,
    })
  if (
    facts.status === 'dispatched' &&
    facts.departmentDueBy !== null &&
    open('escalate-department', facts.departmentDueBy)
  )
    pending.push({
      action: 'escalate-department',
      deadline: facts.departmentDueBy,
      from: facts.departmentDueBy,
      until: null,
    })
  return pending.sort((a, b) => isoMillis(a.from) - isoMillis(b.from))
}

/** The pending actions due at `at`: from their start (inclusive) to their end (exclusive). */
export const dueDeadlineActions = (
  facts: DeadlineFacts,
  at: string,
  policies: Pick<Policies, 'replyWarningMinutes'>,
): DueAction[] => {
  const now = isoMillis(at)
  return pendingDeadlineActions(facts, policies).filter(
    (a) => isoMillis(a.from) <= now && (a.until === null || now < isoMillis(a.until)),
  )
}
