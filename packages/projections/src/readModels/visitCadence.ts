/**
 * Visit cadence (策略六): who is overdue for a home visit as of a date, per customer grade. Each owner
 * keeps when they registered, their grades over time and the times they were visited, sorted by
 * business time; a question about a date reads the grade and the last visit as of that date, and
 * `nextVisitDue` (the domain's rule, `visitCadenceMonths` by grade) says when the next was due. No
 * personal data: owners appear by id only.
 */
import {
  DEFAULT_COMMUNITY,
  defaultPolicies,
  nextVisitDue,
  type OwnerGrade,
  type Policies,
} from '@property-services/domain'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Projection } from '../runner/projection.js'
import type { CommunityFilter } from './periods.js'

export const visitCadenceName = 'visitCadence'

export interface OwnerVisits extends Document {
  /** The community that keeps the owner's file; null until the registration is seen. */
  readonly communityId?: string | null
  readonly registeredAt: string | null
  /** `<UTC ISO time>|<grade>`, sorted. */
  readonly grades: readonly string[]
  /** UTC ISO times, sorted. */
  readonly visits: readonly string[]
}

interface Collections {
  readonly [collection: string]: Document
  readonly owners: OwnerVisits
}

// Times are stored as UTC ISO strings of one width (years 2000-2199), so the text sorts by time.
const utc = (at: string) => new Date(at).toISOString()
const inserted = (list: readonly string[], item: string) =>
  list.includes(item) ? list : [...list, item].sort()

/** The projection. It keeps facts only: the cadence (policy) is applied when asked, by the queries. */
export const visitCadence = (): Projection<Collections> => ({
  name: visitCadenceName,
  collections: ['owners'],
  canHandle: ['OwnerRegistered', 'OwnerGraded', 'OwnerVisited'],
  prefetch: ({ event }) => [['owners', (event.data as { ownerId: string }).ownerId]],
  project({ event }, view) {
    if (event.type !== 'OwnerRegistered' && event.type !== 'OwnerGraded' && event.type !== 'OwnerVisited')
      return []
    const id = event.data.ownerId
    const before = view.get('owners', id) ?? { _id: id, registeredAt: null, grades: [], visits: [] }
    const at = utc(event.data.at)
    const after: OwnerVisits =
      event.type === 'OwnerRegistered'
        ? {
            ...before,
            communityId: event.data.communityId,
            registeredAt: at,
            grades: inserted(before.grades, `${at}|${event.data.grade}`),
          }
        : event.type === 'OwnerGraded'
          ? { ...before, grades: inserted(before.grades, `${at}|${event.data.to}`) }
          : { ...before, visits: inserted(before.visits, at) }
    return [{ collection: 'owners', id, doc: after }]
  },
})

export interface VisitDue {
  readonly ownerId: string
  readonly communityId: string
  readonly grade: OwnerGrade
  /** The last visit as of the date, or null when never visited (then the cadence runs from registering). */
  readonly lastVisitAt: string | null
  readonly dueBy: string
  /** Whole days between the due date and the date asked about. */
  readonly daysOverdue: number
}

export interface VisitSummary {
  readonly grade: OwnerGrade
  readonly owners: number
  readonly overdue: number
}

/** Queries over the visit-cadence read model that readers currently see. */
export const visitCadenceQueries = (readModels: ReadModelStore, policies: Policies = defaultPolicies) => {
  /**
   * Every owner registered by `asOf` (in one community, or in all), with their grade, last visit and
   * next due date as of then.
   */
  const standing = async (asOf: string, filter: CommunityFilter = {}) => {
    const moment = utc(asOf)
    const owners = (await (
      await readerCollection(readModels, visitCadenceName, 'owners')
    ).find(filter.community === undefined ? {} : { communityId: { $eq: filter.community } })) as OwnerVisits[]
    return owners.flatMap((o) => {
      if (o.registeredAt === null || o.registeredAt > moment) return []
      const grade = o.grades
        .filter((g) => g.slice(0, 24) <= moment)
        .at(-1)
        ?.slice(25) as OwnerGrade | undefined
      if (grade === undefined) return []
      const lastVisitAt = o.visits.filter((v) => v <= moment).at(-1) ?? null
      const dueBy = nextVisitDue(lastVisitAt ?? o.registeredAt, grade, policies)
      return [
        {
          ownerId: o._id,
          communityId: o.communityId ?? DEFAULT_COMMUNITY,
          grade,
          lastVisitAt,
          dueBy,
          daysOverdue: Math.floor((Date.parse(moment) - Date.parse(dueBy)) / 86_400_000),
        },
      ]
    })
  }
  return {
    /** Owners overdue for a visit as of `asOf` (optionally of one grade), longest overdue first. */
    overdue: async (
      asOf: string,
      filter: { readonly grade?: OwnerGrade } & CommunityFilter = {},
    ): Promise<VisitDue[]> =>
      (await standing(asOf, filter))
        .filter((o) => o.dueBy < utc(asOf) && (filter.grade === undefined || o.grade === filter.grade))
        .sort((a, b) => (a.dueBy < b.dueBy ? -1 : a.dueBy > b.dueBy ? 1 : a.ownerId < b.ownerId ? -1 : 1)),
    /** Per grade: owners registered by `asOf`, and how many of them are overdue. */
    summary: async (asOf: string, filter: CommunityFilter = {}): Promise<VisitSummary[]> => {
      const all = await standing(asOf, filter)
      return (['key', 'general', 'potential'] as const).map((grade) => ({
        grade,
        owners: all.filter((o) => o.grade === grade).length,
        overdue: all.filter((o) => o.grade === grade && o.dueBy < utc(asOf)).length,
      }))
    },
  }
}
