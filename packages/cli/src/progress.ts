/**
 * Progress for long work: on a terminal, a bar with rate and ETA (cli-progress); otherwise plain
 * lines, at most one every two seconds and one at the end, so that logs stay readable.
 */
import { SingleBar } from 'cli-progress'

/** A rate to read at a glance: per second, or per minute for slow work (weeks of a long simulation). */
export const formatRate = (perSecond: number): string =>
  perSecond >= 10
    ? `${perSecond.toFixed(0)}/s`
    : perSecond >= 1
      ? `${perSecond.toFixed(1)}/s`
      : `${(perSecond * 60).toFixed(1)}/min`

/** A time left, to the minute once it is an hour or more: `45 s`, `12 min 5 s`, `2 h 3 min`. */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

export const progressReporter = (
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = () => performance.now(),
) => {
  const started = now()
  let lastLine = Number.NEGATIVE_INFINITY
  let bar: SingleBar | undefined
  const rateOf = (done: number) => {
    const seconds = (now() - started) / 1000
    return seconds > 0 ? done / seconds : 0
  }
  return {
    update: (done: number, total: number | null, unit: string) => {
      if (stream.isTTY) {
        if (bar === undefined) {
          bar = new SingleBar({
            stream,
            format: `${label} [{bar}] {value}/{total} {unit} {speed} ETA {eta_formatted}`,
            barsize: 30,
            hideCursor: false,
            clearOnComplete: false,
            etaBuffer: 50,
          })
          bar.start(total ?? 0, done, { unit, speed: formatRate(0) })
        }
        if (total !== null) bar.setTotal(total)
        bar.update(done, { unit, speed: formatRate(rateOf(done)) })
      } else if (now() - lastLine > 2000 || done === total) {
        lastLine = now()
        const rate = rateOf(done)
        const left =
          total !== null && done < total && rate > 0
            ? `, about ${formatDuration((total - done) / rate)} left`
            : ''
        stream.write(
          `${label}: ${done}${total === null ? '' : `/${total}`} ${unit}, ${formatRate(rate)}${left}\n`,
        )
      }
    },
    done: () => bar?.stop(),
  }
}
