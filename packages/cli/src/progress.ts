/** Progress for long work: a bar with rate and ETA on a terminal, plain lines otherwise. */
export const progressReporter = (label: string, stream: NodeJS.WriteStream = process.stderr) => {
  const started = performance.now()
  let lastLine = 0
  return {
    update: (done: number, total: number | null, unit: string) => {
      const seconds = (performance.now() - started) / 1000
      const rate = seconds > 0 ? done / seconds : 0
      if (stream.isTTY) {
        const fraction = total === null || total === 0 ? 0 : Math.min(1, done / total)
        const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')
        const eta =
          total === null || rate === 0 ? '' : ` ETA ${Math.max(0, (total - done) / rate).toFixed(0)}s`
        stream.write(
          `\r${label} [${bar}] ${done}${total === null ? '' : `/${total}`} ${unit} ${rate.toFixed(0)}/s${eta}   `,
        )
      } else if (performance.now() - lastLine > 2000 || done === total) {
        lastLine = performance.now()
        stream.write(`${label}: ${done}${total === null ? '' : `/${total}`} ${unit}, ${rate.toFixed(0)}/s\n`)
      }
    },
    done: () => {
      if (stream.isTTY) stream.write('\n')
    },
  }
}
