/**
 * Times as the people of a community read them: local date and time with the offset, e.g.
 * `2025-01-27 23:59:59 +08:00`, in the community's time zone (mainland China by default). Stored times
 * stay UTC instants; only what is printed changes. The zone rules come from Node's ICU (`Intl`).
 */
export const defaultTimeZone = 'Asia/Shanghai'

const formats = new Map<string, Intl.DateTimeFormat>()
const formatIn = (timeZone: string) => {
  let format = formats.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
    formats.set(timeZone, format)
  }
  return format
}

/** A stored instant (ISO 8601) as local time with its offset; text that is not an instant is left as is. */
export const localTime = (iso: string, timeZone: string = defaultTimeZone): string => {
  const instant = Date.parse(iso)
  if (Number.isNaN(instant)) return iso
  const parts = Object.fromEntries(
    formatIn(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  )
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '')
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`
}
