/**
 * `--telemetry console`: the command line registers the OpenTelemetry SDK with console exporters, so
 * that the library's spans (command handling, projection batches) and metrics print as they happen
 * and at the end. The library itself uses only `@opentelemetry/api`.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { CliError } from './commands/shared.js'

/** Registers console exporters; the returned function flushes and shuts them down. */
export const startTelemetry = (exporter: string | undefined): (() => Promise<void>) => {
  if (exporter === undefined) return async () => undefined
  if (exporter !== 'console')
    throw new CliError(`--telemetry must be console, got ${JSON.stringify(exporter)}`)
  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
  })
  trace.setGlobalTracerProvider(tracerProvider)
  const reader = new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: 10_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  metrics.setGlobalMeterProvider(meterProvider)
  return async () => {
    await tracerProvider.shutdown()
    await meterProvider.shutdown()
    trace.disable()
    metrics.disable()
    context.disable()
  }
}
