/** The report: read models as plain-text tables for a terminal. */
import type { ReadModelStore } from '@property-services/projections'
import {
  complaintAnalyticsQueries,
  repeatComplaintQueries,
  satisfactionTrendQueries,
  serviceBoardQueries,
  visitCadenceQueries,
} from '@property-services/projections'
import { localTime } from './localTime.js'
import { cliPolicies } from './policies.js'

const table = (headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string => {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)))
  const line = (row: readonly string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  )
}
const fixed = (value: number | null, digits = 1) => (value === null ? '-' : value.toFixed(digits))
const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`)

export interface ReportData {
  readonly byCategory: Awaited<ReturnType<ReturnType<typeof complaintAnalyticsQueries>['by']>>
  readonly repeatRates: Awaited<ReturnType<ReturnType<typeof repeatComplaintQueries>['rates']>>
  readonly repeats: Awaited<ReturnType<ReturnType<typeof repeatComplaintQueries>['repeats']>>
  readonly hotspots: Awaited<ReturnType<ReturnType<typeof repeatComplaintQueries>['hotspots']>>
  readonly satisfaction: Awaited<ReturnType<ReturnType<typeof satisfactionTrendQueries>['trend']>>
  readonly lateReplies: Awaited<ReturnType<ReturnType<typeof complaintAnalyticsQueries>['lateReplies']>>
  /** The moment the visit figures are as of. */
  readonly asOf: string
  readonly visits: Awaited<ReturnType<ReturnType<typeof visitCadenceQueries>['summary']>>
  readonly overdueVisits: Awaited<ReturnType<ReturnType<typeof visitCadenceQueries>['overdue']>>
  readonly board: Awaited<ReturnType<ReturnType<typeof serviceBoardQueries>['board']>>
}

/** Fen as yuan, as a notice board shows prices. */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`

/** What the report shows; visits as of `asOf` (default: now), under the command line's policies. */
export const reportData = async (
  readModels: ReadModelStore,
  asOf: string = new Date().toISOString(),
): Promise<ReportData> => {
  const analytics = complaintAnalyticsQueries(readModels)
  const repeats = repeatComplaintQueries(readModels)
  const visits = visitCadenceQueries(readModels, cliPolicies)
  return {
    asOf,
    visits: await visits.summary(asOf),
    overdueVisits: await visits.overdue(asOf),
    board: await serviceBoardQueries(readModels, cliPolicies).board({ asOf }),
    byCategory: await analytics.by('category'),
    repeatRates: await repeats.rates(),
    repeats: await repeats.repeats(),
    hotspots: await repeats.hotspots('unit', 5),
    satisfaction: await satisfactionTrendQueries(readModels).trend('half'),
    lateReplies: await analytics.lateReplies(),
  }
}

export const renderReport = (data: ReportData): string => {
  const sections = [
    '== Complaints by category and month ==',
    table(
      [
        'category',
        'month',
        'filed',
        'open',
        'resolved',
        'rejected',
        'reopened',
        'reopenings',
        'closed',
        'ack h',
        'resolve h',
        'rating',
        'late replies',
      ],
      data.byCategory.map((r) => [
        r.key,
        r.month,
        r.filed,
        r.open,
        r.resolved,
        r.rejected,
        r.reopenedComplaints,
        r.reopenings,
        r.closed,
        fixed(r.averageAcknowledgeHours),
        fixed(r.averageResolveHours),
        fixed(r.averageRating, 2),
        r.replyDeadlineMissed,
      ]),
    ),
    '',
    '== Repeat complaints (二次投诉) ==',
    table(
      ['category', 'month', 'complaints', 'repeats', 'rate'],
      data.repeatRates
        .filter((r) => r.repeats > 0)
        .map((r) => [r.category, r.month, r.complaints, r.repeats, percent(r.rate)]),
    ),
    `total: ${data.repeats.length} repeats (${data.repeats.filter((r) => r.reason === 'reopened').length} reopenings); units repeating most: ${data.hotspots.map((h) => `${h.key} (${h.repeats})`).join(', ') || 'none'}`,
    '',
    '== Satisfaction per half-year and dimension (all sources) ==',
    table(
      ['dimension', 'period', 'responses', 'average', 'change'],
      data.satisfaction.map((p) => [
        p.dimension,
        p.period,
        p.responses,
        fixed(p.average, 2),
        p.change === null ? '-' : `${p.change >= 0 ? '+' : ''}${p.change.toFixed(2)}`,
      ]),
    ),
    '',
    '== Verbal complaints answered after their one-working-day deadline ==',
    table(
      ['complaint', 'category', 'filed', 'reply due', 'replied'],
      data.lateReplies.map((c) => [
        c._id,
        c.category,
        localTime(c.filedAt),
        localTime(c.replyDueBy ?? '-'),
        localTime(c.repliedAt ?? '-'),
      ]),
    ),
    '',
    '== Service board (服务公示): the services posted, with what free ones cost the company ==',
    table(
      ['service', 'kind', 'price', 'cost', 'quality standard', 'packages', 'ratings (3 months)'],
      data.board.map((b) => [
        b.name,
        b.kind,
        b.kind === 'free' ? 'free' : yuan(b.priceFen),
        yuan(b.disclosedCostFen),
        b.qualityStandard,
        b.packages.join(', ') || '-',
        b.recentAverage === null ? '-' : `${b.recentAverage.toFixed(1)} (${b.recentRatings})`,
      ]),
    ),
    '',
    `== Home visits as of ${localTime(data.asOf)} (key customers monthly, general quarterly, potential half-yearly) ==`,
    table(
      ['grade', 'owners', 'overdue'],
      data.visits.map((v) => [v.grade, v.owners, v.overdue]),
    ),
    table(
      ['owner', 'grade', 'last visit', 'due by', 'days overdue'],
      data.overdueVisits
        .slice(0, 10)
        .map((o) => [
          o.ownerId,
          o.grade,
          o.lastVisitAt === null ? 'never' : localTime(o.lastVisitAt),
          localTime(o.dueBy),
          o.daysOverdue,
        ]),
    ),
  ]
  return sections.join('\n')
}
