/**
 * Corrective actions (CAPA): which are open, overdue, waiting for their effectiveness review, found
 * ineffective or verified, as of a date. Each action keeps its timeline (status, due date, review date
 * at each change), so a question about a date reads the entry in force then.
 */
import { DEFAULT_COMMUNITY } from '@property-services/domain'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Projection } from '../runner/projection.js'
import type { CommunityFilter } from './periods.js'

export const correctiveActionsName = 'correctiveActions'

type Status = 'open' | 'completed' | 'verified' | 'ineffective'

export interface CorrectiveActionDoc extends Document {
  readonly complaintId: string
  readonly unitId: string
  /** The unit's community; the default one in documents kept before communities. */
  readonly communityId?: string
  readonly category: string
  readonly subject: string
  readonly department: string
  readonly rootCause: string
  readonly action: string
  readonly openedAt: string
  /** `<UTC ISO time>|<status>|<due by>|<review due at or ->`, sorted by time. */
  readonly timeline: readonly string[]
  /** UTC ISO times of reopenings. */
  readonly reopenedAt: readonly string[]
}

interface Collections {
  readonly [collection: string]: Document
  readonly actions: CorrectiveActionDoc
}

const utc = (at: string) => new Date(at).toISOString()
const entry = (at: string, status: Status, dueBy: string, reviewDueAt: string | null) =>
  `${utc(at)}|${status}|${utc(dueBy)}|${reviewDueAt === null ? '-' : utc(reviewDueAt)}`
const parse = (e: string) => {
  const [at = '', status = '', dueBy = '', review = '-'] = e.split('|')
  return { at, status: status as Status, dueBy, reviewDueAt: review === '-' ? null : review }
}
const inserted = (list: readonly string[], item: string) => [...list, item].sort()

export const correctiveActions = (): Projection<Collections> => ({
  name: correctiveActionsName,
  collections: ['actions'],
  canHandle: [
    'CorrectiveActionOpened',
    'CorrectiveActionCompleted',
    'CorrectiveActionReviewed',
    'CorrectiveActionReopened',
  ],
  prefetch: ({ event }) => [['actions', (event.data as { actionId: string }).actionId]],
  project({ event }, view) {
    if (event.type === 'CorrectiveActionOpened') {
      const d = event.data
      const doc: CorrectiveActionDoc = {
        _id: d.actionId,
        complaintId: d.complaintId,
        unitId: d.unitId,
        communityId: d.communityId,
        category: d.category,
        subject: d.subject,
        department: d.department,
        rootCause: d.rootCause,
        action: d.action,
        openedAt: utc(d.at),
        timeline: [entry(d.at, 'open', d.dueBy, null)],
        reopenedAt: [],
      }
      return [{ collection: 'actions', id: d.actionId, doc }]
    }
    const before = view.get('actions', (event.data as { actionId: string }).actionId)
    if (before === undefined) return []
    const last = parse(before.timeline.at(-1) ?? '')
    let doc: CorrectiveActionDoc
    switch (event.type) {
      case 'CorrectiveActionCompleted':
        doc = {
          ...before,
          timeline: inserted(
            before.timeline,
            entry(event.data.at, 'completed', last.dueBy, event.data.reviewDueAt),
          ),
        }
        break
      case 'CorrectiveActionReviewed':
        doc = {
          ...before,
          timeline: inserted(
            before.timeline,
            entry(
              event.data.at,
              event.data.effective ? 'verified' : 'ineffective',
              last.dueBy,
              last.reviewDueAt,
            ),
          ),
        }
        break
      case 'CorrectiveActionReopened':
        doc = {
          ...before,
          timeline: inserted(before.timeline, entry(event.data.at, 'open', event.data.dueBy, null)),
          reopenedAt: inserted(before.reopenedAt, utc(event.data.at)),
        }
        break
      default:
        return []
    }
    return [{ collection: 'actions', id: before._id, doc }]
  },
})

export interface CorrectiveActionStanding {
  readonly actionId: string
  readonly complaintId: string
  readonly unitId: string
  readonly communityId: string
  readonly subject: string
  readonly department: string
  readonly status: Status
  readonly dueBy: string
  /** Open past its due date as of the date asked about. */
  readonly overdue: boolean
  readonly reviewDueAt: string | null
  /** Completed, and its review date has come. */
  readonly reviewDue: boolean
  readonly reopenings: number
}

/** Queries over the corrective-actions read model that readers currently see. */
export const correctiveActionQueries = (readModels: ReadModelStore) => {
  /** Every action opened by `asOf` (in one community, or in all), as it stood then. */
  const standing = async (
    asOf: string,
    filter: CommunityFilter = {},
  ): Promise<CorrectiveActionStanding[]> => {
    const moment = utc(asOf)
    const docs = (await (
      await readerCollection(readModels, correctiveActionsName, 'actions')
    ).find(
      {
        openedAt: { $lte: moment },
        ...(filter.community === undefined ? {} : { communityId: { $eq: filter.community } }),
      },
      { sort: { openedAt: 1 } },
    )) as CorrectiveActionDoc[]
    return docs.map((d) => {
      const now = parse(d.timeline.filter((e) => e.slice(0, 24) <= moment).at(-1) ?? d.timeline[0] ?? '')
      return {
        actionId: d._id,
        complaintId: d.complaintId,
        unitId: d.unitId,
        communityId: d.communityId ?? DEFAULT_COMMUNITY,
        subject: `${d.category}/${d.subject}`,
        department: d.department,
        status: now.status,
        dueBy: now.dueBy,
        overdue: now.status === 'open' && now.dueBy < moment,
        reviewDueAt: now.reviewDueAt,
        reviewDue: now.status === 'completed' && now.reviewDueAt !== null && now.reviewDueAt <= moment,
        reopenings: d.reopenedAt.filter((r) => r <= moment).length,
      }
    })
  }
  return {
    standing,
    /** Open, overdue, ineffective, and completed ones whose review has come: what needs attention. */
    needingAttention: async (asOf: string, filter: CommunityFilter = {}) =>
      (await standing(asOf, filter)).filter(
        (a) => a.status === 'open' || a.status === 'ineffective' || a.reviewDue,
      ),
    /** How many actions stand in each status as of `asOf`, with how many are overdue and reopened. */
    summary: async (asOf: string, filter: CommunityFilter = {}) => {
      const all = await standing(asOf, filter)
      const of = (status: Status) => all.filter((a) => a.status === status).length
      return {
        open: of('open'),
        overdue: all.filter((a) => a.overdue).length,
        completed: of('completed'),
        reviewDue: all.filter((a) => a.reviewDue).length,
        verified: of('verified'),
        ineffective: of('ineffective'),
        reopened: all.filter((a) => a.reopenings > 0).length,
      }
    },
  }
}
