/**
 * Tracing and metrics through `@opentelemetry/api` only: the library depends on no SDK. An embedding
 * backend that registers a tracer and a meter provider (the OpenTelemetry Node SDK, or its own) gets
 * spans for command handling (handle, read, decide, append) and projection batches, and the metrics
 * below; without one, every call is the API's no-op.
 *
 * Metrics (names follow OpenTelemetry's conventions, in the `property_services` namespace):
 * - `property_services.commands` (counter): commands handled, by `command.type` and `outcome`
 *   (`accepted`, `duplicate`, `refused`);
 * - `property_services.refusals` (counter): refused commands, by `command.type` and `refusal`
 *   (`NotAllowed`, `WrongState`, `RuleViolated`, `DecodeError` …);
 * - `property_services.conflicts` (counter): appends that met a newer stream and were retried, by
 *   `stream.category`;
 * - `property_services.projection.lag` (gauge, events): events stored after a projection's checkpoint,
 *   by `projection`, as of its last batch.
 */
import {
  type Attributes,
  type Counter,
  INVALID_SPAN_CONTEXT,
  type Meter,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'

/** The instrumentation scope: the package that reports. */
export const instrumentationScope = '@property-services/infrastructure'

/**
 * The tracer of a registered provider, or undefined when none is registered: then spans are skipped
 * altogether, since even the API's no-op spans cost the handler about a sixth of its time.
 */
const activeTracer = (): Tracer | undefined => {
  const provider = trace.getTracerProvider()
  return provider instanceof ProxyTracerProvider
    ? provider.getDelegateTracer(instrumentationScope)
    : provider.getTracer(instrumentationScope)
}
const nonRecording = trace.wrapSpanContext(INVALID_SPAN_CONTEXT)

interface Instruments {
  readonly meter: Meter
  readonly commands: Counter
  readonly refusals: Counter
  readonly conflicts: Counter
}

/** What reports a projection's lag when the metrics are collected: its name and how to count it. */
const lagSources = new Map<symbol, { readonly projection: string; readonly lag: () => Promise<number> }>()

// Instruments are made from the meter of the provider registered now; made again if it changes (a
// provider registered after this module loaded, as in tests).
let instruments: Instruments | undefined
let madeFor: unknown
const made = (): Instruments => {
  const provider = metrics.getMeterProvider()
  if (instruments === undefined || madeFor !== provider) {
    const meter = metrics.getMeter(instrumentationScope)
    instruments = {
      meter,
      commands: meter.createCounter('property_services.commands', { description: 'Commands handled' }),
      refusals: meter.createCounter('property_services.refusals', { description: 'Commands refused' }),
      conflicts: meter.createCounter('property_services.conflicts', {
        description: 'Appends retried because another writer got there first',
      }),
    }
    // Counted only when a reader collects: a rebuild pays nothing for a gauge nobody reads.
    meter
      .createObservableGauge('property_services.projection.lag', {
        description: 'Events stored after the projection checkpoint',
        unit: '{event}',
      })
      .addCallback(async (result) => {
        for (const { projection, lag } of lagSources.values()) result.observe(await lag(), { projection })
      })
    madeFor = provider
  }
  return instruments
}

export const countCommand = (
  type: string,
  outcome: 'accepted' | 'duplicate' | 'refused',
  refusal?: string,
) => {
  const { commands, refusals } = made()
  commands.add(1, { 'command.type': type, outcome })
  if (refusal !== undefined) refusals.add(1, { 'command.type': type, refusal })
}

export const countConflict = (streamName: string) =>
  made().conflicts.add(1, { 'stream.category': streamName.slice(0, Math.max(0, streamName.indexOf('-'))) })

/**
 * Reports a projection's lag (events stored after its checkpoint) to the lag gauge while it runs; the
 * returned function stops it.
 */
export const observeProjectionLag = (projection: string, lag: () => Promise<number>): (() => void) => {
  made()
  const key = Symbol(projection)
  lagSources.set(key, { projection, lag })
  return () => {
    lagSources.delete(key)
  }
}

/**
 * Runs `work` in a span named `name` (a child of the active span), recording an exception and an error
 * status when it throws; the span ends when the work does.
 */
export const inSpan = <T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> => {
  const active = activeTracer()
  if (active === undefined) return work(nonRecording)
  return active.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span)
    } catch (error) {
      span.recordException(error as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
      throw error
    } finally {
      span.end()
    }
  })
}

/** The same for synchronous work (deciding). */
export const inSyncSpan = <T>(name: string, attributes: Attributes, work: (span: Span) => T): T => {
  const active = activeTracer()
  if (active === undefined) return work(nonRecording)
  return active.startActiveSpan(name, { attributes }, (span) => {
    try {
      return work(span)
    } finally {
      span.end()
    }
  })
}
