/**
 * The packages install and work as an embedding backend gets them: packed (`pnpm pack`), checked with
 * publint and @arethetypeswrong/cli, installed from the tarballs into a fresh project outside the
 * workspace (no workspace links), where a small ESM program that uses them typechecks with `tsc` and
 * runs, and the installed `property-services` command runs the demo.
 */
import { execFileSync } from 'node:child_process'
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../../..')
const bin = (name: string) => join(root, 'node_modules/.bin', name)
const packages = ['domain', 'infrastructure', 'projections', 'cli'] as const
const work = mkdtempSync(join(tmpdir(), 'ps-installed-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const run = (command: string, args: readonly string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' },
  })

describe('the packages, installed from their tarballs', () => {
  const packs = join(work, 'packs')
  const tarball = (name: string) => join(packs, `property-services-${name}-0.1.0.tgz`)

  it('pack, and pass publint and @arethetypeswrong/cli', () => {
    run(bin('tsc'), ['-b'], root)
    mkdirSync(packs)
    for (const name of packages)
      run('pnpm', ['pack', '--pack-destination', packs], join(root, 'packages', name))
    expect(readdirSync(packs).sort()).toEqual(packages.map((p) => `property-services-${p}-0.1.0.tgz`).sort())
    for (const name of packages) {
      expect(run(bin('publint'), ['run', tarball(name), '--strict'], root)).toContain('All good')
      // ESM only, on purpose: CommonJS callers (node10, node16 from CJS) use import(). Nothing may be
      // wrong for ESM callers and bundlers. (The report goes to a file: attw exits before a pipe drains.)
      const report = join(work, `attw-${name}.json`)
      const fd = openSync(report, 'w')
      try {
        execFileSync(bin('attw'), [tarball(name), '--format', 'json'], {
          cwd: root,
          stdio: ['ignore', fd, 'pipe'],
        })
      } catch {
        // Exits 1 when anything is found, CommonJS resolutions included: judged below.
      } finally {
        closeSync(fd)
      }
      const problems = (
        JSON.parse(readFileSync(report, 'utf8')) as {
          analysis: { problems: { kind: string; resolutionKind?: string; resolutionOption?: string }[] }
        }
      ).analysis.problems
      expect(
        problems
          .filter((p) => !['node10', 'node16-cjs'].includes(p.resolutionKind ?? p.resolutionOption ?? ''))
          .map((p) => `${name}: ${p.kind} (${p.resolutionKind ?? p.resolutionOption})`),
      ).toEqual([])
    }
  }, 180_000)

  it('install outside the workspace; an embedding program typechecks and runs; the command runs', () => {
    const project = join(work, 'project')
    mkdirSync(project)
    const dependency = (name: string) => [`@property-services/${name}`, `file:${tarball(name)}`] as const
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'embedding-backend',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(packages.map(dependency)),
        devDependencies: { '@types/node': '^20.19.43', typescript: '5.9.3' },
      }),
    )
    // The packages name each other by version; nothing is published, so the tarballs stand in.
    writeFileSync(
      join(project, 'pnpm-workspace.yaml'),
      [
        'allowBuilds:',
        '  better-sqlite3: true',
        '  protobufjs: true',
        '  esbuild: true',
        'overrides:',
        ...packages.map((name) => `  "@property-services/${name}": "file:${tarball(name)}"`),
        '',
      ].join('\n'),
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: ['node'],
          outDir: 'out',
        },
        files: ['embed.ts'],
      }),
    )
    copyFileSync(join(here, 'fixtures/embedding/embed.ts'), join(project, 'embed.ts'))
    run('pnpm', ['install', '--prefer-offline'], project)
    // No link back into the workspace: every package is a copy from its tarball.
    const resolved = run(
      'node',
      ['--input-type=module', '-e', 'console.log(import.meta.resolve("@property-services/domain"))'],
      project,
    )
    expect(resolved).toContain(project)
    expect(resolved).not.toContain(join(root, 'packages'))
    run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit'], project)
    run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], project)
    expect(JSON.parse(run('node', ['out/embed.js'], project))).toEqual({ category: 'facilities', filed: 1 })
    const demo = run(
      join(project, 'node_modules/.bin/property-services'),
      ['demo', '--months', '1', '--db', join(project, 'demo.db')],
      project,
    )
    expect(demo).toMatch(/Simulated 1 months of 3 communities from seed 7: \d+ commands \(0 refused/)
  }, 300_000)
})
