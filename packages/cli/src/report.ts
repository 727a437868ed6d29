/** The report: read models as plain-text tables for a terminal. */
import type { ReadModelStore } from '@property-services/projections'
import {
  complaintAnalyticsQueries,
  repeatComplaintQueries,
  satisfactionTrendQueries,
  serviceBoardQueries,
  visitCadenceQueries,
} from '@property-services/projections'
import stringWidth from 'string-width'
import { localTime } from './localTime.js'
import { type Lang, messages } from './messages.js'
import { cliPolicies } from './policies.js'

// Padded by display width (string-width): a Chinese character takes two columns of a terminal.
const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - stringWidth(text)))
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - stringWidth(text))) + text

const table = (headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string => {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => stringWidth(row[i] ?? ''))))
  const line = (row: readonly string[]) =>
    row.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join('  ')
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

/** The report as text, in English or Chinese. */
export const renderReport = (data: ReportData, lang: Lang = 'en'): string => {
  const m = messages[lang]
  const sections = [
    m.complaintsByCategory,
    table(
      m.complaintColumns,
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
        r.escalations,
      ]),
    ),
    '',
    m.repeats,
    table(
      m.repeatColumns,
      data.repeatRates
        .filter((r) => r.repeats > 0)
        .map((r) => [r.category, r.month, r.complaints, r.repeats, percent(r.rate)]),
    ),
    m.repeatTotal(
      data.repeats.length,
      data.repeats.filter((r) => r.reason === 'reopened').length,
      data.hotspots.map((h) => `${h.key} (${h.repeats})`).join(', '),
    ),
    '',
    m.satisfaction,
    table(
      m.satisfactionColumns,
      data.satisfaction.map((p) => [
        p.dimension,
        p.period,
        p.responses,
        fixed(p.average, 2),
        p.change === null ? '-' : `${p.change >= 0 ? '+' : ''}${p.change.toFixed(2)}`,
      ]),
    ),
    '',
    m.lateReplies,
    table(
      m.lateReplyColumns,
      data.lateReplies.map((c) => [
        c._id,
        c.category,
        localTime(c.filedAt),
        localTime(c.replyDueBy ?? '-'),
        localTime(c.repliedAt ?? '-'),
      ]),
    ),
    '',
    m.board,
    table(
      m.boardColumns,
      data.board.map((b) => [
        b.name,
        b.kind,
        b.kind === 'free' ? m.free : yuan(b.priceFen),
        yuan(b.disclosedCostFen),
        b.qualityStandard,
        b.packages.join(', ') || '-',
        b.recentAverage === null ? '-' : `${b.recentAverage.toFixed(1)} (${b.recentRatings})`,
      ]),
    ),
    '',
    m.visits(localTime(data.asOf)),
    table(
      m.visitColumns,
      data.visits.map((v) => [v.grade, v.owners, v.overdue]),
    ),
    table(
      m.overdueColumns,
      data.overdueVisits
        .slice(0, 10)
        .map((o) => [
          o.ownerId,
          o.grade,
          o.lastVisitAt === null ? m.never : localTime(o.lastVisitAt),
          localTime(o.dueBy),
          o.daysOverdue,
        ]),
    ),
  ]
  return sections.join('\n')
}
