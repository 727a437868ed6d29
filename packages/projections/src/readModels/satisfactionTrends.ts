/**
 * Satisfaction trends: per month, quarter and half-year, per dimension, the average score (kept as sum
 * and count), the number of responses and the change against the previous period. Three sources,
 * kept apart and combined (`all`): survey responses (their own dimensions; the half-year is the
 * survey's), complaint closing ratings (dimension `complaint-handling`) and service-order ratings
 * (dimension `service-orders`).
 */
import { defaultPolicies, type Policies } from '@property-services/domain'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Increment, Projection } from '../runner/projection.js'
import { type Granularity, periodOf, previousPeriod } from './periods.js'

export const satisfactionTrendsName = 'satisfactionTrends'

export type Source = 'survey' | 'complaint-closing' | 'service-order'

export interface ScoreBucket extends Document {
  readonly source: Source | 'all'
  readonly granularity: Granularity
  readonly period: string
  readonly dimension: string
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
  source: Source,
  scores: ReadonlyArray<readonly [string, number]>,
  periods: Readonly<Record<Granularity, string>>,
): Increment[] =>
  granularities.flatMap((granularity) =>
    scores.flatMap(([dimension, score]) =>
      ([source, 'all'] as const).map((s) => ({
        collection: 'scores',
        id: `${s}|${granularity}|${periods[granularity]}|${dimension}`,
        by: { sum: score, count: 1 },
        onInsert: { source: s, granularity, period: periods[granularity], dimension },
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
    canHandle: ['SurveyResponseRecorded', 'ComplaintClosed', 'ServiceOrderRated'],
    prefetch: () => [],
    project({ event }) {
      switch (event.type) {
        case 'SurveyResponseRecorded':
          return addScores('survey', Object.entries(event.data.scores), {
            ...periodsAt(event.data.at),
            half: event.data.period,
          })
        case 'ComplaintClosed':
          return addScores(
            'complaint-closing',
            [['complaint-handling', event.data.rating]],
            periodsAt(event.data.at),
          )
        case 'ServiceOrderRated':
          return addScores('service-order', [['service-orders', event.data.score]], periodsAt(event.data.at))
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

/** Queries over the satisfaction-trends read model that readers currently see. */
export const satisfactionTrendQueries = (readModels: ReadModelStore) => ({
  /** Points per period (oldest first) and dimension for one source, or all sources together. */
  trend: async (
    granularity: Granularity,
    options: { readonly source?: Source | 'all'; readonly dimension?: string } = {},
  ): Promise<TrendPoint[]> => {
    const scores = await readerCollection(readModels, satisfactionTrendsName, 'scores')
    const buckets = (await scores.find(
      {
        source: { $eq: options.source ?? 'all' },
        granularity: { $eq: granularity },
        ...(options.dimension === undefined ? {} : { dimension: { $eq: options.dimension } }),
      },
      { sort: { period: 1, dimension: 1 } },
    )) as ScoreBucket[]
    const byKey = new Map(buckets.map((b) => [`${b.period}|${b.dimension}`, b]))
    return buckets
      .filter((b) => b.count > 0)
      .map((b) => {
        const previous = byKey.get(`${previousPeriod(b.period)}|${b.dimension}`)
        const average = b.sum / b.count
        return {
          period: b.period,
          dimension: b.dimension,
          responses: b.count,
          average,
          change:
            previous === undefined || previous.count === 0 ? null : average - previous.sum / previous.count,
        }
      })
  },
})
