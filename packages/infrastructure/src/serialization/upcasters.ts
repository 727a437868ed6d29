/**
 * Upcasters turn the data of an older schema version into the current one, on read. The stored bytes
 * never change. Each event type's current version is the number of upcasters it has, plus one.
 */

/** Turns data of version `n` into version `n + 1`. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>

/** For each event type, its upcasters in order: index 0 turns v1 into v2. */
export type UpcasterRegistry = Readonly<Record<string, readonly Upcaster[]>>

/**
 * The project's upcasters.
 * - OwnerRegistered v1 (2025) stored `name` and `phone` at the top level and had no grade; v2 groups
 *   personal data under `contact` (so it can be erased as one) and grades every new owner `general`.
 */
export const upcasters: UpcasterRegistry = {
  OwnerRegistered: [({ name, phone, ...rest }) => ({ ...rest, contact: { name, phone }, grade: 'general' })],
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
