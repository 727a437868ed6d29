/**
 * A rule of your own, on top of the library's domain: a complaint needs a reminder to the handling
 * department when it was dispatched and is still unresolved 48 hours later.
 */
import type { ComplaintEvent } from '@property-services/domain'

const reminderAfterMs = 48 * 3_600_000

/** Whether the complaint's history, as of `now`, calls for a reminder. */
export const needsReminder = (history: readonly ComplaintEvent[], now: string): boolean => {
  let dispatchedAt: string | undefined
  for (const event of history) {
    if (event.type === 'ComplaintDispatched') dispatchedAt = event.data.at
    if (event.type === 'ComplaintResolved' || event.type === 'ComplaintReopened') dispatchedAt = undefined
  }
  return dispatchedAt !== undefined && Date.parse(now) - Date.parse(dispatchedAt) > reminderAfterMs
}
