import { setFlagsFromString } from 'node:v8'

/**
 * How far the CLI lets V8's heap grow past what is live before collecting it whole: half as much
 * again. The CLI's commands are long passes (a demo, a rebuild, an audit), and by default V8 lets a
 * heap of 2 GiB or more grow to four times what is live between full collections, which then is most
 * of what the process holds. Rebuilding 100,006 events into FerretDB leaves about 32 MiB live after
 * each full collection; it peaked at 202 MiB with this and 279 MiB without, as fast. A million events
 * into read models in memory peaked at 458 MiB instead of 777, taking 72 s instead of 62: there the
 * live set is large, and the collector goes over it more often (docs/benchmarks.md).
 */
export const heapGrowingPercent = 50

/** The `--heap-growing-percent` node was given, if any: kept, and passed on to the processes it starts. */
export const givenHeapGrowth = (execArgv: readonly string[] = process.execArgv): string[] =>
  execArgv.filter((arg) => /^--heap[-_]growing[-_]percent=/.test(arg))

/**
 * Sets {@link heapGrowingPercent} for this process, unless node was given a growth of its own. V8 reads
 * the setting each time it sizes the heap after a full collection, so setting it once the process runs
 * takes effect (a test checks it still does).
 */
export const limitHeapGrowth = (): void => {
  if (givenHeapGrowth().length === 0) setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`)
}
