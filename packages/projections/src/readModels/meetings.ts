/**
 * Owner forums and committee meetings (策略六): the meetings held per local month, the months without
 * a forum (a monthly forum is the handbook's cadence), and the action items open or overdue as of a
 * date. Every document keeps its times, so a question about a date is answered as of that date,
 * whatever the order in which events were stored. Each question is about one community, or about all
 * of them (a month without a forum is then one in which no community held one).
 */
import {
  DEFAULT_COMMUNITY,
  defaultPolicies,
  type MeetingKind,
  type Policies,
} from '@property-services/domain'
import type { Document, Filter, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Projection } from '../runner/projection.js'
import { type CommunityFilter, monthOf, perCommunity } from './periods.js'

export const meetingsName = 'meetings'

export interface MeetingDoc extends Document {
  readonly communityId: string
  readonly kind: MeetingKind
  readonly scheduledFor: string
  /** UTC ISO time held, or null. */
  readonly heldAt: string | null
  /** The local month it was held in, or null. */
  readonly month: string | null
  readonly attendance: number | null
  readonly cancelledAt: string | null
}

export interface ActionItemDoc extends Document {
  readonly meetingId: string
  /** The meeting's community; the default one when the item was raised before its meeting was seen. */
  readonly communityId: string
  readonly kind: MeetingKind
  readonly itemId: string
  readonly description: string
  readonly department: string
  /** UTC ISO times. */
  readonly raisedAt: string
  readonly dueBy: string
  readonly closedAt: string | null
  readonly outcome: string | null
}

interface Collections {
  readonly [collection: string]: Document
  readonly meetings: MeetingDoc
  readonly actionItems: ActionItemDoc
}

// Times are stored as UTC ISO strings of one width, so that they order as text in queries.
const utc = (at: string) => new Date(at).toISOString()

export const meetings = (policies: Policies = defaultPolicies): Projection<Collections> => ({
  name: meetingsName,
  collections: ['meetings', 'actionItems'],
  canHandle: ['MeetingScheduled', 'MeetingHeld', 'MeetingCancelled', 'ActionItemRaised', 'ActionItemClosed'],
  prefetch: ({ event }) => {
    const { meetingId, itemId } = event.data as { meetingId: string; itemId?: string }
    return itemId === undefined
      ? [['meetings', meetingId]]
      : [
          ['meetings', meetingId],
          ['actionItems', `${meetingId}/${itemId}`],
        ]
  },
  project({ event }, view) {
    switch (event.type) {
      case 'MeetingScheduled': {
        const { meetingId, communityId, kind, scheduledFor } = event.data
        const doc: MeetingDoc = {
          _id: meetingId,
          communityId,
          kind,
          scheduledFor: utc(scheduledFor),
          heldAt: null,
          month: null,
          attendance: null,
          cancelledAt: null,
        }
        return [{ collection: 'meetings', id: meetingId, doc }]
      }
      case 'MeetingHeld':
      case 'MeetingCancelled': {
        const before = view.get('meetings', event.data.meetingId)
        if (before === undefined) return []
        const at = utc(event.data.at)
        const doc: MeetingDoc =
          event.type === 'MeetingHeld'
            ? {
                ...before,
                heldAt: at,
                month: monthOf(at, policies.calendar),
                attendance: event.data.attendance,
              }
            : { ...before, cancelledAt: at }
        return [{ collection: 'meetings', id: before._id, doc }]
      }
      case 'ActionItemRaised': {
        const { meetingId, kind, itemId, description, department, dueBy, at } = event.data
        const id = `${meetingId}/${itemId}`
        const doc: ActionItemDoc = {
          _id: id,
          meetingId,
          communityId: view.get('meetings', meetingId)?.communityId ?? DEFAULT_COMMUNITY,
          kind,
          itemId,
          description,
          department,
          raisedAt: utc(at),
          dueBy: utc(dueBy),
          closedAt: null,
          outcome: null,
        }
        return [{ collection: 'actionItems', id, doc }]
      }
      case 'ActionItemClosed': {
        const id = `${event.data.meetingId}/${event.data.itemId}`
        const before = view.get('actionItems', id)
        if (before === undefined) return []
        return [
          {
            collection: 'actionItems',
            id,
            doc: { ...before, closedAt: utc(event.data.at), outcome: event.data.outcome },
          },
        ]
      }
      default:
        return []
    }
  },
})

/** An action item as of a date: open (not closed by then), and overdue if its due date had passed. */
export interface ActionItemStanding extends ActionItemDoc {
  readonly overdue: boolean
  /** Whole days past due as of the date; 0 when not overdue. */
  readonly daysOverdue: number
}

/** The local months from `from` to `to`, both `YYYY-MM`. */
const monthsBetween = (from: string, to: string): string[] => {
  const months: string[] = []
  let year = Number(from.slice(0, 4))
  let month = Number(from.slice(5, 7))
  while (`${year}-${String(month).padStart(2, '0')}` <= to) {
    months.push(`${year}-${String(month).padStart(2, '0')}`)
    month = month === 12 ? 1 : month + 1
    if (month === 1) year++
  }
  return months
}

const inCommunity = (filter: CommunityFilter): Filter =>
  filter.community === undefined ? {} : { communityId: { $eq: filter.community } }

/** Queries over the meetings read model that readers currently see. */
export const meetingQueries = (readModels: ReadModelStore, policies: Policies = defaultPolicies) => {
  const collection = (name: string) => readerCollection(readModels, meetingsName, name)
  return {
    /**
     * Action items raised by `asOf` and not closed by then, most overdue first; `overdueOnly` keeps
     * those past their due date.
     */
    openActionItems: async (
      asOf: string,
      options: { readonly overdueOnly?: boolean } & CommunityFilter = {},
    ): Promise<ActionItemStanding[]> => {
      const moment = utc(asOf)
      const raised = (await (
        await collection('actionItems')
      ).find(
        { raisedAt: { $lte: moment }, ...inCommunity(options) },
        { sort: { dueBy: 1 } },
      )) as ActionItemDoc[]
      return raised
        .filter((i) => i.closedAt === null || i.closedAt > moment)
        .map((i) => {
          const overdue = i.dueBy < moment
          return {
            ...i,
            overdue,
            daysOverdue: overdue ? Math.floor((Date.parse(moment) - Date.parse(i.dueBy)) / 86_400_000) : 0,
          }
        })
        .filter((i) => !options.overdueOnly || i.overdue)
    },
    /** Per local month from `from` to `to` (`YYYY-MM`): forums and committee meetings held. */
    heldPerMonth: async (from: string, to: string, filter: CommunityFilter = {}) => {
      const held = (await (
        await collection('meetings')
      ).find({ month: { $gte: from, $lte: to }, ...inCommunity(filter) })) as MeetingDoc[]
      return monthsBetween(from, to).map((month) => ({
        month,
        forums: held.filter((m) => m.month === month && m.kind === 'forum').length,
        committeeMeetings: held.filter((m) => m.month === month && m.kind === 'committee').length,
      }))
    },
    /** The local months from `from` to `to` in which no owner forum was held: gaps in the monthly cadence. */
    forumGaps: async (from: string, to: string, filter: CommunityFilter = {}): Promise<string[]> => {
      const held = (await (
        await collection('meetings')
      ).find({
        kind: { $eq: 'forum' },
        month: { $gte: from, $lte: to },
        ...inCommunity(filter),
      })) as MeetingDoc[]
      const months = new Set(held.map((m) => m.month))
      return monthsBetween(from, to).filter((m) => !months.has(m))
    },
    /**
     * The `forumGaps` of each of `communities` at once: one query for a company of many
     * communities, where asking `forumGaps` for each would read the collection once a community.
     */
    forumGapsByCommunity: async (
      from: string,
      to: string,
      communities: readonly string[],
    ): Promise<ReadonlyMap<string, string[]>> => {
      const held = (await (
        await collection('meetings')
      ).find({ kind: { $eq: 'forum' }, month: { $gte: from, $lte: to } })) as MeetingDoc[]
      const monthsHeld = perCommunity(
        held,
        (m) => m.communityId,
        (inOne) => new Set(inOne.map((m) => m.month)),
      )
      const months = monthsBetween(from, to)
      return new Map(
        communities.map((community) => {
          const heldThere = monthsHeld.get(community)
          return [community, months.filter((m) => heldThere?.has(m) !== true)]
        }),
      )
    },
    /** The local month of a moment, as the meeting queries count months. */
    monthOf: (at: string) => monthOf(at, policies.calendar),
  }
}
