/**
 * Satisfaction trends: per month, quarter and half-year, per dimension, the average score (kept as sum
 * and count), the number of responses and the change against the previous period. Three sources,
 * kept apart and combined (`all`): survey responses (their own dimensions; the half-year is the
 * survey's), complaint closing ratings (dimension `complaint-handling`) and service-order ratings
 * (dimension `service-orders`).
 *
 * Staff surveys (内部顾客满意度, 策略七) are a fourth source, `staff-survey`, kept out of `all` (which is
 * the owners' satisfaction) and counted per department as well as for every department together
 * (department `*`), so that reports show staff satisfaction next to the owners'.
 *
 * Owners' scores are counted per community; the company's are their sum, added up when asked, and each
 * community's average can be set against the company's. Staff surveys are the company's.
 */
import { DEFAULT_COMMUNITY, defaultPolicies, type Policies } from '@property-services/domain'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Increment, Projection } from '../runner/projection.js'
import { type Granularity, periodOf, previousPeriod } from './periods.js'

export const satisfactionTrendsName = 'satisfactionTrends'

export type Source = 'survey' | 'complaint-closing' | 'service-order' | 'staff-survey'

/** The department of a staff-survey bucket that counts every department. */
export const allDepartments = '*'

export interface ScoreBucket extends Document {
  /** The community of owners' scores; absent for staff surveys, which are the company's. */
  readonly community?: string
  readonly source: Source | 'all'
  readonly granularity: Granularity
  readonly period: string
  readonly dimension: string
  /** For staff surveys: the department, or `*` for all of them. */
  readonly department?: string
  readonly sum: number
  readonly count: number
}

const granularities: readonly Granularity[] = ['month', 'quarter', 'half']

interface Collections {
  readonly [collection: string]: Document
  readonly scores: ScoreBucket
}

/** One increment per bucket: scores of one event share a bucket only through `all`, never here. */
const addScores = (
  community: string,
  source: Source,
  scores: ReadonlyArray<readonly [string, number]>,
  periods: Readonly<Record<Granularity, string>>,
): Increment[] =>
  granularities.flatMap((granularity) =>
    scores.flatMap(([dimension, score]) =>
      ([source, 'all'] as const).map((s) => ({
        collection: 'scores',
        id: `${community}|${s}|${granularity}|${periods[granularity]}|${dimension}`,
        by: { sum: score, count: 1 },
        onInsert: { community, source: s, granularity, period: periods[granularity], dimension },
      })),
    ),
  )

/** A staff response counts for its department and for all departments; never in the owners' `all`. */
const addStaffScores = (
  department: string,
  scores: ReadonlyArray<readonly [string, number]>,
  periods: Readonly<Record<Granularity, string>>,
): Increment[] =>
  granularities.flatMap((granularity) =>
    scores.flatMap(([dimension, score]) =>
      [department, allDepartments].map((d) => ({
        collection: 'scores',
        id: `staff-survey|${granularity}|${periods[granularity]}|${d}|${dimension}`,
        by: { sum: score, count: 1 },
        onInsert: {
          source: 'staff-survey',
          granularity,
          period: periods[granularity],
          department: d,
          dimension,
        },
      })),
    ),
  )

export const satisfactionTrends = (policies: Policies = defaultPolicies): Projection<Collections> => {
  const periodsAt = (at: string): Record<Granularity, string> => ({
    month: periodOf(at, 'month', policies.calendar),
    quarter: periodOf(at, 'quarter', policies.calendar),
    half: periodOf(at, 'half', policies.calendar),
  })
  return {
    name: satisfactionTrendsName,
    collections: ['scores'],
    canHandle: [
      'SurveyResponseRecorded',
      'ComplaintClosed',
      'ServiceOrderRated',
      'StaffSurveyResponseRecorded',
    ],
    prefetch: () => [],
    project({ event }) {
      switch (event.type) {
        case 'SurveyResponseRecorded':
          return addScores(event.data.communityId, 'survey', Object.entries(event.data.scores), {
            ...periodsAt(event.data.at),
            half: event.data.period,
          })
        case 'ComplaintClosed':
          return addScores(
            event.data.communityId,
            'complaint-closing',
            [['complaint-handling', event.data.rating]],
            periodsAt(event.data.at),
          )
        case 'ServiceOrderRated':
          return addScores(
            event.data.communityId,
            'service-order',
            [['service-orders', event.data.score]],
            periodsAt(event.data.at),
          )
        case 'StaffSurveyResponseRecorded':
          return addStaffScores(event.data.department, Object.entries(event.data.scores), {
            ...periodsAt(event.data.at),
            half: event.data.period,
          })
        default:
          return []
      }
    },
  }
}

export interface TrendPoint {
  readonly period: string
  readonly dimension: string
  readonly responses: number
  readonly average: number
  /** Average minus the previous period's average; null when the previous period has no scores. */
  readonly change: number | null
}

export interface StaffTrendPoint extends TrendPoint {
  /** The department, or `*` for all departments. */
  readonly department: string
}

/** Points with the change against the same key's previous period. */
const withChanges = (buckets: readonly ScoreBucket[]) => {
  const keyOf = (b: ScoreBucket, period: string) => `${period}|${b.department ?? ''}|${b.dimension}`
  const byKey = new Map(buckets.map((b) => [keyOf(b, b.period), b]))
  return buckets
    .filter((b) => b.count > 0)
    .map((b) => {
      const previous = byKey.get(keyOf(b, previousPeriod(b.period)))
      const average = b.sum / b.count
      return {
        bucket: b,
        point: {
          period: b.period,
          dimension: b.dimension,
          responses: b.count,
          average,
          change:
            previous === undefined || previous.count === 0 ? null : average - previous.sum / previous.count,
        },
      }
    })
}

/** A community's average in a period and dimension, against the company's. */
export interface CommunityScore {
  readonly community: string
  readonly period: string
  readonly dimension: string
  readonly responses: number
  readonly average: number
  readonly companyAverage: number
  /** The community's average minus the company's. */
  readonly againstCompany: number
}

/** Adds up the buckets of every community that share a period, dimension and department. */
const rolledUp = (buckets: readonly ScoreBucket[]): ScoreBucket[] => {
  const byKey = new Map<string, ScoreBucket>()
  for (const b of buckets) {
    const key = `${b.period}|${b.department ?? ''}|${b.dimension}`
    const seen = byKey.get(key)
    byKey.set(key, seen === undefined ? b : { ...seen, sum: seen.sum + b.sum, count: seen.count + b.count })
  }
  return [...byKey.values()]
}

interface TrendOptions {
  readonly source?: Source | 'all'
  readonly dimension?: string
  /** One community's scores; the whole company's when absent. */
  readonly community?: string
}

/** Queries over the satisfaction-trends read model that readers currently see. */
export const satisfactionTrendQueries = (readModels: ReadModelStore) => {
  const owners = async (granularity: Granularity, options: TrendOptions) => {
    const scores = await readerCollection(readModels, satisfactionTrendsName, 'scores')
    return (await scores.find(
      {
        source: { $eq: options.source ?? 'all' },
        granularity: { $eq: granularity },
        ...(options.dimension === undefined ? {} : { dimension: { $eq: options.dimension } }),
        ...(options.community === undefined ? {} : { community: { $eq: options.community } }),
      },
      { sort: { period: 1, dimension: 1 } },
    )) as ScoreBucket[]
  }
  return {
    /**
     * Points per period (oldest first) and dimension for one source, or the owners' sources together:
     * of one community, or of the whole company.
     */
    trend: async (granularity: Granularity, options: TrendOptions = {}): Promise<TrendPoint[]> =>
      withChanges(rolledUp(await owners(granularity, options))).map(({ point }) => point),
    /**
     * Each community's average per period and dimension against the company's, for one source or the
     * owners' sources together; in order of period, dimension and community.
     */
    communities: async (
      granularity: Granularity,
      options: Omit<TrendOptions, 'community'> = {},
    ): Promise<CommunityScore[]> => {
      const buckets = (await owners(granularity, options)).filter((b) => b.count > 0)
      const company = new Map(rolledUp(buckets).map((b) => [`${b.period}|${b.dimension}`, b.sum / b.count]))
      return buckets
        .map((b) => {
          const average = b.sum / b.count
          const companyAverage = company.get(`${b.period}|${b.dimension}`) as number
          return {
            community: b.community ?? DEFAULT_COMMUNITY,
            period: b.period,
            dimension: b.dimension,
            responses: b.count,
            average,
            companyAverage,
            againstCompany: average - companyAverage,
          }
        })
        .sort(
          (a, b) =>
            (a.period < b.period ? -1 : a.period > b.period ? 1 : 0) ||
            (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0) ||
            (a.community < b.community ? -1 : a.community > b.community ? 1 : 0),
        )
    },
    /**
     * Staff satisfaction (internal customers) per period, department and dimension, oldest first; the
     * department `*` is all departments together. Optionally one department.
     */
    staffTrend: async (
      granularity: Granularity,
      options: { readonly department?: string } = {},
    ): Promise<StaffTrendPoint[]> => {
      const scores = await readerCollection(readModels, satisfactionTrendsName, 'scores')
      const buckets = (await scores.find(
        {
          source: { $eq: 'staff-survey' },
          granularity: { $eq: granularity },
          ...(options.department === undefined ? {} : { department: { $eq: options.department } }),
        },
        { sort: { period: 1, department: 1, dimension: 1 } },
      )) as ScoreBucket[]
      return withChanges(buckets).map(({ bucket, point }) => ({
        ...point,
        department: bucket.department ?? '',
      }))
    },
  }
}
