/**
 * The deadline watch: a process manager that warns staff before a verbal complaint's reply deadline and
 * escalates to the manager an emergency not dispatched in time or a department late with its work.
 *
 * A process manager (processManager.ts): its state is each complaint's state folded by the domain's own
 * `evolve`, and one pending command per warning or escalation the domain's deadline rules
 * (deadlines.ts) say is pending, with the times it is due. The complaint decider accepts a warning or
 * an escalation only while it is pending, once per deadline, and each command's id is derived from the
 * complaint, the action and the deadline, so a command sent again after a crash appends nothing.
 */
import { createHash } from 'node:crypto'
import {
  aggregates,
  type ComplaintEvent,
  type ComplaintState,
  complaintDecider,
  type DeadlineAction,
  type DueAction,
  defaultPolicies,
  type Policies,
  pendingDeadlineActions,
  type TimeOrdered,
} from '@property-services/domain'
import type { Document } from '../readModelStore/port.js'
import type { Change, Projection } from '../runner/projection.js'
import { noEnd, type PendingCommand, type ProcessManagerOptions, processManager } from './processManager.js'

export const deadlineWatchName = 'deadlineWatch'

/** One warning or escalation pending for a complaint, as the command the watch sends. */
export interface PendingDeadlineAction extends PendingCommand {
  readonly complaintId: string
  readonly action: DeadlineAction
  readonly deadline: string
}

interface WatchedComplaint extends Document {
  readonly state: ComplaintState & TimeOrdered
}

interface Collections {
  readonly [collection: string]: Document
  readonly complaints: WatchedComplaint
  readonly pending: PendingDeadlineAction
}

const actions: readonly DeadlineAction[] = ['warn-reply', 'escalate-dispatch', 'escalate-department']
const pendingId = (complaintId: string, action: DeadlineAction) => `${complaintId}/${action}`
/** A deterministic command id per complaint, action and deadline: the same warning is sent once. */
const commandIdOf = (complaintId: string, action: DeadlineAction, deadline: string) =>
  `dw-${createHash('sha256').update(`${complaintId}|${action}|${deadline}`).digest('hex').slice(0, 40)}`
const pendingOf = (state: ComplaintState, policies: Policies): readonly DueAction[] =>
  state.status === 'none' ? [] : pendingDeadlineActions(state, policies)

/** The watch's state as a projection: each complaint folded, and what is pending for it. */
export const deadlineWatchProjection = (policies: Policies = defaultPolicies): Projection<Collections> => {
  const { evolve, initialState } = complaintDecider(policies)
  return {
    name: deadlineWatchName,
    collections: ['complaints', 'pending'],
    canHandle: aggregates(policies).complaint.eventTypes,
    prefetch: ({ event }) => [['complaints', (event.data as { complaintId: string }).complaintId]],
    project({ event }, view) {
      const complaintId = (event.data as { complaintId: string }).complaintId
      const before = view.get('complaints', complaintId)?.state ?? initialState
      const after = evolve(before, event as ComplaintEvent)
      const changes: Change[] = [
        { collection: 'complaints', id: complaintId, doc: { _id: complaintId, state: after } },
      ]
      const was = pendingOf(before, policies)
      const is = pendingOf(after, policies)
      for (const action of actions) {
        const now = is.find((a) => a.action === action)
        const then = was.find((a) => a.action === action)
        const id = pendingId(complaintId, action)
        if (now !== undefined && (then?.deadline !== now.deadline || then.from !== now.from)) {
          const doc: PendingDeadlineAction = {
            _id: id,
            complaintId,
            ...now,
            until: now.until ?? noEnd,
            commandId: commandIdOf(complaintId, action, now.deadline),
            command:
              action === 'warn-reply'
                ? { type: 'WarnOfReplyDeadline', data: { complaintId } }
                : {
                    type: 'EscalateComplaint',
                    data: {
                      complaintId,
                      deadline: action === 'escalate-dispatch' ? 'dispatch' : 'department',
                    },
                  },
          }
          changes.push({ collection: 'pending', id, doc })
        } else if (now === undefined && then !== undefined)
          changes.push({ collection: 'pending', id, doc: null })
      }
      return changes
    },
  }
}

export interface DeadlineWatchOptions extends ProcessManagerOptions {
  readonly policies?: Policies
}

/**
 * The deadline watch. `runOnce()` brings its state up to date and sends everything due now (for batch
 * jobs and simulations); `start()` keeps it running, waking at each due time. Its commands come from
 * `{ id: 'deadline-watch', role: 'system' }` unless another actor is given.
 */
export const deadlineWatch = (options: DeadlineWatchOptions) =>
  processManager(deadlineWatchProjection(options.policies ?? defaultPolicies), {
    actor: { id: 'deadline-watch', role: 'system' },
    ...options,
  })
