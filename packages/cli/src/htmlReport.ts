/**
 * The report as one self-contained HTML page: inline CSS and inline SVG line charts, no scripts, no
 * fonts, nothing fetched. Each chart is a `<figure data-chart>` whose series are `<g class="series">`
 * with one `<circle class="point">` per value.
 */

import { localTime } from './localTime.js'
import { type Lang, messages } from './messages.js'
import { internalSections, type ReportData, yuan } from './report.js'

interface Series {
  readonly name: string
  readonly values: ReadonlyArray<number | null>
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

/** A line chart: x labels, one polyline and its points per series (a null value leaves a gap). */
export const lineChart = (
  id: string,
  title: string,
  labels: readonly string[],
  series: readonly Series[],
  unit = '',
): string => {
  const width = 720
  const height = 260
  const left = 48
  const bottom = 40
  const top = 16
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)))
  const x = (i: number) => left + (labels.length <= 1 ? 0 : (i * (width - left - 40)) / (labels.length - 1))
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom)
  const ticks = [0, 0.5, 1].map((f) => max * f)
  const axis = [
    `<line x1="${left}" y1="${y(0)}" x2="${width - 8}" y2="${y(0)}" stroke="#999"/>`,
    ...ticks.map(
      (t) =>
        `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${escapeHtml(t.toFixed(t < 10 ? 1 : 0))}${unit}</text>`,
    ),
    ...labels.map(
      (label, i) =>
        `<text x="${x(i)}" y="${height - bottom + 16}" text-anchor="middle" font-size="10">${escapeHtml(label)}</text>`,
    ),
  ]
  const lines = series.map((s, index) => {
    const colour = colours[index % colours.length]
    const points = s.values.flatMap((v, i) => (v === null ? [] : [[x(i), y(v), v, labels[i]] as const]))
    return [
      `<g class="series" data-series="${escapeHtml(s.name)}">`,
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`,
      ...points.map(
        ([px, py, v, label]) =>
          `<circle class="point" cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${colour}"><title>${escapeHtml(s.name)} ${escapeHtml(label ?? '')}: ${v.toFixed(2)}${unit}</title></circle>`,
      ),
      '</g>',
    ].join('')
  })
  const legend = series
    .map(
      (s, i) =>
        `<li><span style="background:${colours[i % colours.length]}"></span>${escapeHtml(s.name)}</li>`,
    )
    .join('')
  return `<figure data-chart="${id}"><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${axis.join('')}${lines.join('')}</svg><ul class="legend">${legend}</ul></figure>`
}

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
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${lineChart('complaints', m.chartComplaints, charts.complaints.labels, charts.complaints.series)}
${lineChart('repeat-rate', m.chartRepeatRate, charts.repeatRate.labels, charts.repeatRate.series, '%')}
${lineChart('satisfaction', m.chartSatisfaction, charts.satisfaction.labels, charts.satisfaction.series)}
${lineChart('staff-satisfaction', m.chartStaffSatisfaction, charts.staffSatisfaction.labels, charts.staffSatisfaction.series)}
<h2>${escapeHtml(m.boardHeading)}</h2>
<table>${headerRow(m.boardHtmlColumns)}${board}</table>
<h2>${escapeHtml(m.lateRepliesHeading)}</h2>
<table>${headerRow(m.lateReplyColumns)}${late}</table>
${internalSections(data, lang)
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
