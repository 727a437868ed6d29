#!/usr/bin/env node
import { run } from './cli.js'
import { limitHeapGrowth } from './heapGrowth.js'

limitHeapGrowth()
run(process.argv.slice(2), { out: (text) => process.stdout.write(`${text}\n`), err: process.stderr }).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`property-services: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
