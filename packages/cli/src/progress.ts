/**
 * Progress for long work: on a terminal, a bar with rate and ETA (cli-progress); otherwise plain
 * lines, at most one every two seconds and one at the end, so that logs stay readable.
 */
import { SingleBar } from 'cli-progress'

export const progressReporter = (label: string, stream: NodeJS.WriteStream = process.stderr) => {
  const started = performance.now()
  let lastLine = 0
  let bar: SingleBar | undefined
  const rateOf = (done: number) => {
    const seconds = (performance.now() - started) / 1000
    return seconds > 0 ? done / seconds : 0
  }
  return {
    update: (done: number, total: number | null, unit: string) => {
      if (stream.isTTY) {
        if (bar === undefined) {
          bar = new SingleBar({
            stream,
            format: `${label} [{bar}] {value}/{total} {unit} {speed}/s ETA {eta_formatted}`,
            barsize: 30,
            hideCursor: false,
            clearOnComplete: false,
            etaBuffer: 50,
          })
          bar.start(total ?? 0, done, { unit, speed: '0' })
        }
        if (total !== null) bar.setTotal(total)
        bar.update(done, { unit, speed: rateOf(done).toFixed(0) })
      } else if (performance.now() - lastLine > 2000 || done === total) {
        lastLine = performance.now()
        stream.write(
          `${label}: ${done}${total === null ? '' : `/${total}`} ${unit}, ${rateOf(done).toFixed(0)}/s\n`,
        )
      }
    },
    done: () => bar?.stop(),
  }
}
