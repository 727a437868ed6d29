import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chartsOf, reportData, run } from '@property-services/cli'
import { sqliteEventStore } from '@property-services/infrastructure'
import { allProjections, inMemoryReadModelStore, projectionRunner } from '@property-services/projections'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(chromiumPath)
if (!available) {
  if (process.env.CI)
    throw new Error(
      `Chromium must be installed in CI (.ci/run installs Debian's chromium): ${chromiumPath} missing`,
    )
  console.info(
    `HTML report browser test skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
  )
}

const dir = mkdtempSync(join(tmpdir(), 'ps-html-'))
const err = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream

describe.skipIf(!available)('HTML report in headless Chromium', () => {
  let browser: Browser
  const db = join(dir, 'demo.db')
  const page = join(dir, 'report.html')
  beforeAll(async () => {
    expect(
      await run(['demo', '--seed', '3', '--months', '12', '--db', db, '--html', page], {
        out: () => undefined,
        err,
      }),
    ).toBe(0)
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('draws every chart with the expected series and points, and fetches nothing', async () => {
    // What the page should show, from the same read models.
    const events = sqliteEventStore({ path: db })
    const readModels = inMemoryReadModelStore()
    for (const projection of allProjections())
      await projectionRunner({ events, readModels, projection }).catchUp()
    const expected = chartsOf(await reportData(readModels))
    await events.close()

    const context = await browser.newContext()
    const tab = await context.newPage()
    const requests: string[] = []
    tab.on('request', (request) => requests.push(request.url()))
    const url = pathToFileURL(page).href
    await tab.goto(url)
    expect(requests).toEqual([url])

    for (const [id, chart] of [
      ['complaints', expected.complaints],
      ['repeat-rate', expected.repeatRate],
      ['satisfaction', expected.satisfaction],
    ] as const) {
      const figure = tab.locator(`figure[data-chart="${id}"]`)
      expect(await figure.locator('svg').count()).toBe(1)
      const drawn = await figure
        .locator('g.series')
        .evaluateAll((groups) =>
          groups.map((g) => [g.getAttribute('data-series'), g.querySelectorAll('circle.point').length]),
        )
      expect(chart.series.length).toBeGreaterThan(0)
      expect(drawn).toEqual(chart.series.map((s) => [s.name, s.values.filter((v) => v !== null).length]))
    }
    expect(expected.complaints.series.map((s) => s.name)).toEqual([
      'emergency',
      'facilities',
      'fees',
      'management-service',
    ])
    expect(expected.complaints.labels.length).toBeGreaterThanOrEqual(12)
    expect(await tab.locator('figure[data-chart="complaints"] svg').boundingBox()).toMatchObject({
      width: 720,
      height: 260,
    })
    expect(readFileSync(page, 'utf8')).not.toMatch(/<script|https?:\/\//)
    await context.close()
  })
})
