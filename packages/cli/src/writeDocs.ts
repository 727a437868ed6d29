// Writes the generated documentation: `pnpm generate:docs`.
import { writeFileSync } from 'node:fs'
import { renderCatalogue, renderPermissions } from './catalogue.js'

for (const [file, render] of [
  ['event-catalogue.md', renderCatalogue],
  ['permissions.md', renderPermissions],
] as const) {
  const target = new URL(`../../../docs/${file}`, import.meta.url)
  writeFileSync(target, render())
  console.log(`wrote ${target.pathname}`)
}
