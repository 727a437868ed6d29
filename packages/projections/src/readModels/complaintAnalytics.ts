/**
 * Complaint analytics: per category, subject, channel and department, per month of filing: how many
 * were filed, are open, were resolved, rejected, closed; how many complaints were reopened and how many
 * reopenings there were (a complaint may be reopened twice); time to acknowledge and to resolve
 * (sum and count); verbal complaints answered after their one-working-day deadline; escalations to the
 * manager (an emergency not dispatched in time, a department late); closing ratings.
 *
 * Each complaint keeps a summary document. Every complaint contributes counters to the buckets of its
 * dimensions in its community; an event changes the summary, and the buckets change by
 * contributions(after) minus contributions(before). So a bucket always equals the sum over its
 * complaints, whatever the order of batches, and a complaint moving department moves its counters with
 * it. The company's figures are the sum of its communities', added up when asked (a bucket is written
 * once per change, not once for the community and again for the company).
 */
import {
  aggregates,
  type ComplaintEvent,
  DEFAULT_COMMUNITY,
  defaultPolicies,
  isoMillis,
  type Policies,
} from '@property-services/domain'
import type { Document, Filter, FindOptions, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Change, Projection } from '../runner/projection.js'
import { inMonths, millisBetween, monthOf, perCommunity } from './periods.js'

export const complaintAnalyticsName = 'complaintAnalytics'

/** One complaint, as the analytics know it. */
export interface ComplaintSummary extends Document {
  readonly ownerId: string
  readonly unitId: string
  readonly communityId: string
  readonly category: string
  readonly subject: string
  readonly channel: string
  readonly month: string
  readonly filedAt: string
  readonly replyDueBy: string | null
  readonly repliedAt: string | null
  readonly acknowledgedAt: string | null
  readonly resolvedAt: string | null
  readonly rejected: boolean
  readonly department: string | null
  readonly status: string
  readonly reopenCount: number
  /** Escalations to the manager (see the deadline watch). Absent in summaries written before them. */
  readonly escalations?: number
  readonly rating: number | null
}

export const counterNames = [
  'filed',
  'open',
  'resolved',
  'rejected',
  /** Complaints reopened at least once. */
  'reopenedComplaints',
  /** Reopenings: a complaint reopened twice counts twice. */
  'reopenings',
  'closed',
  'acknowledgeMsSum',
  'acknowledgeCount',
  'resolveMsSum',
  'resolveCount',
  'replyDeadlineMissed',
  /** Escalations to the manager: a complaint escalated for two deadlines counts twice. */
  'escalations',
  'ratingSum',
  'ratingCount',
] as const
export type Counters = { readonly [K in (typeof counterNames)[number]]: number }

export type Dimension = 'category' | 'subject' | 'channel' | 'department'

/** A counter no complaint has moved is absent from its bucket, and reads as zero. */
export interface Bucket extends Document, Partial<Counters> {
  readonly community: string
  readonly dimension: Dimension
  readonly key: string
  readonly month: string
}

/** A verbal complaint whose first answer came after its deadline (times compared as instants). */
const answeredLate = (c: ComplaintSummary): boolean =>
  c.replyDueBy !== null && c.repliedAt !== null && isoMillis(c.repliedAt) > isoMillis(c.replyDueBy)

const complaintEventTypes: ReadonlySet<string> = new Set(aggregates().complaint.eventTypes)

/** The community of a summary or bucket, the default one for those written before communities. */
const communityOf = (doc: { readonly community?: string; readonly communityId?: string }) =>
  doc.community ?? doc.communityId ?? DEFAULT_COMMUNITY

/** What one complaint adds to each of the buckets it counts in. */
const complaintCounters = (c: ComplaintSummary): Counters => ({
  filed: 1,
  open: c.status === 'closed' ? 0 : 1,
  resolved: c.resolvedAt === null ? 0 : 1,
  rejected: c.rejected ? 1 : 0,
  reopenedComplaints: c.reopenCount > 0 ? 1 : 0,
  reopenings: c.reopenCount,
  closed: c.status === 'closed' ? 1 : 0,
  acknowledgeMsSum: c.acknowledgedAt === null ? 0 : millisBetween(c.filedAt, c.acknowledgedAt),
  acknowledgeCount: c.acknowledgedAt === null ? 0 : 1,
  resolveMsSum: c.resolvedAt === null ? 0 : millisBetween(c.filedAt, c.resolvedAt),
  resolveCount: c.resolvedAt === null ? 0 : 1,
  replyDeadlineMissed: answeredLate(c) ? 1 : 0,
  escalations: c.escalations ?? 0,
  ratingSum: c.rating ?? 0,
  ratingCount: c.rating === null ? 0 : 1,
})

interface BucketOf {
  readonly id: string
  /** What a bucket created by the complaint's counters starts with. */
  readonly onInsert: {
    readonly community: string
    readonly dimension: Dimension
    readonly key: string
    readonly month: string
  }
}

/** The buckets one complaint counts in: one per dimension it has, in its community and month. */
const bucketsOf = (c: ComplaintSummary | undefined): BucketOf[] => {
  if (c === undefined) return []
  const community = communityOf(c)
  const { month } = c
  const buckets: BucketOf[] = []
  const add = (dimension: Dimension, key: string | null) => {
    if (key !== null)
      buckets.push({
        id: `${community}|${dimension}|${key}|${month}`,
        onInsert: { community, dimension, key, month },
      })
  }
  add('category', c.category)
  add('subject', `${c.category}/${c.subject}`)
  add('channel', c.channel)
  add('department', c.department)
  return buckets
}

/** Whether two states of a complaint count in the same buckets (most events change none of these). */
const sameBuckets = (a: ComplaintSummary, b: ComplaintSummary): boolean =>
  communityOf(a) === communityOf(b) &&
  a.month === b.month &&
  a.category === b.category &&
  a.subject === b.subject &&
  a.channel === b.channel &&
  a.department === b.department

/**
 * `added` minus `removed`, the counters that differ only (most events move two or three of fifteen),
 * or undefined when none does.
 */
const difference = (added: Counters | undefined, removed: Counters | undefined) => {
  const by: Record<string, number> = {}
  let changed = false
  for (const name of counterNames) {
    const delta = (added?.[name] ?? 0) - (removed?.[name] ?? 0)
    if (delta === 0) continue
    changed = true
    by[name] = delta
  }
  return changed ? by : undefined
}

const increment = (bucket: BucketOf, by: Record<string, number>): Change => ({
  collection: 'buckets',
  id: bucket.id,
  by,
  onInsert: bucket.onInsert,
})

/**
 * What the buckets gain and lose when a complaint changes: its counters after minus its counters
 * before, in the buckets it counted in before (first) and counts in after. Most events leave the
 * buckets where they are, so each difference is worked out once and shared by the buckets it applies to.
 */
const bucketChanges = (before: ComplaintSummary | undefined, after: ComplaintSummary): Change[] => {
  const counted = before === undefined ? undefined : complaintCounters(before)
  const counts = complaintCounters(after)
  const kept = difference(counts, counted)
  if (before !== undefined && sameBuckets(before, after))
    return kept === undefined ? [] : bucketsOf(after).map((bucket) => increment(bucket, kept))
  const was = bucketsOf(before)
  const now = bucketsOf(after)
  // A complaint leaves or joins a bucket only when it moves (department, say): worked out when it does.
  let removed: Record<string, number> | undefined
  let added: Record<string, number> | undefined
  const changes: Change[] = []
  for (const bucket of was) {
    if (now.some((b) => b.id === bucket.id)) {
      if (kept !== undefined) changes.push(increment(bucket, kept))
    } else {
      removed ??= difference(undefined, counted)
      if (removed !== undefined) changes.push(increment(bucket, removed))
    }
  }
  for (const bucket of now) {
    if (was.some((b) => b.id === bucket.id)) continue
    added ??= difference(counts, undefined)
    if (added !== undefined) changes.push(increment(bucket, added))
  }
  return changes
}

interface Collections {
  readonly [collection: string]: Document
  readonly complaints: ComplaintSummary
  readonly buckets: Bucket
}

/** The complaint analytics projection under the given policies (its calendar sets the local month). */
export const complaintAnalytics = (policies: Policies = defaultPolicies): Projection<Collections> => ({
  name: complaintAnalyticsName,
  collections: ['complaints', 'buckets'],
  canHandle: [...complaintEventTypes],
  prefetch: ({ event }) => [['complaints', (event as ComplaintEvent).data.complaintId]],
  project({ event: anyEvent }, view) {
    if (!complaintEventTypes.has(anyEvent.type)) return []
    const event = anyEvent as ComplaintEvent
    const id = event.data.complaintId
    const before = view.get('complaints', id)
    let after: ComplaintSummary | undefined
    if (event.type === 'ComplaintFiled') {
      const d = event.data
      after = {
        _id: id,
        ownerId: d.ownerId,
        unitId: d.unitId,
        communityId: d.communityId,
        category: d.category,
        subject: d.subject,
        channel: d.channel,
        month: monthOf(d.at, policies.calendar),
        filedAt: d.at,
        replyDueBy: d.replyDueBy,
        repliedAt: null,
        acknowledgedAt: null,
        resolvedAt: null,
        rejected: false,
        department: null,
        status: 'filed',
        reopenCount: 0,
        escalations: 0,
        rating: null,
      }
    } else if (before !== undefined) {
      const at = event.data.at
      switch (event.type) {
        case 'ComplaintAcknowledged':
          after = { ...before, status: 'acknowledged', acknowledgedAt: before.acknowledgedAt ?? at }
          break
        case 'ResolutionProposed':
          after = { ...before, repliedAt: before.repliedAt ?? at }
          break
        case 'ComplaintDispatched':
          after = { ...before, status: 'dispatched', department: event.data.department }
          break
        case 'ComplaintResolved':
          after = { ...before, status: 'resolved', resolvedAt: before.resolvedAt ?? at }
          break
        case 'ComplaintRejected':
          after = { ...before, status: 'rejected', rejected: true, repliedAt: before.repliedAt ?? at }
          break
        case 'ComplaintOutcomeNotified':
          after = { ...before, status: 'notified' }
          break
        case 'ComplaintClosed':
          after = { ...before, status: 'closed', rating: event.data.rating }
          break
        case 'ComplaintReopened':
          after = { ...before, status: 'reopened', reopenCount: before.reopenCount + 1 }
          break
        case 'ComplaintEscalated':
          after = { ...before, escalations: (before.escalations ?? 0) + 1 }
          break
      }
    }
    if (after === undefined) return []
    return [{ collection: 'complaints', id, doc: after }, ...bucketChanges(before, after)]
  },
})

export interface AnalyticsRow extends Counters {
  readonly dimension: Dimension
  readonly key: string
  readonly month: string
  /** Average hours from filing to acknowledgement; null when none was acknowledged. */
  readonly averageAcknowledgeHours: number | null
  readonly averageResolveHours: number | null
  readonly averageRating: number | null
}

/** One community's figures over a range of months, beside the others'. */
export interface CommunityRow extends Omit<AnalyticsRow, 'dimension' | 'key' | 'month'> {
  readonly community: string
}

/** Which months, and which community (the whole company when absent). */
export interface AnalyticsRange {
  readonly from?: string
  readonly to?: string
  readonly community?: string
}

const average = (sum: number, count: number, scale = 1) => (count === 0 ? null : sum / count / scale)

// A counter absent from a bucket (never moved, or added later, as escalations were) is zero.
const countersOf = (b: Partial<Counters>): Counters =>
  Object.fromEntries(counterNames.map((name) => [name, b[name] ?? 0])) as Counters

const sum = (a: Counters, b: Counters): Counters =>
  Object.fromEntries(counterNames.map((name) => [name, a[name] + b[name]])) as Counters

const withAverages = <R extends Counters>(row: R) => ({
  ...row,
  averageAcknowledgeHours: average(row.acknowledgeMsSum, row.acknowledgeCount, 3_600_000),
  averageResolveHours: average(row.resolveMsSum, row.resolveCount, 3_600_000),
  averageRating: average(row.ratingSum, row.ratingCount),
})

/** Counters per key and month, in the order of the buckets (month, then key), summed over communities. */
const rowsOf = (dimension: Dimension, buckets: readonly Bucket[]): AnalyticsRow[] => {
  const rows = new Map<string, { dimension: Dimension; key: string; month: string; counters: Counters }>()
  for (const b of buckets) {
    const id = `${b.month}|${b.key}`
    const row = rows.get(id)
    if (row === undefined) rows.set(id, { dimension, key: b.key, month: b.month, counters: countersOf(b) })
    else row.counters = sum(row.counters, countersOf(b))
  }
  return [...rows.values()].map(({ counters, ...row }) => withAverages({ ...row, ...counters }))
}

/** Queries over the complaint analytics read model that readers currently see. */
export const complaintAnalyticsQueries = (readModels: ReadModelStore) => {
  const collection = (name: string) => readerCollection(readModels, complaintAnalyticsName, name)
  const buckets = async (dimension: Dimension, range: AnalyticsRange): Promise<Bucket[]> =>
    (await (
      await collection('buckets')
    ).find(
      {
        dimension: { $eq: dimension },
        ...(range.community === undefined ? {} : { community: { $eq: range.community } }),
        ...inMonths(range),
      },
      { sort: { month: 1, key: 1 } },
    )) as Bucket[]
  const complaints = async (filter: Filter, sort: FindOptions['sort'], community: string | undefined) =>
    (await (
      await collection('complaints')
    ).find(
      { ...filter, ...(community === undefined ? {} : { communityId: { $eq: community } }) },
      {
        ...(sort === undefined ? {} : { sort }),
      },
    )) as ComplaintSummary[]
  return {
    /**
     * Counters per key of a dimension and month, optionally for months in [from, to]: of one community,
     * or of the whole company (every community's added up).
     */
    by: async (dimension: Dimension, range: AnalyticsRange = {}): Promise<AnalyticsRow[]> =>
      rowsOf(dimension, await buckets(dimension, range)),
    /**
     * The rows of `by` for every community at once, by community: one query for a company of
     * many communities, where asking `by` for each would read the collection once a community.
     */
    byCommunity: async (
      dimension: Dimension,
      range: Omit<AnalyticsRange, 'community'> = {},
    ): Promise<ReadonlyMap<string, AnalyticsRow[]>> =>
      perCommunity(await buckets(dimension, range), communityOf, (found) => rowsOf(dimension, found)),
    /** Every community's figures over the months in [from, to], side by side, in order of community. */
    communities: async (range: Omit<AnalyticsRange, 'community'> = {}): Promise<CommunityRow[]> => {
      const totals = new Map<string, Counters>()
      // Each complaint counts once in the category dimension: its community's total.
      for (const b of await buckets('category', range)) {
        const community = communityOf(b)
        const total = totals.get(community)
        totals.set(community, total === undefined ? countersOf(b) : sum(total, countersOf(b)))
      }
      return [...totals.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([community, counters]) => withAverages({ community, ...counters }))
    },
    /**
     * Verbal complaints whose reply was owed and not given as of `asOf`: the deadline had passed, and
     * the reply came later or not yet. A question about that moment, answered the same whenever asked.
     * Of one community, or of all.
     */
    overdueReplies: async (
      asOf: string,
      filter: { readonly community?: string } = {},
    ): Promise<ComplaintSummary[]> => {
      const moment = new Date(asOf).toISOString()
      // Deadlines and reply times are stored as UTC ISO strings, so they order as text.
      const due = await complaints({ replyDueBy: { $lt: moment } }, { replyDueBy: 1 }, filter.community)
      // Reply times are business times as recorded, possibly with an offset: compare them as moments.
      return due.filter((c) => c.repliedAt === null || Date.parse(c.repliedAt) > Date.parse(moment))
    },
    /** Verbal complaints answered after their deadline, of one community or of all. */
    lateReplies: async (filter: { readonly community?: string } = {}): Promise<ComplaintSummary[]> =>
      (await complaints({ replyDueBy: { $gt: '' } }, { filedAt: 1 }, filter.community)).filter(answeredLate),
    complaint: async (complaintId: string): Promise<ComplaintSummary | undefined> =>
      ((await (await collection('complaints')).findByIds([complaintId])) as ComplaintSummary[])[0],
  }
}
