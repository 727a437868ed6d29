/** The bench's workload: complaint streams taken through the handling procedure, and their units. */
import type { Command } from '@property-services/domain'
import { commandHandler, type EventStore } from '@property-services/infrastructure'

export const streams = Number(process.env.BENCH_STREAMS ?? 1000)
export const longStream = Number(process.env.BENCH_LONG_STREAM ?? 20_000)
export const staff = { id: 'staff-1', role: 'staff' as const }
export const at = (minutes: number) =>
  new Date(Date.parse('2026-03-02T01:00:00.000Z') + minutes * 60_000).toISOString()

/** The handling procedure of one complaint: seven commands, each reading the stream and appending one event. */
export const lifecycle = (stream: number): Command[] => {
  const complaintId = `k${stream}`
  const data = [
    [
      'FileComplaint',
      {
        complaintId,
        ownerId: `o${stream}`,
        unitId: `u${stream}`,
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
        description: 'lift stops',
      },
    ],
    ['AcknowledgeComplaint', { complaintId, gesture: 'apology', note: 'recorded' }],
    ['ProposeResolution', { complaintId, proposal: 'engineer today', partial: false }],
    ['DispatchComplaint', { complaintId, department: 'engineering', dueBy: at(24 * 60) }],
    ['ResolveComplaint', { complaintId, cause: 'door sensor' }],
    ['NotifyComplaintOutcome', { complaintId, via: 'phone', summary: 'fixed' }],
    ['CloseComplaint', { complaintId, rating: 5 }],
  ] as const
  return data.map(
    ([type, d], i) =>
      ({
        type,
        meta: {
          commandId: `c${stream}-${i}`,
          correlationId: `c${stream}-${i}`,
          actor: staff,
          occurredAt: at(i * 10),
          recordedAt: at(i * 10),
        },
        data: d,
      }) as unknown as Command,
  )
}
export const workload = Array.from({ length: streams }, (_, s) => lifecycle(s))
// Interleave the streams: command i of every stream, then command i + 1, as a busy office would.
export const commands = workload[0]!.flatMap((_, i) => workload.map((w) => w[i]!))

/**
 * The units the complaints are about, registered (in the default community) before the clock starts:
 * a complaint about a unit nobody registered is refused. Answers the seconds it took.
 */
export const registerUnits = async (store: EventStore, count: number): Promise<number> => {
  const start = process.hrtime.bigint()
  const { handle } = commandHandler({ store, clock: () => new Date(at(0)) })
  await Promise.all(
    Array.from({ length: count }, async (_, s) => {
      const data = {
        unitId: `u${s}`,
        communityId: 'default',
        building: '1',
        number: `${s}`,
        floorAreaCm2: 800_000,
      }
      const result = await handle({ type: 'RegisterUnit', commandId: `unit-${s}`, data }, { actor: staff })
      if (result._tag === 'Left') throw new Error(`refused: ${JSON.stringify(result.left)}`)
    }),
  )
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Few fee accounts (their units `u0`…), and the payments to them: many commands on few streams. */
export const contendedStreams = Number(process.env.BENCH_CONTENDED_STREAMS ?? 8)
export const contendedClients = Number(process.env.BENCH_CONTENDED_CLIENTS ?? 32)
const contendedCommands = Number(process.env.BENCH_CONTENDED_COMMANDS ?? 7000)

/**
 * The payments each client sends, in order: client `c` pays into account `c mod streams`, so several
 * clients write to each stream at once and their appends race.
 */
export const contendedWork: readonly (readonly Command[])[] = Array.from(
  { length: contendedClients },
  (_, client) =>
    Array.from({ length: Math.floor(contendedCommands / contendedClients) }, (_, i) => {
      const paymentId = `p${client}-${i}`
      return {
        type: 'RecordPayment',
        meta: {
          commandId: paymentId,
          correlationId: paymentId,
          actor: staff,
          occurredAt: at(0),
          recordedAt: at(0),
        },
        data: { unitId: `u${client % contendedStreams}`, paymentId, amountFen: 100 + (i % 50) },
      } as unknown as Command
    }),
)

/** Whether every payment sent is recorded exactly once, in the stream it was sent to. */
export const everyPaymentOnce = (paymentsByStream: ReadonlyMap<string, readonly string[]>): boolean => {
  const expected = new Map<string, string[]>()
  for (const client of contendedWork)
    for (const command of client) {
      const { unitId, paymentId } = command.data as { unitId: string; paymentId: string }
      expected.set(unitId, [...(expected.get(unitId) ?? []), paymentId])
    }
  return [...expected].every(([unitId, ids]) => {
    const stored = paymentsByStream.get(`feeAccount-${unitId}`) ?? []
    return (
      stored.length === ids.length &&
      new Set(stored).size === ids.length &&
      ids.every((id) => stored.includes(id))
    )
  })
}
