/** docs/api is what TypeDoc makes of the sources now (`pnpm generate:docs` writes it). */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const filesOf = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesOf(path) : [path]
  })

it('is up to date with the sources (run "pnpm generate:docs" after changing the public API)', () => {
  const out = mkdtempSync(join(tmpdir(), 'ps-api-'))
  try {
    execFileSync(join(root, 'node_modules/.bin/typedoc'), ['--out', out], { cwd: root, stdio: 'pipe' })
    const fresh = filesOf(out)
      .map((f) => relative(out, f))
      .sort()
    const committed = filesOf(join(root, 'docs/api'))
      .map((f) => relative(join(root, 'docs/api'), f))
      .sort()
    expect(committed).toEqual(fresh)
    for (const file of fresh)
      expect(readFileSync(join(root, 'docs/api', file), 'utf8'), file).toBe(
        readFileSync(join(out, file), 'utf8'),
      )
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}, 120_000)
