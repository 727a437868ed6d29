/**
 * The report as one self-contained HTML page: inline CSS, line charts drawn by Apache ECharts (inlined,
 * SVG renderer), tables; nothing fetched, so it works offline. Each chart is a `<figure data-chart>`.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

import { localTime } from './localTime.js'
import { type Lang, messages } from './messages.js'
import { communitySections, internalSections, type ReportData, yuan } from './report.js'

interface Series {
  readonly name: string
  readonly values: ReadonlyArray<number | null>
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

/**
 * Apache ECharts, inlined so that the page stays one file that works offline. Read once, from the
 * installed package.
 */
let echartsSource: string | undefined
const echartsScript = (): string => {
  echartsSource ??= readFileSync(
    createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'),
    'utf8',
  )
  // The library's text cannot close the script element it sits in.
  return echartsSource.replaceAll('</script', '<\\/script')
}

/** JSON that is safe inside a `<script>` element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029')

/** The ECharts option of a line chart: x labels, one line per series (a null value leaves a gap). */
export const lineChartOption = (labels: readonly string[], series: readonly Series[], unit = '') => ({
  animation: false,
  color: colours,
  grid: { left: 56, right: 24, top: 16, bottom: 64 },
  tooltip: { trigger: 'axis', valueFormatter: `{value}${unit}` },
  legend: { bottom: 0, type: 'scroll' },
  xAxis: { type: 'category', data: labels, axisLabel: { fontSize: 10 } },
  yAxis: { type: 'value', min: 0, axisLabel: { formatter: `{value}${unit}` } },
  series: series.map((s) => ({
    name: s.name,
    type: 'line',
    data: s.values.map((v) => (v === null ? null : Number(v.toFixed(4)))),
    connectNulls: false,
    showSymbol: true,
    symbolSize: 6,
  })),
})

/**
 * A line chart: a `<figure data-chart>` holding the element ECharts draws into (SVG renderer,
 * 720 × 260), and the script that draws it. The page keeps the chart instances in `window.charts`.
 */
export const lineChart = (
  id: string,
  title: string,
  labels: readonly string[],
  series: readonly Series[],
  unit = '',
): string =>
  `<figure data-chart="${id}"><figcaption>${escapeHtml(title)}</figcaption><div class="chart" id="chart-${id}" role="img" aria-label="${escapeHtml(title)}"></div></figure>
<script>window.charts=window.charts||{};window.charts[${scriptJson(id)}]=echarts.init(document.getElementById(${scriptJson(`chart-${id}`)}),null,{renderer:'svg',width:720,height:260});window.charts[${scriptJson(id)}].setOption(${scriptJson(lineChartOption(labels, series, unit))})</script>`

const grid = <R>(
  rows: readonly R[],
  seriesOf: (r: R) => string,
  labelOf: (r: R) => string,
  pointOf: (r: R) => number | null,
) => {
  const labels = [...new Set(rows.map(labelOf))].sort()
  const names = [...new Set(rows.map(seriesOf))].sort()
  const series = names.map((name) => ({
    name,
    values: labels.map((label) => {
      const row = rows.find((r) => seriesOf(r) === name && labelOf(r) === label)
      return row === undefined ? null : pointOf(row)
    }),
  }))
  return { labels, series }
}

/** The charts of a report: their ids, series and points, as the page draws them. */
export const chartsOf = (data: ReportData) => ({
  complaints: grid(
    data.byCategory,
    (r) => r.key,
    (r) => r.month,
    (r) => r.filed,
  ),
  repeatRate: grid(
    data.repeatRates,
    (r) => r.category,
    (r) => r.month,
    (r) => (r.rate === null ? null : r.rate * 100),
  ),
  satisfaction: grid(
    data.satisfaction,
    (p) => p.dimension,
    (p) => p.period,
    (p) => p.average,
  ),
  staffSatisfaction: grid(
    data.staffSatisfaction.filter((p) => p.department === '*'),
    (p) => p.dimension,
    (p) => p.period,
    (p) => p.average,
  ),
})

export const renderHtml = (data: ReportData, lang: Lang = 'en', title = messages[lang].title): string => {
  const m = messages[lang]
  const headerRow = (columns: readonly string[]) =>
    `<tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`
  const charts = chartsOf(data)
  const late = data.lateReplies
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c._id)}</td><td>${escapeHtml(c.category)}</td><td>${escapeHtml(localTime(c.filedAt))}</td><td>${escapeHtml(localTime(c.replyDueBy ?? '-'))}</td><td>${escapeHtml(localTime(c.repliedAt ?? '-'))}</td></tr>`,
    )
    .join('')
  const board = data.board
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.name)}</td><td>${escapeHtml(b.kind)}</td><td>${b.kind === 'free' ? escapeHtml(m.free) : escapeHtml(yuan(b.priceFen))}</td><td>${escapeHtml(yuan(b.disclosedCostFen))}</td><td>${escapeHtml(b.qualityStandard)}</td><td>${escapeHtml(b.packages.join(', ') || '-')}</td><td>${b.recentAverage === null ? '-' : `${b.recentAverage.toFixed(1)} (${b.recentRatings})`}</td></tr>`,
    )
    .join('')
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}figure{margin:0 0 2rem}figcaption{font-weight:600;margin-bottom:.5rem}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}.legend span{display:inline-block;width:10px;height:10px;margin-right:4px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.chart{width:720px;height:260px}</style>
<script>${echartsScript()}</script></head>
<body><h1>${escapeHtml(title)}</h1>
${lineChart('complaints', m.chartComplaints, charts.complaints.labels, charts.complaints.series)}
${lineChart('repeat-rate', m.chartRepeatRate, charts.repeatRate.labels, charts.repeatRate.series, '%')}
${lineChart('satisfaction', m.chartSatisfaction, charts.satisfaction.labels, charts.satisfaction.series)}
${lineChart('staff-satisfaction', m.chartStaffSatisfaction, charts.staffSatisfaction.labels, charts.staffSatisfaction.series)}
<h2>${escapeHtml(m.boardHeading)}</h2>
<table>${headerRow(m.boardHtmlColumns)}${board}</table>
<h2>${escapeHtml(m.lateRepliesHeading)}</h2>
<table>${headerRow(m.lateReplyColumns)}${late}</table>
${[...communitySections(data, lang), ...internalSections(data, lang)]
  .map(
    (section) =>
      `<h2>${escapeHtml(section.heading.replace(/^== | ==$/g, ''))}</h2>\n<table>${headerRow(section.columns)}${section.rows
        .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`)
        .join('')}</table>${section.note === undefined ? '' : `<p>${escapeHtml(section.note)}</p>`}`,
  )
  .join('\n')}
</body></html>
`
}
