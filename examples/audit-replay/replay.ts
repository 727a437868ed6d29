/**
 * An audit replay against a stored history: what a complaint looked like at a moment an auditor asks
 * about, and who did what, when. The history is in an SQLite file, as the CLI's demo leaves it.
 */
import { auditor, type EventStore } from '@property-services/infrastructure'

export const auditComplaint = async (store: EventStore, complaintId: string, asOf: string) => {
  const audit = auditor({ store })
  const stream = `complaint-${complaintId}`
  const { state, revision } = await audit.stateAsOf(stream, { toTime: asOf })
  const timeline = await audit.timeline(stream)
  return {
    asOf,
    revision,
    state,
    timeline: timeline.map((entry) => `${entry.at} ${entry.actor.role}:${entry.actor.id} ${entry.type}`),
  }
}
