/**
 * JSON with object keys in code-point order at every depth: the same value always gives the same text,
 * whatever order its fields were written or read back in. What the hash chain hashes. (Written as
 * loops: it runs on every event appended and verified.)
 */
export const canonicalJson = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${canonicalJson(value[i] ?? null)}`
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const field = record[key]
    if (field === undefined) continue
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(field)}`
    first = false
  }
  return `${out}}`
}
