/**
 * `--telemetry console`: the command line registers the OpenTelemetry SDK with console exporters, so
 * that the library's spans (command handling, projection batches) and metrics print as they happen
 * and at the end. The library itself uses only `@opentelemetry/api`.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { CliError } from './commands/shared.js'

/**
 * Registers console exporters; the returned function flushes and shuts them down. The SDK is loaded
 * only when asked for: every other run of the command line starts without it.
 */
export const startTelemetry = async (exporter: string | undefined): Promise<() => Promise<void>> => {
  if (exporter === undefined) return async () => undefined
  if (exporter !== 'console')
    throw new CliError(`--telemetry must be console, got ${JSON.stringify(exporter)}`)
  const [{ AsyncLocalStorageContextManager }, sdkMetrics, sdkTrace] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-base'),
  ])
  const { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } = sdkMetrics
  const { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } = sdkTrace
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
