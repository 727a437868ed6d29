/**
 * The four complaint categories of the handbook and their typical subjects. A complaint's subject must
 * belong to its category (or be `other`); repeat detection compares category and subject.
 */
import * as t from 'io-ts'

export const subjectsByCategory = {
  /** Equipment design or operation. */
  facilities: ['lift-stoppage', 'power-supply-fault', 'water-supply-fault', 'equipment-design', 'other'],
  /** Safety of people and property, standards, etiquette, attitude, noise, timeliness. */
  'management-service': [
    'safety',
    'service-standard',
    'etiquette',
    'attitude',
    'noise',
    'timeliness',
    'other',
  ],
  /** Apportioned charges (water, electricity, cleaning, greening, shared equipment) and special repairs. */
  fees: [
    'water-charge',
    'electricity-charge',
    'cleaning-charge',
    'greening-charge',
    'shared-equipment-charge',
    'special-repair-charge',
    'other',
  ],
  /** Sudden events that need a dispatch within minutes. */
  emergency: ['power-cut', 'water-cut', 'lift-entrapment', 'flooding', 'burglary', 'vehicle-loss', 'other'],
} as const

export type ComplaintCategory = keyof typeof subjectsByCategory
export type ComplaintSubject = (typeof subjectsByCategory)[ComplaintCategory][number]

const keysOf = <K extends string>(keys: readonly K[]): Record<K, null> =>
  Object.fromEntries(keys.map((k) => [k, null])) as Record<K, null>

export const ComplaintCategory = t.keyof(
  keysOf(Object.keys(subjectsByCategory) as ComplaintCategory[]),
  'ComplaintCategory',
)
export const ComplaintSubject = t.keyof(
  keysOf(Object.values(subjectsByCategory).flat() as ComplaintSubject[]),
  'ComplaintSubject',
)

export const subjectBelongsTo = (category: ComplaintCategory, subject: ComplaintSubject): boolean =>
  (subjectsByCategory[category] as readonly string[]).includes(subject)

/** How the complaint reached the company. Phone and in-person visits are verbal. */
export const ComplaintChannel = t.keyof(
  { phone: null, visit: null, letter: null, online: null },
  'ComplaintChannel',
)
export type ComplaintChannel = t.TypeOf<typeof ComplaintChannel>

/** A verbal complaint must be answered within the reply deadline (one working day by default). */
export const isVerbal = (channel: ComplaintChannel): boolean => channel === 'phone' || channel === 'visit'
