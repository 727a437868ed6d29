/**
 * OpenTelemetry through the API only: with an SDK registered (here, in-memory exporters), command
 * handling makes a span per command with read, decide and append inside it, projection batches make
 * spans, and the metrics count commands, refusals and conflicts and report projection lag.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { commandHandler, inMemoryEventStore } from '@property-services/infrastructure'
import { complaintAnalytics, inMemoryReadModelStore, projectionRunner } from '@property-services/projections'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const spans = new InMemorySpanExporter()
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
})

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
})
afterAll(() => {
  trace.disable()
  metrics.disable()
  context.disable()
})

/** The data points of a metric, as `attributes => value`. */
const points = async (name: string) => {
  metricExporter.reset()
  await reader.forceFlush()
  const all = metricExporter
    .getMetrics()
    .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
    .filter((m) => m.descriptor.name === name)
  return Object.fromEntries(
    all.flatMap((m) => m.dataPoints.map((p) => [JSON.stringify(p.attributes), p.value as number])),
  )
}

const staff = { actor: { id: 'staff-1', role: 'staff' as const } }
const file = {
  type: 'FileComplaint',
  commandId: 'c1',
  data: {
    complaintId: 'k1',
    ownerId: 'o1',
    unitId: 'u1',
    category: 'facilities',
    subject: 'lift-stoppage',
    channel: 'letter',
    description: 'stuck',
  },
}

describe('telemetry', () => {
  const events = inMemoryEventStore()
  const { handle } = commandHandler({ store: events, clock: () => new Date('2026-03-02T02:00:00.000Z') })
  beforeAll(async () => {
    const unit = { unitId: 'u1', communityId: 'default', building: '1', number: '1', floorAreaCm2: 1 }
    await handle({ type: 'RegisterUnit', commandId: 'u1', data: unit }, staff)
  })

  it('traces each command with its read, decision and append, and counts outcomes by type', async () => {
    spans.reset()
    await handle(file, staff)
    await handle(file, staff) // the same command id: a duplicate
    await handle({ type: 'CloseComplaint', commandId: 'c2', data: { complaintId: 'k1', rating: 5 } }, staff)
    await handle({ type: 'DropTables', commandId: 'c3', data: {} }, staff)
    const finished = spans.getFinishedSpans()
    const handles = finished.filter((s) => s.name === 'property_services.handle')
    expect(handles.map((s) => [s.attributes['command.type'], s.attributes['command.outcome']])).toEqual([
      ['FileComplaint', 'accepted'],
      ['FileComplaint', 'duplicate'],
      ['CloseComplaint', 'refused'],
      ['unknown', 'refused'],
    ])
    const first = handles[0]!
    const children = finished
      .filter((s) => s.parentSpanContext?.spanId === first.spanContext().spanId)
      .map((s) => s.name)
    expect(children).toEqual([
      'property_services.read',
      'property_services.decide',
      'property_services.append',
    ])
    // One trace per command: its children carry the trace id of its handle span.
    const traceOfFirst = finished.filter((s) => s.spanContext().traceId === first.spanContext().traceId)
    expect(traceOfFirst.map((s) => s.name).sort()).toEqual([
      'property_services.append',
      'property_services.decide',
      'property_services.handle',
      'property_services.read',
    ])

    const commands = await points('property_services.commands')
    expect(commands).toMatchObject({
      '{"command.type":"FileComplaint","outcome":"accepted"}': 1,
      '{"command.type":"FileComplaint","outcome":"duplicate"}': 1,
      '{"command.type":"CloseComplaint","outcome":"refused"}': 1,
      '{"command.type":"unknown","outcome":"refused"}': 1,
    })
    expect(await points('property_services.refusals')).toMatchObject({
      '{"command.type":"CloseComplaint","refusal":"WrongState"}': 1,
      '{"command.type":"unknown","refusal":"DecodeError"}': 1,
    })
  })

  it('counts an append that met a newer stream', async () => {
    await handle(
      {
        type: 'AcknowledgeComplaint',
        commandId: 'c4',
        data: { complaintId: 'k1', gesture: 'apology', note: 'x' },
      },
      staff,
    )
    // Two handlers each with the stream cached: the second appends over a revision it has not seen.
    const other = commandHandler({ store: events, clock: () => new Date('2026-03-02T02:00:00.000Z') })
    await other.handle({ type: 'DropTables', commandId: 'c5', data: {} }, staff)
    await Promise.all([
      handle(
        {
          type: 'ProposeResolution',
          commandId: 'c6',
          data: { complaintId: 'k1', proposal: 'a', partial: false },
        },
        staff,
      ),
      other.handle(
        {
          type: 'ProposeResolution',
          commandId: 'c7',
          data: { complaintId: 'k1', proposal: 'b', partial: false },
        },
        staff,
      ),
    ])
    expect(await points('property_services.conflicts')).toEqual({ '{"stream.category":"complaint"}': 1 })
  })

  it('traces projection batches and reports the lag of a running projection', async () => {
    spans.reset()
    const readModels = inMemoryReadModelStore()
    const runner = projectionRunner({ events, readModels, projection: complaintAnalytics(), batchSize: 2 })
    await runner.catchUp()
    const batches = spans.getFinishedSpans().filter((s) => s.name === 'property_services.project')
    expect(batches.length).toBeGreaterThanOrEqual(2)
    expect(batches.map((s) => s.attributes.projection)).toContain('complaintAnalytics')
    const live = runner.start()
    for (let i = 0; i < 100 && runner.position === undefined; i++) await new Promise((r) => setTimeout(r, 10))
    expect(await points('property_services.projection.lag')).toEqual({
      '{"projection":"complaintAnalytics"}': 0,
    })
    await live.stop()
  })
})
