import type { Event } from '@property-services/domain'
import { type EventStore, serde } from '@property-services/infrastructure'

const staff = { id: 'staff-1', role: 'staff' as const }
const categories = [
  ['facilities', 'lift-stoppage'],
  ['facilities', 'water-supply-fault'],
  ['management-service', 'noise'],
  ['fees', 'water-charge'],
  ['emergency', 'flooding'],
] as const

/**
 * Complaint histories (7 events each, some reopened), survey responses: deterministic from `n`. The 300
 * units are spread over `communities` communities (a divisor of 300; default 5), each event stamped
 * with its community as the handler stamps it.
 */
export const appendWorkload = async (
  store: EventStore,
  complaints: number,
  communities = 5,
): Promise<number> => {
  if (300 % communities !== 0) throw new RangeError(`communities must divide 300, got ${communities}`)
  const codec = serde()
  let count = 0
  const append = async (streamName: string, events: Event[], commandId: string, community: string) => {
    const at = (events[0]!.data as { at: string }).at
    await store.appendToStream(
      streamName,
      codec.toNewEvents(events, {
        commandId,
        correlationId: commandId,
        actor: staff,
        occurredAt: at,
        recordedAt: at,
        community,
      }),
    )
    count += events.length
  }
  const start = Date.parse('2025-01-01T01:00:00.000Z')
  for (let i = 0; i < complaints; i++) {
    const filed = start + i * 9 * 60_000
    const at = (hours: number) => new Date(filed + hours * 3_600_000).toISOString()
    const [category, subject] = categories[i % categories.length]!
    const complaintId = `k${i}`
    const community = `community-${i % communities}`
    const events: Event[] = [
      {
        type: 'ComplaintFiled',
        data: {
          complaintId,
          ownerId: `o${i % 400}`,
          unitId: `u${i % 300}`,
          communityId: community,
          category,
          subject,
          channel: i % 2 === 0 ? 'phone' : 'online',
          description: 'x',
          replyDueBy: i % 2 === 0 ? at(24) : null,
          dispatchDueBy: null,
          at: at(0),
        },
      },
      { type: 'ComplaintAcknowledged', data: { complaintId, gesture: 'apology', note: 'n', at: at(1) } },
      {
        type: 'ResolutionProposed',
        data: { complaintId, proposal: 'p', partial: false, at: at(i % 7 === 0 ? 30 : 2) },
      },
      {
        type: 'ComplaintDispatched',
        data: { complaintId, department: `dept${i % 4}`, dueBy: at(72), at: at(3) },
      },
      { type: 'ComplaintResolved', data: { complaintId, cause: 'c', at: at(24) } },
      { type: 'ComplaintOutcomeNotified', data: { complaintId, via: 'phone', summary: 's', at: at(25) } },
      {
        type: 'ComplaintClosed',
        data: { complaintId, communityId: community, rating: 1 + (i % 5), at: at(26) },
      },
    ]
    if (i % 10 === 0)
      events.push({ type: 'ComplaintReopened', data: { complaintId, reason: 'again', at: at(100) } })
    await append(`complaint-${complaintId}`, events, `c${i}`, community)
    if (i % 20 === 0) {
      await append(
        `survey-v${i}`,
        [
          {
            type: 'SurveyOpened',
            data: {
              surveyId: `v${i}`,
              communityId: community,
              period: '2025-H1',
              dimensions: ['cleanliness', 'security'],
              at: at(0),
            },
          },
          ...Array.from(
            { length: 5 },
            (_, r): Event => ({
              type: 'SurveyResponseRecorded',
              data: {
                surveyId: `v${i}`,
                communityId: community,
                period: '2025-H1',
                ownerId: `o${r}`,
                scores: { cleanliness: 1 + ((i + r) % 5), security: 1 + (r % 5) },
                at: at(r + 1),
              },
            }),
          ),
        ],
        `v${i}`,
        community,
      )
    }
  }
  return count
}
