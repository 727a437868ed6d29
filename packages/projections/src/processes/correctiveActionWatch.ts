/**
 * The corrective-action watch: when a complaint is filed about the same subject on the same unit as a
 * corrective action that was completed (or reviewed), the problem came back, and the watch reopens the
 * action (杜绝二次投诉: a repeat is a sign that the correction did not hold). A process manager
 * (processManager.ts): its state indexes actions by unit and subject; each reopening is a pending
 * command with an id derived from the action and the complaint, so it is sent once.
 *
 * It reacts to what it learns, in the order events were stored: a complaint stored before the action it
 * repeats was recorded does not reopen it. A reopening not sent within the days it would give the
 * department (`correctiveActionReopenDays`; the watch was down that long) is left to people.
 */
import { createHash } from 'node:crypto'
import { defaultPolicies, type Policies } from '@property-services/domain'
import type { Document } from '../readModelStore/port.js'
import type { Change, Projection } from '../runner/projection.js'
import { type PendingCommand, type ProcessManagerOptions, processManager } from './processManager.js'

export const correctiveActionWatchName = 'correctiveActionWatch'

interface WatchedAction extends Document {
  readonly key: string
  readonly status: 'open' | 'completed' | 'verified' | 'ineffective'
  /** The complaints it was opened or reopened for. */
  readonly complaintIds: readonly string[]
  /** Its reopenings waiting to be sent, by pending id. */
  readonly pending: readonly string[]
}

interface ActionsOfUnitSubject extends Document {
  readonly actions: readonly string[]
}

interface Collections {
  readonly [collection: string]: Document
  readonly actions: WatchedAction
  readonly byUnitSubject: ActionsOfUnitSubject
  readonly pending: PendingCommand
}

const keyOf = (unitId: string, subject: string) => `${unitId}|${subject}`
const DAY = 86_400_000

export const correctiveActionWatchProjection = (
  policies: Policies = defaultPolicies,
): Projection<Collections> => ({
  name: correctiveActionWatchName,
  collections: ['actions', 'byUnitSubject', 'pending'],
  canHandle: [
    'CorrectiveActionOpened',
    'CorrectiveActionCompleted',
    'CorrectiveActionReviewed',
    'CorrectiveActionReopened',
    'ComplaintFiled',
  ],
  prefetch: ({ event }, view) => {
    if (event.type === 'ComplaintFiled') {
      const key = keyOf(event.data.unitId, event.data.subject)
      const actions = view.get('byUnitSubject', key)?.actions ?? []
      return [['byUnitSubject', key], ...actions.map((id) => ['actions', id] as const)]
    }
    if (event.type === 'CorrectiveActionOpened')
      return [
        ['byUnitSubject', keyOf(event.data.unitId, event.data.subject)],
        ['actions', event.data.actionId],
      ]
    return [['actions', (event.data as { actionId: string }).actionId]]
  },
  project({ event }, view) {
    switch (event.type) {
      case 'CorrectiveActionOpened': {
        const { actionId, complaintId, unitId, subject } = event.data
        const key = keyOf(unitId, subject)
        const index = view.get('byUnitSubject', key) ?? { _id: key, actions: [] }
        const action: WatchedAction = {
          _id: actionId,
          key,
          status: 'open',
          complaintIds: [complaintId],
          pending: [],
        }
        return [
          { collection: 'actions', id: actionId, doc: action },
          {
            collection: 'byUnitSubject',
            id: key,
            doc: {
              ...index,
              actions: index.actions.includes(actionId) ? index.actions : [...index.actions, actionId],
            },
          },
        ]
      }
      case 'CorrectiveActionCompleted':
      case 'CorrectiveActionReviewed': {
        const before = view.get('actions', event.data.actionId)
        if (before === undefined) return []
        const status =
          event.type === 'CorrectiveActionCompleted'
            ? 'completed'
            : event.data.effective
              ? 'verified'
              : 'ineffective'
        return [{ collection: 'actions', id: before._id, doc: { ...before, status } }]
      }
      case 'CorrectiveActionReopened': {
        const before = view.get('actions', event.data.actionId)
        if (before === undefined) return []
        const { complaintId } = event.data
        // Reopened: every reopening still waiting is moot.
        const changes: Change[] = before.pending.map((id) => ({ collection: 'pending', id, doc: null }))
        changes.push({
          collection: 'actions',
          id: before._id,
          doc: {
            ...before,
            status: 'open',
            complaintIds: complaintId === null ? before.complaintIds : [...before.complaintIds, complaintId],
            pending: [],
          },
        })
        return changes
      }
      case 'ComplaintFiled': {
        const { complaintId, unitId, subject, category, at } = event.data
        const index = view.get('byUnitSubject', keyOf(unitId, subject))
        if (index === undefined) return []
        const changes: Change[] = []
        for (const actionId of index.actions) {
          const action = view.get('actions', actionId)
          if (action === undefined || action.status === 'open' || action.complaintIds.includes(complaintId))
            continue
          const id = `${actionId}/${complaintId}`
          if (action.pending.includes(id)) continue
          const from = new Date(at).toISOString()
          const until = new Date(Date.parse(at) + policies.correctiveActionReopenDays * DAY).toISOString()
          const pending: PendingCommand = {
            _id: id,
            from,
            until,
            commandId: `cw-${createHash('sha256').update(`${actionId}|${complaintId}`).digest('hex').slice(0, 40)}`,
            command: {
              type: 'ReopenCorrectiveAction',
              data: {
                actionId,
                complaintId,
                reason: `repeat complaint ${complaintId} (${category}/${subject}) on unit ${unitId}`,
                dueBy: until,
              },
            },
          }
          changes.push(
            { collection: 'pending', id, doc: pending },
            { collection: 'actions', id: actionId, doc: { ...action, pending: [...action.pending, id] } },
          )
        }
        return changes
      }
      default:
        return []
    }
  },
})

export interface CorrectiveActionWatchOptions extends ProcessManagerOptions {
  readonly policies?: Policies
}

/** The corrective-action watch; see `processManager` for `runOnce`, `start` and `nextDueAt`. */
export const correctiveActionWatch = (options: CorrectiveActionWatchOptions) =>
  processManager(correctiveActionWatchProjection(options.policies ?? defaultPolicies), {
    actor: { id: 'corrective-action-watch', role: 'system' },
    ...options,
  })
