/** `audit`: one stream's timeline and state, the complaint procedure, hash chains, anchors. */
import { writeFileSync } from 'node:fs'
import {
  auditComplaints,
  auditor,
  type EventStore,
  type KeyStore,
  takeAnchors,
  verifyHistory,
} from '@property-services/infrastructure'
import type { Command } from 'commander'
import { localTime } from '../localTime.js'
import {
  CliError,
  defaultDb,
  type Io,
  integer,
  keysOf,
  moment,
  openExisting,
  openLog,
  readAnchors,
  unreachableLog,
  unreadableLine,
} from './shared.js'

interface Options {
  readonly db?: string
  readonly eventstore?: string
  readonly asOf?: string
  readonly anchors?: string
  readonly out?: string
  readonly every?: string
}

/** Each unreadable event once, though the stream audit reads it twice (timeline and state). */
const unreadableCounter = () => {
  const unreadable = new Set<string>()
  return { unreadable, onUnreadable: (error: Error) => void unreadable.add(error.message) }
}

const source = (options: Options): EventStore => {
  if (options.eventstore !== undefined && options.db !== undefined)
    throw new CliError('pass either --db or --eventstore, not both')
  return openLog(options)
}

const unreachable = (error: unknown, options: Options): never => {
  unreachableLog(error, options)
  throw error
}

export const auditCommand = (program: Command, io: Io) => {
  const audit = program
    .command('audit')
    .description('audits of the log: a stream, the complaint procedure, hash chains')
  audit
    .command('stream')
    .description('who did what when in one stream, and its state at a moment')
    .argument('<name>', 'the stream, e.g. complaint-c12')
    .option('--as-of <time>', 'up to TIME (default: everything)')
    .option('--db <file>', 'the SQLite file', defaultDb)
    .action(async (streamName: string, options: Options) => {
      const asOf = moment(options.asOf, 'as-of')
      const events = openExisting(options.db ?? defaultDb)
      let keys: KeyStore | undefined
      const { unreadable, onUnreadable } = unreadableCounter()
      try {
        keys = keysOf(options.db ?? defaultDb)
        const audited = auditor({ store: events, keys, onUnreadable })
        const timeline = await audited.timeline(streamName, asOf === undefined ? {} : { toTime: asOf })
        if (timeline.length === 0)
          throw new CliError(
            `no readable events in stream ${streamName}${asOf ? ` up to ${asOf}` : ''}${
              unreadable.size === 0 ? '' : `; ${unreadable.size} stored events could not be read`
            }`,
            1,
          )
        io.out(
          timeline
            .map(
              (t) =>
                `${localTime(t.at)}  ${t.actor.role} ${t.actor.id}  ${t.type}  ${JSON.stringify(t.event.data)}`,
            )
            .join('\n'),
        )
        const { state } = await audited.stateAsOf(streamName, asOf === undefined ? {} : { toTime: asOf })
        io.out(`\nstate${asOf ? ` as of ${asOf}` : ''}: ${JSON.stringify(state, null, 2)}`)
        io.out(unreadableLine(unreadable.size, 'the timeline and the state'))
      } finally {
        await keys?.close()
        await events.close()
      }
    })
  audit
    .command('complaints')
    .description('every complaint checked against the handling procedure, deadlines and escalations')
    .option('--as-of <time>', 'judged as of TIME (default: now)')
    .option('--db <file>', 'the SQLite file', defaultDb)
    .action(async (options: Options) => {
      const asOf = moment(options.asOf, 'as-of')
      const events = openExisting(options.db ?? defaultDb)
      const { unreadable, onUnreadable } = unreadableCounter()
      try {
        const deviations = await auditComplaints(events, asOf ?? new Date().toISOString(), { onUnreadable })
        io.out(
          deviations
            .map(
              (d) =>
                `${d.complaintId}  ${d.step}  due ${localTime(d.due ?? '-')}  happened ${d.happened === null || d.happened === undefined ? 'never' : localTime(d.happened)}  (${d.detail})`,
            )
            .join('\n'),
        )
        io.out(`\n${deviations.length} deviations${unreadableLine(unreadable.size, 'the audit')}`)
      } finally {
        await events.close()
      }
    })
  audit
    .command('verify')
    .description("check every stream's hash chain (and exported anchors): exit 1 if anything was altered")
    .option('--db <file>', 'the SQLite file (default .data/demo.db)')
    .option('--eventstore <url>', 'verify EventStoreDB (esdb://…) or KurrentDB (kurrentdb://…) instead')
    .option('--anchors <file>', 'anchors written by "audit anchors"')
    .action(async (options: Options) => {
      const anchors = options.anchors === undefined ? undefined : readAnchors(options.anchors)
      const store = source(options)
      try {
        const result = await verifyHistory(store, anchors === undefined ? {} : { anchors })
        const summary = `${result.events} events in ${result.streams} streams${
          result.unchained === 0 ? '' : ` (${result.unchained} stored before hash chains, not checkable)`
        }${anchors === undefined ? '' : `, against ${anchors.anchors.length} anchors`}`
        if (result.problems.length === 0) {
          io.out(`verified ${summary}: no event altered, deleted, inserted or reordered`)
          return
        }
        io.out(
          [
            ...result.problems.map(
              (p) =>
                `${p.kind}  ${p.streamName || '(global order)'}${p.revision >= 0 ? ` revision ${p.revision}` : ''}  position ${p.position}  ${p.detail}`,
            ),
            `${result.problems.length} problems in ${summary}`,
          ].join('\n'),
        )
        throw new CliError(`${result.problems.length} problems found`, 1)
      } catch (error) {
        if (error instanceof CliError) throw error
        unreachable(error, options)
      } finally {
        await store.close()
      }
    })
  audit
    .command('anchors')
    .description('export digests of the global order, to keep somewhere else')
    .requiredOption('--out <file>', 'where to write them')
    .option('--every <n>', 'one anchor every N events', '10000')
    .option('--db <file>', 'the SQLite file (default .data/demo.db)')
    .option('--eventstore <url>', 'read EventStoreDB (esdb://…) or KurrentDB (kurrentdb://…) instead')
    .action(async (options: Options) => {
      const every = integer(options.every, 'every', 10_000, 1, 10_000_000)
      const store = source(options)
      try {
        const taken = await takeAnchors(store, { every })
        writeFileSync(options.out as string, `${JSON.stringify(taken, null, 2)}\n`)
        const last = taken.anchors.at(-1)
        io.out(
          `wrote ${taken.anchors.length} anchors over ${last?.events ?? 0} events to ${options.out}; keep them somewhere else`,
        )
      } catch (error) {
        unreachable(error, options)
      } finally {
        await store.close()
      }
    })
  return audit
}
