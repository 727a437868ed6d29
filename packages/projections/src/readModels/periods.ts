import { isoMillis, localDate, type WorkingCalendar } from '@property-services/domain'
import type { Filter } from '../readModelStore/port.js'

/** The local month of a moment, `YYYY-MM`. */
export const monthOf = (iso: string, calendar: WorkingCalendar): string =>
  localDate(iso, calendar).slice(0, 7)

export type Granularity = 'month' | 'quarter' | 'half'

/** The local period of a moment: `2026-03`, `2026-Q1` or `2026-H1`. */
export const periodOf = (iso: string, granularity: Granularity, calendar: WorkingCalendar): string => {
  const date = localDate(iso, calendar)
  const year = date.slice(0, 4)
  const month = Number(date.slice(5, 7))
  if (granularity === 'month') return date.slice(0, 7)
  if (granularity === 'quarter') return `${year}-Q${Math.ceil(month / 3)}`
  return `${year}-H${month <= 6 ? 1 : 2}`
}

/** The period before: `2026-01` -> `2025-12`, `2026-Q1` -> `2025-Q4`, `2026-H1` -> `2025-H2`. */
export const previousPeriod = (period: string): string => {
  const year = Number(period.slice(0, 4))
  const rest = period.slice(5)
  if (rest.startsWith('Q')) {
    const q = Number(rest.slice(1))
    return q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}`
  }
  if (rest.startsWith('H')) return rest === 'H1' ? `${year - 1}-H2` : `${year}-H1`
  const month = Number(rest)
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
}

export const millisBetween = (from: string, to: string): number => isoMillis(to) - isoMillis(from)

/** One community's documents, or every community's (the company) when `community` is absent. */
export interface CommunityFilter {
  readonly community?: string
}

/** A filter on documents' `month` (`YYYY-MM`) from `from` to `to`, both included; either may be open. */
export const inMonths = (range: { readonly from?: string; readonly to?: string }): Filter =>
  range.from === undefined && range.to === undefined
    ? {}
    : {
        month: {
          ...(range.from === undefined ? {} : { $gte: range.from }),
          ...(range.to === undefined ? {} : { $lte: range.to }),
        },
      }

/** `docs` apart by community (as `communityOf` finds it in each), each community's `summarize`d. */
export const perCommunity = <D, R>(
  docs: readonly D[],
  communityOf: (doc: D) => string,
  summarize: (docs: readonly D[]) => R,
): ReadonlyMap<string, R> => {
  const byCommunity = new Map<string, D[]>()
  for (const doc of docs) {
    const community = communityOf(doc)
    const found = byCommunity.get(community)
    if (found === undefined) byCommunity.set(community, [doc])
    else found.push(doc)
  }
  return new Map([...byCommunity].map(([community, found]) => [community, summarize(found)]))
}
