import { join } from 'node:path'

/** Node's arguments to run the command line from its sources, in a process of its own. */
export const cliFromSource = (...args: string[]): string[] => [
  '--conditions=@property-services/source',
  '--import',
  'tsx',
  join(import.meta.dirname, '../src/main.ts'),
  ...args,
]

/** Where such a process runs, so that it finds tsx. */
export const cliPackage = join(import.meta.dirname, '..')
