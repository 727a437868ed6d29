/**
 * Repeat complaints (二次投诉): a complaint is a repeat when the same owner or the same unit complains
 * in the same category about the same subject within the repeat window (policy, default 90 days)
 * after an earlier complaint was handled (resolved, rejected or closed), or when a handled complaint
 * is reopened. Each repeat links to what it repeats. Kept per category and month: complaints filed and
 * repeats, for the repeat rate; and the units and subjects that repeat most.
 */
import { defaultPolicies, type Policies } from '@property-services/domain'
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import type { Projection, Put, View } from '../runner/projection.js'
import { update } from '../runner/projection.js'
import { readerCollection } from '../runner/runner.js'
import { millisBetween, monthOf } from './periods.js'

export const repeatComplaintsName = 'repeatComplaints'

interface Complaint extends Document {
  readonly ownerId: string
  readonly unitId: string
  readonly category: string
  readonly subject: string
  readonly reopenCount: number
}

/** The last handled complaint of an owner or a unit about one category and subject. */
interface LastHandled extends Document {
  readonly complaintId: string
  readonly handledAt: string
}

export interface Repeat extends Document {
  readonly complaintId: string
  /** The complaint this one repeats (itself, for a reopening). */
  readonly repeatOf: string
  readonly reason: 'same-owner' | 'same-unit' | 'reopened'
  readonly ownerId: string
  readonly unitId: string
  readonly category: string
  readonly subject: string
  readonly month: string
  readonly at: string
  /** Days between the earlier complaint's handling and this one (0 for a reopening). */
  readonly daysAfterHandling: number
}

export interface RateBucket extends Document {
  readonly category: string
  readonly month: string
  readonly complaints: number
  readonly repeats: number
}

export interface Hotspot extends Document {
  readonly kind: 'unit' | 'subject'
  readonly key: string
  readonly repeats: number
}

const ownerKey = (c: { ownerId: string; category: string; subject: string }) =>
  `owner|${c.ownerId}|${c.category}|${c.subject}`
const unitKey = (c: { unitId: string; category: string; subject: string }) =>
  `unit|${c.unitId}|${c.category}|${c.subject}`

/** A repeat, and the hotspots of its unit and subject counting one more. */
const recordRepeat = (view: View, repeat: Repeat): Put[] => [
  { collection: 'repeats', id: repeat._id, doc: repeat },
  update(
    view,
    'hotspots',
    `unit|${repeat.unitId}`,
    () => ({ _id: '', kind: 'unit', key: repeat.unitId, repeats: 0 }) as Hotspot,
    (h) => ({ ...h, repeats: h.repeats + 1 }),
  ),
  update(
    view,
    'hotspots',
    `subject|${repeat.category}/${repeat.subject}`,
    () => ({ _id: '', kind: 'subject', key: `${repeat.category}/${repeat.subject}`, repeats: 0 }) as Hotspot,
    (h) => ({ ...h, repeats: h.repeats + 1 }),
  ),
]

/** The month's rate bucket of a category, with more complaints filed and/or more repeats. */
const countInRate = (view: View, category: string, month: string, complaints: number, repeats: number): Put =>
  update(
    view,
    'rates',
    `${category}|${month}`,
    () => ({ _id: '', category, month, complaints: 0, repeats: 0 }) as RateBucket,
    (b) => ({ ...b, complaints: b.complaints + complaints, repeats: b.repeats + repeats }),
  )

export const repeatComplaints = (policies: Policies = defaultPolicies): Projection => {
  const windowMs = policies.repeatComplaintWindowDays * 86_400_000
  return {
    name: repeatComplaintsName,
    collections: ['complaints', 'lastHandled', 'repeats', 'rates', 'hotspots'],
    project: ({ event }, view) => {
      switch (event.type) {
        case 'ComplaintFiled': {
          const { complaintId: id, ownerId, unitId, category, subject, at } = event.data
          const complaint: Complaint = { _id: id, ownerId, unitId, category, subject, reopenCount: 0 }
          const month = monthOf(at, policies.calendar)
          // The same owner first, then the same unit: the first earlier complaint handled within the window.
          const candidates: Array<[Repeat['reason'], LastHandled | undefined]> = [
            ['same-owner', view.get('lastHandled', ownerKey(complaint)) as LastHandled | undefined],
            ['same-unit', view.get('lastHandled', unitKey(complaint)) as LastHandled | undefined],
          ]
          const match = candidates.find(([, earlier]) => {
            if (earlier === undefined) return false
            const gap = millisBetween(earlier.handledAt, at)
            return gap >= 0 && gap <= windowMs
          })
          const repeat: Repeat | undefined =
            match === undefined
              ? undefined
              : {
                  _id: id,
                  complaintId: id,
                  repeatOf: match[1]!.complaintId,
                  reason: match[0],
                  ownerId,
                  unitId,
                  category,
                  subject,
                  month,
                  at,
                  daysAfterHandling: Math.floor(millisBetween(match[1]!.handledAt, at) / 86_400_000),
                }
          return [
            { collection: 'complaints', id, doc: complaint },
            countInRate(view, category, month, 1, repeat === undefined ? 0 : 1),
            ...(repeat === undefined ? [] : recordRepeat(view, repeat)),
          ]
        }
        case 'ComplaintResolved':
        case 'ComplaintRejected':
        case 'ComplaintClosed': {
          const complaint = view.get('complaints', event.data.complaintId) as Complaint | undefined
          if (complaint === undefined) return []
          const handled = (key: string): Put =>
            update(
              view,
              'lastHandled',
              key,
              () => ({ _id: key, complaintId: '', handledAt: event.data.at }) as LastHandled,
              (h) =>
                h.complaintId !== '' && Date.parse(h.handledAt) > Date.parse(event.data.at)
                  ? h
                  : { ...h, complaintId: complaint._id, handledAt: event.data.at },
            )
          return [handled(ownerKey(complaint)), handled(unitKey(complaint))]
        }
        case 'ComplaintReopened': {
          const complaint = view.get('complaints', event.data.complaintId) as Complaint | undefined
          if (complaint === undefined) return []
          const reopenCount = complaint.reopenCount + 1
          const repeat: Repeat = {
            _id: `${complaint._id}#reopened-${reopenCount}`,
            complaintId: complaint._id,
            repeatOf: complaint._id,
            reason: 'reopened',
            ownerId: complaint.ownerId,
            unitId: complaint.unitId,
            category: complaint.category,
            subject: complaint.subject,
            month: monthOf(event.data.at, policies.calendar),
            at: event.data.at,
            daysAfterHandling: 0,
          }
          return [
            { collection: 'complaints', id: complaint._id, doc: { ...complaint, reopenCount } },
            countInRate(view, repeat.category, repeat.month, 0, 1),
            ...recordRepeat(view, repeat),
          ]
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

/** Queries over the repeat-complaint read model that readers currently see. */
export const repeatComplaintQueries = (readModels: ReadModelStore) => {
  const collection = (name: string) => readerCollection(readModels, repeatComplaintsName, name)
  return {
    repeats: async (
      filter: { readonly category?: string; readonly month?: string } = {},
    ): Promise<Repeat[]> =>
      (await (
        await collection('repeats')
      ).find(
        {
          ...(filter.category === undefined ? {} : { category: { $eq: filter.category } }),
          ...(filter.month === undefined ? {} : { month: { $eq: filter.month } }),
        },
        { sort: { at: 1 } },
      )) as Repeat[],
    rates: async (): Promise<RepeatRate[]> =>
      ((await (await collection('rates')).find({}, { sort: { month: 1, category: 1 } })) as RateBucket[]).map(
        (b) => ({
          category: b.category,
          month: b.month,
          complaints: b.complaints,
          repeats: b.repeats,
          rate: b.complaints === 0 ? null : b.repeats / b.complaints,
        }),
      ),
    /** The units or subjects with most repeats, most first. */
    hotspots: async (kind: 'unit' | 'subject', limit = 10): Promise<Hotspot[]> =>
      (await (
        await collection('hotspots')
      ).find({ kind: { $eq: kind } }, { sort: { repeats: -1 }, limit })) as Hotspot[],
  }
}
