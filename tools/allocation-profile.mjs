// Where a Node process allocates, collected objects included (which `--heap-prof` leaves out):
//   node --import ./tools/allocation-profile.mjs <program> [args]
// On exit it prints to stderr the functions that allocated most (MiB sampled over the whole run) and
// the call paths behind them. Lines are those of the code run (run dist/, not tsx, for real lines).
import { Session } from 'node:inspector'

const session = new Session()
session.connect()
session.post('HeapProfiler.enable')
session.post('HeapProfiler.startSampling', {
  samplingInterval: 16_384,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
})

process.on('exit', () => {
  // An in-process session answers synchronously, so this runs before the process ends.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return void process.stderr.write(`allocation profile: ${error.message}\n`)
    const byFunction = new Map()
    const byPath = new Map()
    const add = (map, key, size) => map.set(key, (map.get(key) ?? 0) + size)
    const walk = (node, path) => {
      const frame = node.callFrame
      const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}`
      const here = [...path, name]
      if (node.selfSize > 0) {
        add(byFunction, name, node.selfSize)
        add(byPath, here.slice(-4).join(' < '), node.selfSize)
      }
      for (const child of node.children) walk(child, here)
    }
    walk(result.profile.head, [])
    const mib = (bytes) => (bytes / 1_048_576).toFixed(1).padStart(8)
    const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
    const total = [...byFunction.values()].reduce((a, b) => a + b, 0)
    const lines = [`allocated in all: ${mib(total)} MiB (sampled)`]
    for (const [name, size] of top(byFunction, 30)) lines.push(`${mib(size)} ${name}`)
    lines.push('by call path:')
    for (const [path, size] of top(byPath, 15)) lines.push(`${mib(size)} ${path}`)
    process.stderr.write(`${lines.join('\n')}\n`)
  })
})
