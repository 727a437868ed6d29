import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chartsOf, reportData, run } from '@property-services/cli'
import { sqliteEventStore } from '@property-services/infrastructure'
import { allProjections, inMemoryReadModelStore, projectionRunner } from '@property-services/projections'
import { type Browser, chromium } from 'playwright-core'
import { PNG } from 'pngjs'
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

  it('draws every chart with ECharts, with the expected series and points, and fetches nothing', async () => {
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
      ['staff-satisfaction', expected.staffSatisfaction],
    ] as const) {
      const figure = tab.locator(`figure[data-chart="${id}"]`)
      // ECharts drew it, as SVG, at its size.
      expect(await figure.locator('svg').count()).toBe(1)
      expect(await figure.locator('svg').boundingBox()).toMatchObject({ width: 720, height: 260 })
      // Its series and points, as the chart instance holds them.
      const drawn = await tab.evaluate((chartId) => {
        const instance = (globalThis as unknown as { charts?: Record<string, { getOption(): unknown }> })
          .charts?.[chartId]
        const option = instance?.getOption() as { series: { name: string; data: (number | null)[] }[] }
        return option.series.map((s) => [s.name, s.data.filter((v) => v !== null).length])
      }, id)
      expect(chart.series.length).toBeGreaterThan(0)
      expect(drawn).toEqual(chart.series.map((s) => [s.name, s.values.filter((v) => v !== null).length]))
      // A screenshot, checked for its structure rather than pixel for pixel: the chart's size, ink on
      // the page but mostly background, and the first series' colour among the pixels.
      const image = PNG.sync.read(await tab.locator(`#chart-${id}`).screenshot())
      expect(image.width).toBe(720)
      expect(Math.abs(image.height - 260)).toBeLessThanOrEqual(1)
      let ink = 0
      let firstSeries = 0
      for (let i = 0; i < image.data.length; i += 4) {
        const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!]
        if (r < 235 || g < 235 || b < 235) ink++
        // #1f77b4, the first colour, give or take anti-aliasing.
        if (Math.abs(r - 0x1f) < 30 && Math.abs(g - 0x77) < 30 && Math.abs(b - 0xb4) < 30) firstSeries++
      }
      const pixels = image.width * image.height
      expect(ink / pixels).toBeGreaterThan(0.01)
      expect(ink / pixels).toBeLessThan(0.6)
      expect(firstSeries).toBeGreaterThan(50)
    }
    expect(expected.complaints.series.map((s) => s.name)).toEqual([
      'emergency',
      'facilities',
      'fees',
      'management-service',
    ])
    expect(expected.complaints.labels.length).toBeGreaterThanOrEqual(12)
    // One file: the charting library is inlined, nothing is linked.
    const html = readFileSync(page, 'utf8')
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b/)
    expect(html).toContain('echarts')
    await context.close()
  })
})
