// Profiles the in-memory command handler on the bench workload: node --cpu-prof (see docs/benchmarks.md).
import { commandHandler, inMemoryEventStore } from '@property-services/infrastructure'
import { commands, registerUnits, streams } from './handlerWorkload.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 10)
const rates: number[] = []
for (let round = 0; round < rounds; round++) {
  const store = inMemoryEventStore()
  await registerUnits(store, streams)
  let now = ''
  const { handle } = commandHandler({ store, clock: () => new Date(now) })
  const start = performance.now()
  for (const command of commands) {
    now = command.meta.occurredAt
    const request = { type: command.type, commandId: command.meta.commandId, data: command.data }
    const result = await handle(request, { actor: command.meta.actor })
    if (result._tag === 'Left') throw new Error(`refused: ${JSON.stringify(result.left)}`)
  }
  const seconds = (performance.now() - start) / 1000
  rates.push(commands.length / seconds)
  console.log(`${commands.length} commands: ${(commands.length / seconds).toFixed(0)} commands/s`)
}
const warm = rates.slice(Math.floor(rates.length / 2)).sort((a, b) => a - b)
console.log(`median of the warm half: ${warm[Math.floor(warm.length / 2)]?.toFixed(0)} commands/s`)
