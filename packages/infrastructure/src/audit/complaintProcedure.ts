/**
 * Checks every complaint against the handling procedure: acknowledged, dispatched with a deadline
 * before it was resolved, a verbal complaint answered within its reply deadline, an emergency
 * dispatched (or found unfounded) within its dispatch deadline, each dispatch resolved by the
 * department's deadline, every late one of those escalated to the manager, and the outcome told to the
 * owner once resolved or rejected. Each deviation names its complaint, step and times.
 */
import type { ComplaintEvent } from '@property-services/domain'
import type { EventStore, Position } from '../eventStore/port.js'
import { type RecordedEvent, serde } from '../serialization/serde.js'

/** A step of the handling procedure a complaint can deviate from. */
export type DeviationStep =
  | 'acknowledged'
  | 'replied in time'
  | 'dispatched in time'
  | 'resolved by the department deadline'
  | 'outcome told'

export interface Deviation {
  readonly complaintId: string
  readonly step: DeviationStep | 'dispatched with a deadline' | 'escalated'
  readonly due: string | null
  readonly happened: string | null
  readonly detail: string
}

/** A complaint event as far as the procedure's checks read it: its type, time and deadlines. */
type DataOf<T extends ComplaintEvent['type']> = Extract<ComplaintEvent, { readonly type: T }>['data']
type Step<T extends ComplaintEvent['type'], K extends keyof DataOf<T> = never> = {
  readonly type: T
  readonly data: Pick<DataOf<T>, Extract<'at' | K, keyof DataOf<T>>>
}
type Checked = 'ComplaintFiled' | 'ComplaintEscalated' | 'ComplaintDispatched'
export type ProcedureEvent =
  | Step<'ComplaintFiled', 'replyDueBy' | 'dispatchDueBy'>
  | Step<'ComplaintEscalated', 'deadline' | 'dueBy'>
  | Step<'ComplaintDispatched', 'department' | 'dueBy'>
  | Step<Exclude<ComplaintEvent['type'], Checked>>

/** The event types the checks read: an audit keeps no others. */
const procedureTypes: ReadonlySet<ComplaintEvent['type']> = new Set([
  'ComplaintFiled',
  'ComplaintAcknowledged',
  'ResolutionProposed',
  'ComplaintDispatched',
  'ComplaintResolved',
  'ComplaintRejected',
  'ComplaintOutcomeNotified',
  'ComplaintEscalated',
])

/**
 * What the checks read of an event, and nothing else: an audit of years holds every complaint's steps,
 * not their descriptions.
 */
const procedureEventOf = (event: ComplaintEvent): ProcedureEvent => {
  switch (event.type) {
    case 'ComplaintFiled': {
      const { at, replyDueBy, dispatchDueBy } = event.data
      return { type: event.type, data: { at, replyDueBy, dispatchDueBy } }
    }
    case 'ComplaintEscalated': {
      const { at, deadline, dueBy } = event.data
      return { type: event.type, data: { at, deadline, dueBy } }
    }
    case 'ComplaintDispatched': {
      const { at, department, dueBy } = event.data
      return { type: event.type, data: { at, department, dueBy } }
    }
    default:
      return { type: event.type, data: { at: event.data.at } }
  }
}

/** How long after resolution or rejection the owner must have been told, at the latest. */
const tellOutcomeWithinMs = 7 * 86_400_000

/**
 * What the checks need of one complaint's history, folded event by event: its filing, the first time of
 * each step, the first escalation of each deadline, and each dispatch with the first resolution after
 * it. A few times a complaint, however long its history (an audit of years holds one per complaint).
 */
export interface ProcedureFacts {
  filed: Step<'ComplaintFiled', 'replyDueBy' | 'dispatchDueBy'>['data'] | null
  acknowledged: string | null
  /** The first reply: a proposed resolution or a rejection. */
  replied: string | null
  dispatched: string | null
  resolved: string | null
  rejected: string | null
  told: string | null
  /** When each deadline (`dispatch|<due>` or `department|<due>`) was first escalated. */
  readonly escalated: (readonly [deadline: string, at: string])[]
  /** Each dispatch (a reopened complaint is dispatched again), with the first resolution after it. */
  readonly dispatches: { readonly department: string; readonly dueBy: string; resolvedAt: string | null }[]
}

export const noProcedureFacts = (): ProcedureFacts => ({
  filed: null,
  acknowledged: null,
  replied: null,
  dispatched: null,
  resolved: null,
  rejected: null,
  told: null,
  escalated: [],
  dispatches: [],
})

/** Adds one event of the complaint's history, in the order stored, to what is known of it. */
export const addProcedureEvent = (facts: ProcedureFacts, event: ProcedureEvent): ProcedureFacts => {
  switch (event.type) {
    case 'ComplaintFiled':
      facts.filed ??= event.data
      break
    case 'ComplaintAcknowledged':
      facts.acknowledged ??= event.data.at
      break
    case 'ResolutionProposed':
      facts.replied ??= event.data.at
      break
    case 'ComplaintRejected':
      facts.replied ??= event.data.at
      facts.rejected ??= event.data.at
      break
    case 'ComplaintDispatched':
      facts.dispatched ??= event.data.at
      facts.dispatches.push({ department: event.data.department, dueBy: event.data.dueBy, resolvedAt: null })
      break
    case 'ComplaintResolved':
      facts.resolved ??= event.data.at
      for (const dispatch of facts.dispatches) dispatch.resolvedAt ??= event.data.at
      break
    case 'ComplaintOutcomeNotified':
      facts.told ??= event.data.at
      break
    case 'ComplaintEscalated': {
      const deadline = `${event.data.deadline}|${event.data.dueBy}`
      if (!facts.escalated.some(([d]) => d === deadline)) facts.escalated.push([deadline, event.data.at])
      break
    }
  }
  return facts
}

/** The deviations of one complaint's history, judged as of `asOf` (steps not yet due are not deviations). */
export const deviationsOf = (
  complaintId: string,
  events: readonly ProcedureEvent[],
  asOf: string,
): Deviation[] => procedureDeviations(complaintId, events.reduce(addProcedureEvent, noProcedureFacts()), asOf)

/** The deviations of what is known of one complaint's history, judged as of `asOf`. */
export const procedureDeviations = (
  complaintId: string,
  facts: ProcedureFacts,
  asOf: string,
): Deviation[] => {
  const deviations: Deviation[] = []
  const { filed } = facts
  if (filed === null) return deviations
  if (facts.acknowledged === null) {
    deviations.push({
      complaintId,
      step: 'acknowledged',
      due: filed.at,
      happened: null,
      detail: 'never acknowledged',
    })
  }
  const { replied } = facts
  const { replyDueBy } = filed
  if (replyDueBy !== null) {
    const late =
      replied === null
        ? Date.parse(asOf) > Date.parse(replyDueBy)
        : Date.parse(replied) > Date.parse(replyDueBy)
    if (late) {
      deviations.push({
        complaintId,
        step: 'replied in time',
        due: replyDueBy,
        happened: replied,
        detail:
          replied === null ? 'verbal complaint not answered' : 'verbal complaint answered after its deadline',
      })
    }
  }
  const { resolved } = facts
  if (resolved !== null && facts.dispatched === null) {
    deviations.push({
      complaintId,
      step: 'dispatched with a deadline',
      due: null,
      happened: null,
      detail: 'resolved without a dispatch',
    })
  }
  // Late against a deadline that is escalated when missed: say whether it was, and if not, that too.
  const lateAgainst = (
    step: DeviationStep,
    deadline: 'dispatch' | 'department',
    due: string,
    happened: string | null,
    what: string,
  ) => {
    const late =
      happened === null ? Date.parse(asOf) > Date.parse(due) : Date.parse(happened) > Date.parse(due)
    if (!late) return
    const escalated = facts.escalated.find(([d]) => d === `${deadline}|${due}`)?.[1] ?? null
    deviations.push({
      complaintId,
      step,
      due,
      happened,
      detail: `${what}; ${escalated === null ? 'not escalated' : `escalated to the manager at ${escalated}`}`,
    })
    if (escalated === null)
      deviations.push({
        complaintId,
        step: 'escalated',
        due,
        happened: null,
        detail: `${what}, and nobody escalated it`,
      })
  }
  const { dispatchDueBy } = filed
  if (dispatchDueBy !== null) {
    const handled = facts.dispatched ?? facts.rejected
    lateAgainst(
      'dispatched in time',
      'dispatch',
      dispatchDueBy,
      handled,
      handled === null ? 'emergency never dispatched' : 'emergency dispatched after its deadline',
    )
  }
  for (const { department, dueBy, resolvedAt } of facts.dispatches)
    lateAgainst(
      'resolved by the department deadline',
      'department',
      dueBy,
      resolvedAt,
      `${department} ${resolvedAt === null ? 'has not resolved it' : 'resolved it after its deadline'}`,
    )
  const outcome = resolved ?? facts.rejected
  if (
    outcome !== null &&
    facts.told === null &&
    Date.parse(asOf) - Date.parse(outcome) > tellOutcomeWithinMs
  ) {
    const due = new Date(Date.parse(outcome) + tellOutcomeWithinMs).toISOString()
    deviations.push({
      complaintId,
      step: 'outcome told',
      due,
      happened: null,
      detail: 'owner never told the outcome',
    })
  }
  return deviations
}

/**
 * Reads every complaint stream of the store and audits each: every complaint's deviations as of `asOf`. A stored event that cannot be read throws, unless
 * `onUnreadable` is given: then it is skipped and reported there.
 */
export const auditComplaints = async (
  store: EventStore,
  asOf: string,
  options: { readonly onUnreadable?: (error: Error) => void } = {},
): Promise<Deviation[]> => {
  const codec = serde()
  const complaints = new Map<string, ProcedureFacts>()
  // Only the steps the checks read are decoded (the store leaves the others unparsed), and only what
  // the checks read of them is kept.
  const only = { types: procedureTypes as ReadonlySet<string> }
  for (let after: Position | undefined; ; ) {
    const page = await store.readAll(
      after === undefined ? { maxCount: 2000, only } : { after, maxCount: 2000, only },
    )
    for (const stored of page.events) {
      if (!stored.streamName.startsWith('complaint-')) continue
      let recorded: RecordedEvent
      try {
        recorded = codec.decode(stored, { personalData: false })
      } catch (error) {
        if (options.onUnreadable === undefined) throw error
        options.onUnreadable(error as Error)
        continue
      }
      const id = stored.streamName.slice('complaint-'.length)
      const facts = complaints.get(id) ?? noProcedureFacts()
      complaints.set(id, addProcedureEvent(facts, procedureEventOf(recorded.event as ComplaintEvent)))
    }
    after = page.lastPosition
    if (page.isEnd) break
  }
  return [...complaints].flatMap(([id, facts]) => procedureDeviations(id, facts, asOf))
}
