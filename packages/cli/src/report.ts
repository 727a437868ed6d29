/** The report: read models as plain-text tables for a terminal. */
import type { ReadModelStore } from '@property-services/projections'
import {
  complaintAnalyticsQueries,
  correctiveActionQueries,
  meetingQueries,
  repeatComplaintQueries,
  satisfactionTrendQueries,
  serviceBoardQueries,
  trainingQueries,
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
  readonly staffSatisfaction: Awaited<ReturnType<ReturnType<typeof satisfactionTrendQueries>['staffTrend']>>
  /** The twelve local months that ended before the month of `asOf`, `YYYY-MM`. */
  readonly months: { readonly from: string; readonly to: string }
  readonly meetingsPerMonth: Awaited<ReturnType<ReturnType<typeof meetingQueries>['heldPerMonth']>>
  readonly forumGaps: readonly string[]
  readonly openActionItems: Awaited<ReturnType<ReturnType<typeof meetingQueries>['openActionItems']>>
  readonly correctiveActions: Awaited<ReturnType<ReturnType<typeof correctiveActionQueries>['summary']>>
  readonly correctiveActionsNeedingAttention: Awaited<
    ReturnType<ReturnType<typeof correctiveActionQueries>['needingAttention']>
  >
  readonly missingTraining: Awaited<ReturnType<ReturnType<typeof trainingQueries>['missing']>>
  readonly trainingCoverage: Awaited<ReturnType<ReturnType<typeof trainingQueries>['coverage']>>
  /** Each community's figures over `months`, side by side (the company overview). */
  readonly communities: readonly CommunityFigures[]
}

/** One community in the company overview, and its complaints by category. */
export interface CommunityFigures {
  readonly community: string
  readonly filed: number
  readonly open: number
  readonly escalations: number
  readonly repeatRate: number | null
  /** Owners' average score in the half-year of the last month reported on (every source), and the company's. */
  readonly satisfaction: number | null
  readonly companySatisfaction: number | null
  readonly overdueVisits: number
  readonly forumGaps: number
  readonly byCategory: ReadonlyArray<{
    readonly category: string
    readonly filed: number
    readonly open: number
    readonly escalations: number
    readonly repeats: number
  }>
}

/** The figures of every community that has complaints, owners or meetings, in order of its id. */
const communityFigures = async (
  readModels: ReadModelStore,
  asOf: string,
  from: string,
  to: string,
): Promise<CommunityFigures[]> => {
  const analytics = complaintAnalyticsQueries(readModels)
  const repeats = repeatComplaintQueries(readModels)
  const visits = visitCadenceQueries(readModels, cliPolicies)
  const meetings = meetingQueries(readModels, cliPolicies)
  const totals = await analytics.communities({ from, to })
  const ranking = new Map((await repeats.ranking({ from, to })).map((r) => [r.community, r]))
  const scores = await satisfactionTrendQueries(readModels).communities('half')
  // The half-year of the last month reported on.
  const latest = `${to.slice(0, 4)}-H${Number(to.slice(5, 7)) <= 6 ? 1 : 2}`
  const weighted = (points: readonly { average: number; responses: number }[]) => {
    const responses = points.reduce((n, p) => n + p.responses, 0)
    return responses === 0 ? null : points.reduce((n, p) => n + p.average * p.responses, 0) / responses
  }
  const inLatest = scores.filter((s) => s.period === latest)
  const companySatisfaction = weighted(inLatest)
  const overdue = await visits.overdue(asOf)
  const ids = [
    ...new Set([
      ...totals.map((t) => t.community),
      ...inLatest.map((s) => s.community),
      ...overdue.map((o) => o.communityId),
    ]),
  ].sort()
  // One query per read model for every community: a query per community would read each collection
  // once a community, which a company of a hundred communities feels.
  const categoriesByCommunity = await analytics.byCommunity('category', { from, to })
  const ratesByCommunity = await repeats.ratesByCommunity()
  const gapsByCommunity = await meetings.forumGapsByCommunity(from, to, ids)
  return ids.map((community) => {
    const total = totals.find((t) => t.community === community)
    const byCategory = new Map<
      string,
      { category: string; filed: number; open: number; escalations: number; repeats: number }
    >()
    for (const row of categoriesByCommunity.get(community) ?? []) {
      const seen = byCategory.get(row.key) ?? {
        category: row.key,
        filed: 0,
        open: 0,
        escalations: 0,
        repeats: 0,
      }
      byCategory.set(row.key, {
        ...seen,
        filed: seen.filed + row.filed,
        open: seen.open + row.open,
        escalations: seen.escalations + row.escalations,
      })
    }
    for (const rate of ratesByCommunity.get(community) ?? [])
      if (rate.month >= from && rate.month <= to) {
        const seen = byCategory.get(rate.category)
        if (seen !== undefined)
          byCategory.set(rate.category, { ...seen, repeats: seen.repeats + rate.repeats })
      }
    return {
      community,
      filed: total?.filed ?? 0,
      open: total?.open ?? 0,
      escalations: total?.escalations ?? 0,
      repeatRate: ranking.get(community)?.rate ?? null,
      satisfaction: weighted(inLatest.filter((s) => s.community === community)),
      companySatisfaction,
      overdueVisits: overdue.filter((o) => o.communityId === community).length,
      forumGaps: gapsByCommunity.get(community)?.length ?? 0,
      byCategory: [...byCategory.values()].sort((a, b) => (a.category < b.category ? -1 : 1)),
    }
  })
}

/** `YYYY-MM` some months before `month`. */
const monthsBefore = (month: string, months: number) => {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - months
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
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
  const meetings = meetingQueries(readModels, cliPolicies)
  const corrective = correctiveActionQueries(readModels)
  const training = trainingQueries(readModels)
  // The twelve months that ended before the month of `asOf`: a month under way is no gap yet.
  const to = monthsBefore(meetings.monthOf(asOf), 1)
  const from = monthsBefore(to, 11)
  return {
    months: { from, to },
    meetingsPerMonth: await meetings.heldPerMonth(from, to),
    forumGaps: await meetings.forumGaps(from, to),
    openActionItems: await meetings.openActionItems(asOf),
    correctiveActions: await corrective.summary(asOf),
    correctiveActionsNeedingAttention: await corrective.needingAttention(asOf),
    missingTraining: await training.missing(asOf),
    trainingCoverage: await training.coverage(asOf),
    staffSatisfaction: await satisfactionTrendQueries(readModels).staffTrend('half'),
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
    communities: await communityFigures(readModels, asOf, from, to),
  }
}

/** The company overview (a row per community) and a section per community: the text and the page show them. */
export const communitySections = (data: ReportData, lang: Lang = 'en'): TableSection[] => {
  const m = messages[lang]
  return [
    {
      heading: m.companyOverview(data.months.from, data.months.to),
      columns: m.companyOverviewColumns,
      rows: data.communities.map((c) => [
        c.community,
        c.filed,
        c.open,
        c.escalations,
        percent(c.repeatRate),
        fixed(c.satisfaction, 2),
        fixed(c.companySatisfaction, 2),
        c.overdueVisits,
        c.forumGaps,
      ]),
    },
    ...data.communities.map((c) => ({
      heading: m.communitySection(c.community, data.months.from, data.months.to),
      columns: m.communityColumns,
      rows: c.byCategory.map((r) => [r.category, r.filed, r.open, r.escalations, r.repeats]),
    })),
  ]
}

/** A section of the report as a table: the text and the HTML page show the same. */
export interface TableSection {
  readonly heading: string
  readonly columns: readonly string[]
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>
  /** A line under the table. */
  readonly note?: string
}

const change = (value: number | null) =>
  value === null ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`

/** The sections of the handbook's internal systems: staff satisfaction, meetings, corrective actions, training. */
export const internalSections = (data: ReportData, lang: Lang = 'en'): TableSection[] => {
  const m = messages[lang]
  const asOf = localTime(data.asOf)
  const overdueItems = data.openActionItems.filter((i) => i.overdue)
  const c = data.correctiveActions
  return [
    {
      heading: m.staffSatisfaction,
      columns: m.staffSatisfactionColumns,
      rows: data.staffSatisfaction.map((p) => [
        p.department === '*' ? m.allDepartments : p.department,
        p.dimension,
        p.period,
        p.responses,
        fixed(p.average, 2),
        change(p.change),
      ]),
    },
    {
      heading: m.meetings(data.months.from, data.months.to),
      columns: m.meetingColumns,
      rows: data.meetingsPerMonth.map((r) => [r.month, r.forums, r.committeeMeetings]),
      note: m.forumGaps(data.forumGaps.join(', ')),
    },
    {
      heading: m.actionItems(asOf, data.openActionItems.length, overdueItems.length),
      columns: m.actionItemColumns,
      rows: data.openActionItems
        .slice(0, 10)
        .map((i) => [i.meetingId, i.description, i.department, localTime(i.dueBy), i.daysOverdue]),
    },
    {
      heading: m.correctiveActions(asOf),
      columns: m.correctiveActionColumns,
      rows: data.correctiveActionsNeedingAttention
        .slice(0, 10)
        .map((a) => [
          a.actionId,
          a.subject,
          a.unitId,
          a.department,
          a.status,
          localTime(a.dueBy),
          a.reopenings,
        ]),
      note: m.correctiveActionTotals(c.open, c.overdue, c.reviewDue, c.verified, c.ineffective, c.reopened),
    },
    {
      heading: m.training(asOf),
      columns: m.trainingColumns,
      rows: data.trainingCoverage.map((t) => [t.title, t.kind, t.required, t.trained]),
      note: m.missingTraining(
        data.missingTraining.map((p) => `${p.staffId} (${p.missing.join(', ')})`).join('; '),
      ),
    },
  ]
}

/** The report as text, in English or Chinese. */
export const renderReport = (data: ReportData, lang: Lang = 'en'): string => {
  const m = messages[lang]
  const sections = [
    ...communitySections(data, lang).flatMap((section) => [
      section.heading,
      table(section.columns, section.rows),
      '',
    ]),
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
    ...internalSections(data, lang).flatMap((section) => [
      '',
      section.heading,
      table(section.columns, section.rows),
      ...(section.note === undefined ? [] : [section.note]),
    ]),
  ]
  return sections.join('\n')
}
