/**
 * Upcasters turn the data of an older schema version into the current one, on read. The stored bytes
 * never change. Each event type's current version is the number of upcasters it has, plus one.
 */

import { DEFAULT_COMMUNITY } from '@property-services/domain'

/** Turns data of version `n` into version `n + 1`. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>

/** For each event type, its upcasters in order: index 0 turns v1 into v2. */
export type UpcasterRegistry = Readonly<Record<string, readonly Upcaster[]>>

/**
 * Before communities (2026-11), a company was one community: what was stored then belongs to the
 * default one.
 */
const inDefaultCommunity: Upcaster = (data) => ({ ...data, communityId: DEFAULT_COMMUNITY })

/**
 * The project's upcasters.
 * - OwnerRegistered v1 (2025) stored `name` and `phone` at the top level and had no grade; v2 groups
 *   personal data under `contact` (so it can be erased as one) and grades every new owner `general`.
 * - Every event that starts something of a community (a unit, an owner's file, a complaint, an order,
 *   a survey, a meeting, a shared cost, a corrective action) names it from 2026-11; what was stored
 *   before is in the default community. The events that follow are their aggregate's, in its community.
 */
export const upcasters: UpcasterRegistry = {
  UnitRegistered: [inDefaultCommunity],
  OwnerRegistered: [
    ({ name, phone, ...rest }) => ({ ...rest, contact: { name, phone }, grade: 'general' }),
    inDefaultCommunity,
  ],
  ComplaintFiled: [inDefaultCommunity],
  ServiceOrderRequested: [inDefaultCommunity],
  SurveyOpened: [inDefaultCommunity],
  MeetingScheduled: [inDefaultCommunity],
  SharedCostApportioned: [inDefaultCommunity],
  CorrectiveActionOpened: [inDefaultCommunity],
  // Said again where satisfaction is scored, so that it is counted by community without a lookup.
  ComplaintClosed: [inDefaultCommunity],
  ServiceOrderRated: [inDefaultCommunity],
  SurveyResponseRecorded: [inDefaultCommunity],
}

export const currentVersion = (registry: UpcasterRegistry, type: string): number =>
  (Object.hasOwn(registry, type) ? (registry[type] as readonly Upcaster[]).length : 0) + 1

/** Upcasts data from `version` to the current version of its type. */
export const upcast = (registry: UpcasterRegistry, type: string, version: number, data: unknown): unknown => {
  const steps = Object.hasOwn(registry, type) ? (registry[type] as readonly Upcaster[]) : []
  let current = data
  for (let v = version; v <= steps.length; v++) {
    current = (steps[v - 1] as Upcaster)(current as Record<string, unknown>)
  }
  return current
}
