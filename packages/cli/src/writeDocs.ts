// Writes the generated documentation: `pnpm generate:docs`.
import { writeFileSync } from 'node:fs'
import { renderCatalogue } from './catalogue.js'

const target = new URL('../../../docs/event-catalogue.md', import.meta.url)
writeFileSync(target, renderCatalogue())
console.log(`wrote ${target.pathname}`)
