/**
 * JSON with object keys in code-point order at every depth: the same value always gives the same text,
 * whatever order its fields were written or read back in. What the hash chain hashes. (Written as
 * loops, with the quoted form of each field name kept: it runs on every event appended and verified.)
 */
export const canonicalJson = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      out += canonicalJson(value[i] ?? null)
    }
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  const keys = sortedKeys(Object.keys(record))
  let out = '{'
  for (const key of keys) {
    const field = record[key]
    if (field === undefined) continue
    if (out.length > 1) out += ','
    out += quoted(key)
    out += ':'
    out += canonicalJson(field)
  }
  return `${out}}`
}

// Field names repeat from event to event; ids used as keys do not, so the memo is bounded.
const quotedNames = new Map<string, string>()
const maxQuotedNames = 10_000
const quoted = (key: string): string => {
  let text = quotedNames.get(key)
  if (text === undefined) {
    text = JSON.stringify(key)
    if (quotedNames.size < maxQuotedNames) quotedNames.set(key, text)
  }
  return text
}

/**
 * The keys in code-unit order, as `Array.prototype.sort` orders strings. A few keys are sorted in
 * place by insertion: V8's sort allocates a work area on every call, which was the handler's largest
 * allocation (about 4 KiB a command, by `tools/allocation-profile.mjs`).
 */
const sortedKeys = (keys: string[]): string[] => {
  if (keys.length > 32) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!
    keys[j + 1] = key
  }
  return keys
}
