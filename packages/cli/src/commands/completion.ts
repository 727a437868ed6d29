/**
 * `completion bash|zsh`: a shell completion script, written from the program's own table of commands
 * and options (so it never disagrees with `--help`). Install: `property-services completion bash >>
 * ~/.bashrc`, or for zsh `property-services completion zsh >> ~/.zshrc`.
 */
import type { Command } from 'commander'
import { CliError, type Io } from './shared.js'

/** Every command path (`audit stream`) with the words that may follow it. */
const table = (command: Command, prefix: string[] = []): Array<[string, string[]]> => {
  const words = [
    ...command.commands.map((c) => c.name()),
    ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
    '--help',
  ]
  return [[prefix.join(' '), words], ...command.commands.flatMap((c) => table(c, [...prefix, c.name()]))]
}

const bash = (program: Command) => {
  const name = program.name()
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}_complete`
  const cases = table(program)
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n')
  return `# ${name} completion for bash
${fn}() {
  local cur path="" i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F ${fn} ${name}
`
}

const zsh = (program: Command) => `# ${program.name()} completion for zsh (through its bash compatibility)
autoload -U +X bashcompinit && bashcompinit
${bash(program)}`

export const completionCommand = (program: Command, io: Io) =>
  program
    .command('completion')
    .description('print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh')
        throw new CliError(`completion is for bash or zsh, not ${JSON.stringify(shell)}`)
      io.out(shell === 'bash' ? bash(program) : zsh(program))
    })
