// Memory per document of the runner's memory of what it wrote (heap and array buffers), against a set of
// the keys themselves (docs/benchmarks.md): `node --expose-gc --conditions=@property-services/source --import tsx
// bench/writtenDocumentsMemory.ts`.
import { keyOf } from '../src/runner/batch.js'
import { writtenDocuments } from '../src/runner/writtenDocuments.js'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')
const count = 1_000_000
const keyAt = (i: number) =>
  keyOf('moments', `filings|owner|community-${i % 7}|o${i}|facilities|lift-stoppage|2025-01`)
const heapAfterGc = () => {
  gc()
  gc()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

let before = heapAfterGc()
let keys: Set<string> | undefined = new Set()
for (let i = 0; i < count; i++) keys.add(keyAt(i))
const perKey = (heapAfterGc() - before) / count
// Used after measuring, so that the set is still live when measured.
const distinctKeys = keys.size
keys = undefined

before = heapAfterGc()
const written = writtenDocuments()
for (let i = 0; i < count; i++) written.add(keyAt(i))
const perDigest = (heapAfterGc() - before) / count
console.log(
  `${count} documents: a set of their ${distinctKeys} keys (as the runner joins them) ${perKey.toFixed(0)} bytes each, ` +
    `their digests ${perDigest.toFixed(0)} bytes each (${written.size()} distinct)`,
)
