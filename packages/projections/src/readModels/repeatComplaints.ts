/**
 * Repeat complaints (二次投诉): a complaint is a repeat when the same owner (in the same community) or
 * the same unit complains in the same category about the same subject within the repeat window (policy, default 90 days)
 * after an earlier complaint was handled (resolved, rejected or closed), or when a handled complaint
 * is reopened. Each repeat links to what it repeats. Kept per category and month: complaints filed and
 * repeats, for the repeat rate; and the units and subjects that repeat most.
 *
 * All of it is a function of business time, not of the order events were stored in: a complaint
 * entered late, or a handling recorded after a later complaint, gives the same answers as one entered
 * on time. Each owner's and unit's filings and handlings about one thing are kept by month (business
 * time), and what a filing repeats is worked out again whenever a filing or a handling arrives that
 * could change it: only the months inside the repeat window are read, so the work per event does not
 * grow with history.
 *
 * Rates and hotspots are counted per community; the company's are their sum, added up when asked, and
 * communities can be ranked by their repeat rate.
 */
import { DEFAULT_COMMUNITY, defaultPolicies, isoMillis, type Policies } from '@property-services/domain'
import { assertWholeNumber } from '@property-services/infrastructure'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Change, Increment, Projection, View } from '../runner/projection.js'
import { inMonths, millisBetween, monthOf, perCommunity } from './periods.js'

export const repeatComplaintsName = 'repeatComplaints'

/** What a complaint repeats, if anything. */
interface RepeatLink {
  readonly repeatOf: string
  readonly reason: 'same-owner' | 'same-unit'
  /** When what it repeats was handled. */
  readonly handledAt: string
}

interface Complaint extends Document {
  readonly ownerId: string
  readonly unitId: string
  readonly communityId: string
  readonly category: string
  readonly subject: string
  readonly filedAt: string
  readonly reopenCount: number
  readonly repeat: RepeatLink | null
}

/**
 * The filings, or the handlings, of one owner's or one unit's complaints about one category and subject
 * in one month (UTC, by business time): each complaint and when, sorted, whatever the storage order.
 */
interface Moments extends Document {
  /** `<UTC ISO time>|<complaint id>`, sorted: one short string each (a history holds millions). */
  readonly moments: readonly string[]
}
interface Moment {
  readonly complaintId: string
  readonly at: string
}

export interface Repeat extends Document {
  readonly complaintId: string
  /** The complaint this one repeats (itself, for a reopening). */
  readonly repeatOf: string
  readonly reason: 'same-owner' | 'same-unit' | 'reopened'
  readonly ownerId: string
  readonly unitId: string
  readonly communityId: string
  readonly category: string
  readonly subject: string
  readonly month: string
  readonly at: string
  /** Days between the earlier complaint's handling and this one (0 for a reopening). */
  readonly daysAfterHandling: number
}

export interface RateBucket extends Document {
  readonly community: string
  readonly category: string
  readonly month: string
  readonly complaints: number
  readonly repeats: number
}

export interface Hotspot extends Document {
  readonly community: string
  readonly kind: 'unit' | 'subject'
  readonly key: string
  readonly repeats: number
}

/**
 * An owner's complaints about one thing, in one community: an owner of units in two communities who
 * complains about the lifts of each has two problems, not a repeat (and each community's documents stay
 * its own, so that workers can share communities).
 */
const ownerThreadId = (c: { ownerId: string; communityId?: string; category: string; subject: string }) =>
  `owner|${c.communityId ?? DEFAULT_COMMUNITY}|${c.ownerId}|${c.category}|${c.subject}`
const unitThreadId = (c: { unitId: string; category: string; subject: string }) =>
  `unit|${c.unitId}|${c.category}|${c.subject}`

const ms = isoMillis
// Times are written as UTC ISO strings of one width (years 2000-2199), so the text sorts by time, and
// by complaint id among moments at the same time.
const isoOf = (time: number) => new Date(time).toISOString()
// A decoded time of 24 characters ending in Z is already that form (IsoDateTime allows no other).
const utcText = (at: string) => (at.length === 24 && at.endsWith('Z') ? at : isoOf(ms(at)))
const momentText = (m: Moment) => `${utcText(m.at)}|${m.complaintId}`
const atOf = (text: string) => text.slice(0, 24)
const complaintOf = (text: string) => text.slice(25)
const isOf = (text: string, complaintId: string) =>
  text.length === 25 + complaintId.length && text.endsWith(complaintId)

/**
 * The moments from one time to another (each as its UTC text, see `utcText`), both included, as bounds
 * on their texts: moment texts are compared as they are, without being taken apart (histories are read
 * again for every filing and handling that may change them). A moment is at or after `from` when its
 * text is not less than `from`, and at or before `to` when its text is less than `to` followed by a
 * character above the separator `|`.
 */
const momentsFromTo = (from: string, to: string) => ({ earliest: from, beyond: `${to}~` })
const isWithin = (text: string, bounds: ReturnType<typeof momentsFromTo>) =>
  text >= bounds.earliest && text < bounds.beyond

const monthText = (year: number, month: number) => `${year}-${month < 9 ? '0' : ''}${month + 1}`
const utcMonth = (time: number) => {
  const date = new Date(time)
  return monthText(date.getUTCFullYear(), date.getUTCMonth())
}
/** The UTC months from one moment's month to another's, both included. */
const monthsBetween = (from: number, to: number): string[] => {
  const months: string[] = []
  const start = new Date(from)
  const end = new Date(to)
  const last = end.getUTCFullYear() * 12 + end.getUTCMonth()
  for (let m = start.getUTCFullYear() * 12 + start.getUTCMonth(); m <= last; m++)
    months.push(monthText(Math.floor(m / 12), m % 12))
  return months
}
const filingsId = (thread: string, month: string) => `filings|${thread}|${month}`
const handlingsId = (thread: string, month: string) => `handlings|${thread}|${month}`

/**
 * Documents read and changed while projecting one event: each read sees the changes made before it,
 * and each changed document becomes one put.
 */
const workingSet = (view: View) => {
  // By collection, then id: the id string is then hashed once for this map and the runner's alike.
  const changed = new Map<string, Map<string, { collection: string; id: string; doc: Document | null }>>()
  const increments: Increment[] = []
  return {
    get: <D extends Document>(collection: string, id: string): D | undefined => {
      const found = changed.get(collection)?.get(id)
      return (found === undefined ? view.get(collection, id) : (found.doc ?? undefined)) as D | undefined
    },
    set: (collection: string, id: string, doc: Document | null) => {
      let ids = changed.get(collection)
      if (ids === undefined) {
        ids = new Map()
        changed.set(collection, ids)
      }
      ids.set(id, { collection, id, doc })
    },
    increment: (change: Increment) => {
      increments.push(change)
    },
    changes: (): Change[] => {
      const changes: Change[] = []
      for (const ids of changed.values()) for (const put of ids.values()) changes.push(put)
      for (const increment of increments) changes.push(increment)
      return changes
    },
  }
}
type WorkingSet = ReturnType<typeof workingSet>

/**
 * What a filing repeats: among the other complaints of the same owner (first) or unit about the same
 * thing, the handling latest at or before the filing, if within the window. A function of business time.
 */
const repeatOfFiling = (
  complaintId: string,
  filedAt: string,
  threads: ReadonlyArray<[RepeatLink['reason'], ReadonlyArray<readonly string[]>]>,
  windowMs: number,
): RepeatLink | null => {
  const window = momentsFromTo(isoOf(ms(filedAt) - windowMs), utcText(filedAt))
  for (const [reason, handlings] of threads) {
    let best: string | undefined
    for (const month of handlings)
      for (const handling of month) {
        if (!isWithin(handling, window) || isOf(handling, complaintId)) continue
        if (best === undefined || handling > best) best = handling
      }
    if (best !== undefined) return { repeatOf: complaintOf(best), handledAt: atOf(best), reason }
  }
  return null
}

const sameLink = (a: RepeatLink | null, b: RepeatLink | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.repeatOf === b.repeatOf &&
    a.reason === b.reason &&
    a.handledAt === b.handledAt)

/** Counts complaints filed and repeats in a category's month. */
const countInRate = (
  docs: WorkingSet,
  community: string,
  category: string,
  month: string,
  complaints: number,
  repeats: number,
) =>
  docs.increment({
    collection: 'rates',
    id: `${community}|${category}|${month}`,
    by: { complaints, repeats },
    onInsert: { community, category, month },
  })

/** Counts repeats at a unit or subject (a hotspot with none left stays, at zero, and is not listed). */
const countInHotspot = (
  docs: WorkingSet,
  community: string,
  kind: Hotspot['kind'],
  key: string,
  delta: number,
) =>
  docs.increment({
    collection: 'hotspots',
    id: `${community}|${kind}|${key}`,
    by: { repeats: delta },
    onInsert: { community, kind, key },
  })

const countRepeat = (docs: WorkingSet, repeat: Repeat, delta: 1 | -1, filed: boolean) => {
  const community = repeat.communityId
  countInRate(docs, community, repeat.category, repeat.month, 0, delta)
  countInHotspot(docs, community, 'unit', repeat.unitId, delta)
  countInHotspot(docs, community, 'subject', `${repeat.category}/${repeat.subject}`, delta)
  if (filed) docs.set('repeats', repeat._id, delta === 1 ? repeat : null)
}

export const repeatComplaints = (policies: Policies = defaultPolicies): Projection => {
  const windowMs = policies.repeatComplaintWindowDays * 86_400_000
  const month = (at: string) => monthOf(at, policies.calendar)

  const repeatDoc = (c: Complaint, link: RepeatLink): Repeat => ({
    _id: c._id,
    complaintId: c._id,
    repeatOf: link.repeatOf,
    reason: link.reason,
    ownerId: c.ownerId,
    unitId: c.unitId,
    // Complaints kept before communities have none: theirs is the default one.
    communityId: c.communityId ?? DEFAULT_COMMUNITY,
    category: c.category,
    subject: c.subject,
    month: month(c.filedAt),
    at: c.filedAt,
    daysAfterHandling: Math.floor(millisBetween(link.handledAt, c.filedAt) / 86_400_000),
  })

  /** The moment texts of a thread in the months from one moment to another, month by month. */
  const momentsIn = (docs: WorkingSet, id: (month: string) => string, from: number, to: number) => {
    const months: Array<readonly string[]> = []
    for (const m of monthsBetween(from, to)) {
      const doc = docs.get<Moments>('moments', id(m))
      if (doc !== undefined) months.push(doc.moments)
    }
    return months
  }

  /** Works out again what a complaint repeats, and moves the counts if that changed. */
  const reassess = (docs: WorkingSet, complaintId: string) => {
    const c = docs.get<Complaint>('complaints', complaintId)
    if (c === undefined) return
    const filed = ms(c.filedAt)
    const handlingsOf = (thread: string) =>
      momentsIn(docs, (m) => handlingsId(thread, m), filed - windowMs, filed)
    const link = repeatOfFiling(
      c._id,
      c.filedAt,
      [
        ['same-owner', handlingsOf(ownerThreadId(c))],
        ['same-unit', handlingsOf(unitThreadId(c))],
      ],
      windowMs,
    )
    if (sameLink(c.repeat, link)) return
    if (c.repeat !== null) countRepeat(docs, repeatDoc(c, c.repeat), -1, true)
    if (link !== null) countRepeat(docs, repeatDoc(c, link), 1, true)
    docs.set('complaints', c._id, { ...c, repeat: link })
  }

  /** Records a filing or a handling in its month, in order. */
  const addMoment = (docs: WorkingSet, id: string, moment: Moment) => {
    const doc = docs.get<Moments>('moments', id) ?? { _id: id, moments: [] }
    const text = momentText(moment)
    let low = 0
    for (let high = doc.moments.length; low < high; ) {
      const middle = (low + high) >>> 1
      if (doc.moments[middle]! < text) low = middle + 1
      else high = middle
    }
    if (doc.moments[low] === text) return
    const moments = doc.moments.slice()
    moments.splice(low, 0, text)
    docs.set('moments', id, { ...doc, moments })
  }

  return {
    name: repeatComplaintsName,
    // No prefetch: what an event reads chains through documents that earlier events of the same batch
    // create (a handling reads the filings after it, then those complaints), so the runner finds them
    // by trial runs of the batch.
    collections: ['complaints', 'moments', 'repeats', 'rates', 'hotspots'],
    canHandle: [
      'ComplaintFiled',
      'ComplaintResolved',
      'ComplaintRejected',
      'ComplaintClosed',
      'ComplaintReopened',
    ],
    project({ event }, view) {
      const docs = workingSet(view)
      switch (event.type) {
        case 'ComplaintFiled': {
          const { complaintId: id, ownerId, unitId, communityId, category, subject, at } = event.data
          const complaint: Complaint = {
            _id: id,
            ownerId,
            unitId,
            communityId,
            category,
            subject,
            filedAt: at,
            reopenCount: 0,
            repeat: null,
          }
          docs.set('complaints', id, complaint)
          for (const thread of [ownerThreadId(complaint), unitThreadId(complaint)])
            addMoment(docs, filingsId(thread, utcMonth(ms(at))), { complaintId: id, at })
          countInRate(docs, communityId, category, month(at), 1, 0)
          reassess(docs, id)
          return docs.changes()
        }
        case 'ComplaintResolved':
        case 'ComplaintRejected':
        case 'ComplaintClosed': {
          const complaint = docs.get<Complaint>('complaints', event.data.complaintId)
          if (complaint === undefined) return []
          const handledAt = event.data.at
          const handled = ms(handledAt)
          // Whoever complained about the same thing after this handling, within the window, may now be a repeat.
          const affected = new Set<string>()
          const window = momentsFromTo(utcText(handledAt), isoOf(handled + windowMs))
          for (const thread of [ownerThreadId(complaint), unitThreadId(complaint)]) {
            addMoment(docs, handlingsId(thread, utcMonth(handled)), {
              complaintId: complaint._id,
              at: handledAt,
            })
            for (const month of momentsIn(docs, (m) => filingsId(thread, m), handled, handled + windowMs))
              for (const filing of month)
                if (isWithin(filing, window) && !isOf(filing, complaint._id))
                  affected.add(complaintOf(filing))
          }
          for (const id of [...affected].sort()) reassess(docs, id)
          return docs.changes()
        }
        case 'ComplaintReopened': {
          const complaint = docs.get<Complaint>('complaints', event.data.complaintId)
          if (complaint === undefined) return []
          const reopenCount = complaint.reopenCount + 1
          const repeat: Repeat = {
            _id: `${complaint._id}#reopened-${reopenCount}`,
            complaintId: complaint._id,
            repeatOf: complaint._id,
            reason: 'reopened',
            ownerId: complaint.ownerId,
            unitId: complaint.unitId,
            communityId: complaint.communityId ?? DEFAULT_COMMUNITY,
            category: complaint.category,
            subject: complaint.subject,
            month: month(event.data.at),
            at: event.data.at,
            daysAfterHandling: 0,
          }
          docs.set('complaints', complaint._id, { ...complaint, reopenCount })
          docs.set('repeats', repeat._id, repeat)
          countRepeat(docs, repeat, 1, false)
          return docs.changes()
        }
        default:
          return []
      }
    },
  }
}

export interface RepeatRate {
  readonly category: string
  readonly month: string
  readonly complaints: number
  readonly repeats: number
  /** repeats / complaints filed in the month; null when none were filed. */
  readonly rate: number | null
}

/** A community's complaints and repeats over the months asked about, and its repeat rate. */
export interface CommunityRepeatRate {
  readonly community: string
  readonly complaints: number
  readonly repeats: number
  readonly rate: number | null
}

/** A unit or subject and how many repeats it had. */
export interface HotspotRow {
  readonly kind: Hotspot['kind']
  readonly key: string
  readonly repeats: number
}

const rateOf = (repeats: number, complaints: number) => (complaints === 0 ? null : repeats / complaints)
const communityOf = (doc: { readonly community?: string }) => doc.community ?? DEFAULT_COMMUNITY

/** Complaints and repeats per month and category, in the order of the buckets, summed over communities. */
const ratesOf = (buckets: readonly RateBucket[]): RepeatRate[] => {
  const rows = new Map<string, { category: string; month: string; complaints: number; repeats: number }>()
  for (const b of buckets) {
    const id = `${b.month}|${b.category}`
    const row = rows.get(id)
    if (row === undefined)
      rows.set(id, { category: b.category, month: b.month, complaints: b.complaints, repeats: b.repeats })
    else {
      row.complaints += b.complaints
      row.repeats += b.repeats
    }
  }
  return [...rows.values()].map((r) => ({ ...r, rate: rateOf(r.repeats, r.complaints) }))
}

/** Queries over the repeat-complaint read model that readers currently see. */
export const repeatComplaintQueries = (readModels: ReadModelStore) => {
  const collection = (name: string) => readerCollection(readModels, repeatComplaintsName, name)
  const inCommunity = (community: string | undefined, field = 'community') =>
    community === undefined ? {} : { [field]: { $eq: community } }
  const rateBuckets = async (filter: {
    readonly from?: string
    readonly to?: string
    readonly community?: string
  }) =>
    (await (
      await collection('rates')
    ).find(
      {
        ...inCommunity(filter.community),
        ...inMonths(filter),
      },
      { sort: { month: 1, category: 1 } },
    )) as RateBucket[]
  return {
    repeats: async (
      filter: { readonly category?: string; readonly month?: string; readonly community?: string } = {},
    ): Promise<Repeat[]> =>
      (await (
        await collection('repeats')
      ).find(
        {
          ...(filter.category === undefined ? {} : { category: { $eq: filter.category } }),
          ...(filter.month === undefined ? {} : { month: { $eq: filter.month } }),
          ...inCommunity(filter.community, 'communityId'),
        },
        { sort: { at: 1 } },
      )) as Repeat[],
    /** Complaints and repeats per category and month: of one community, or of the whole company. */
    rates: async (filter: { readonly community?: string } = {}): Promise<RepeatRate[]> =>
      ratesOf(await rateBuckets(filter)),
    /**
     * The rates of `rates` for every community at once, by community: one query for a company of
     * many communities, where asking `rates` for each would read the collection once a community.
     */
    ratesByCommunity: async (): Promise<ReadonlyMap<string, RepeatRate[]>> =>
      perCommunity(await rateBuckets({}), communityOf, ratesOf),
    /**
     * Communities ranked by their repeat rate over the months in [from, to], highest first (ties by
     * more repeats, then by name); communities without complaints come last.
     */
    ranking: async (
      range: { readonly from?: string; readonly to?: string } = {},
    ): Promise<CommunityRepeatRate[]> => {
      const totals = new Map<string, { complaints: number; repeats: number }>()
      for (const b of await rateBuckets(range)) {
        const community = communityOf(b)
        const total = totals.get(community) ?? { complaints: 0, repeats: 0 }
        totals.set(community, {
          complaints: total.complaints + b.complaints,
          repeats: total.repeats + b.repeats,
        })
      }
      return [...totals.entries()]
        .map(([community, t]) => ({ community, ...t, rate: rateOf(t.repeats, t.complaints) }))
        .sort(
          (a, b) =>
            (b.rate ?? -1) - (a.rate ?? -1) ||
            b.repeats - a.repeats ||
            (a.community < b.community ? -1 : a.community > b.community ? 1 : 0),
        )
    },
    /** The units or subjects with most repeats, most first: in one community, or in the whole company. */
    hotspots: async (
      kind: 'unit' | 'subject',
      limit = 10,
      filter: { readonly community?: string } = {},
    ): Promise<HotspotRow[]> => {
      assertWholeNumber('hotspots', 'limit', limit, 1)
      const found = (await (
        await collection('hotspots')
      ).find(
        { kind: { $eq: kind }, repeats: { $gt: 0 }, ...inCommunity(filter.community) },
        { sort: { repeats: -1 } },
      )) as Hotspot[]
      // A subject repeats in many communities: the company's count is their sum.
      const byKey = new Map<string, HotspotRow>()
      for (const { kind, key, repeats } of found) {
        const seen = byKey.get(key)
        byKey.set(key, { kind, key, repeats: repeats + (seen?.repeats ?? 0) })
      }
      return [...byKey.values()]
        .sort((a, b) => b.repeats - a.repeats || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .slice(0, limit)
    },
  }
}
