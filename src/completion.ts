/**
 * Shell completion for bash, zsh and fish, generated from the same settings tables as --help:
 * every subcommand, every flag, and the values of enumerated flags.
 */
import type { CommandSpec } from './commands/command-spec.js';
import type { SettingMap } from './config/resolve.js';
import { choicesOf, flagNamesOf } from './config/setting.js';

export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

interface Flag {
  readonly long: string;
  readonly short: string | undefined;
  readonly takesValue: boolean;
  readonly choices: readonly string[] | undefined;
  readonly description: string;
}

function flagsOf(spec: CommandSpec<SettingMap>): Flag[] {
  const flags: Flag[] = [];
  for (const setting of Object.values(spec.settings)) {
    if (!setting.flags) continue;
    const { long = '', short, takesValue } = flagNamesOf(setting);
    flags.push({ long, short, takesValue, choices: choicesOf(setting), description: setting.description });
  }
  flags.push({ long: '--help', short: '-h', takesValue: false, choices: undefined, description: 'display help' });
  return flags;
}

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

function bash(specs: ReadonlyArray<CommandSpec<SettingMap>>): string {
  const cases = specs
    .map((spec) => {
      const flags = flagsOf(spec);
      const valueCases = flags
        .filter((f) => f.choices)
        .map(
          (f) =>
            `        ${[f.long, f.short].filter(Boolean).join('|')}) COMPREPLY=($(compgen -W ${quote((f.choices ?? []).join(' '))} -- "$cur")); return ;;`,
        )
        .join('\n');
      const words = flags.flatMap((f) => [f.long, f.short].filter(Boolean)).join(' ');
      return `    ${spec.name})
      case "$prev" in
${valueCases}
      esac
      COMPREPLY=($(compgen -W ${quote(words)} -- "$cur")) ;;`;
    })
    .join('\n');
  return `# streamforge completion for bash: eval "$(streamforge completion bash)"
_streamforge() {
  local cur prev sub
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  sub="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quote([...specs.map((s) => s.name), 'completion', '--help', '--version'].join(' '))} -- "$cur"))
    return
  fi
  case "$sub" in
${cases}
    completion) COMPREPLY=($(compgen -W ${quote(shells.join(' '))} -- "$cur")) ;;
  esac
}
complete -F _streamforge streamforge
`;
}

function zsh(specs: ReadonlyArray<CommandSpec<SettingMap>>): string {
  const esc = (s: string): string => s.replaceAll("'", "'\\''").replaceAll('[', '\\[').replaceAll(']', '\\]').replaceAll(':', '\\:');
  const funcs = specs
    .map((spec) => {
      const args = flagsOf(spec)
        .map((f) => {
          const value = f.takesValue ? (f.choices ? `:value:(${f.choices.join(' ')})` : ':value: ') : '';
          const names = f.short ? `{${f.short},${f.long}}` : f.long;
          return `    ${names}'[${esc(f.description)}]${value}'`;
        })
        .join(' \\\n');
      return `_streamforge_${spec.name.replaceAll('-', '_')}() {\n  _arguments \\\n${args}\n}`;
    })
    .join('\n\n');
  const subs = specs.map((s) => `    '${s.name}:${esc(s.summary)}'`).join('\n');
  const dispatch = specs.map((s) => `    ${s.name}) _streamforge_${s.name.replaceAll('-', '_')} ;;`).join('\n');
  return `#compdef streamforge
# streamforge completion for zsh: streamforge completion zsh > "\${fpath[1]}/_streamforge"
${funcs}

_streamforge() {
  local -a subcommands
  subcommands=(
${subs}
    'completion:print a shell completion script'
  )
  if (( CURRENT == 2 )); then
    _describe 'command' subcommands
    return
  fi
  case "$words[2]" in
${dispatch}
    completion) _values 'shell' ${shells.join(' ')} ;;
  esac
}

compdef _streamforge streamforge
`;
}

function fish(specs: ReadonlyArray<CommandSpec<SettingMap>>): string {
  const lines = [
    '# streamforge completion for fish: streamforge completion fish > ~/.config/fish/completions/streamforge.fish',
    'complete -c streamforge -f',
  ];
  for (const spec of specs) lines.push(`complete -c streamforge -n __fish_use_subcommand -a ${spec.name} -d ${quote(spec.summary)}`);
  lines.push(`complete -c streamforge -n __fish_use_subcommand -a completion -d 'print a shell completion script'`);
  lines.push(`complete -c streamforge -n '__fish_seen_subcommand_from completion' -a ${quote(shells.join(' '))}`);
  for (const spec of specs) {
    for (const f of flagsOf(spec)) {
      const parts = [`complete -c streamforge -n '__fish_seen_subcommand_from ${spec.name}'`, `-l ${f.long.slice(2)}`];
      if (f.short) parts.push(`-s ${f.short.slice(1)}`);
      if (f.takesValue) parts.push(f.choices ? `-x -a ${quote(f.choices.join(' '))}` : '-r');
      parts.push(`-d ${quote(f.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, specs: ReadonlyArray<CommandSpec<SettingMap>>): string {
  return shell === 'bash' ? bash(specs) : shell === 'zsh' ? zsh(specs) : fish(specs);
}
