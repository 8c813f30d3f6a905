# bash completion for task-cli. Install: source this file, or
#   task-cli completion bash > /etc/bash_completion.d/task-cli
# Completes commands, options, enum values and (when the CLI can reach its backend) task ids.
_task_cli() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  fi
  local commands="add list ls show edit done reopen pause resume cancel rm run runs templates from-template stats next upcoming preview completions bulk export import db completion"
  local global="--db --data-dir --server --user -u --token --internal-secret --output -o --quiet --idempotency-key --help -h"
  local fields="--description -d --priority -p --schedule -s --every --at --tz --due --remind --recur --anchor --tag --config -c --config-json --metadata-json"
  local types="daily_weather daily_news news_monitor weather_alert price_tracker data_backup todo reminder calendar_event custom"

  case "$prev" in
    --output|-o) COMPREPLY=($(compgen -W "json jsonl table" -- "$cur")); return ;;
    --priority|-p) COMPREPLY=($(compgen -W "low medium high urgent" -- "$cur")); return ;;
    --type|-t) COMPREPLY=($(compgen -W "$types" -- "$cur")); return ;;
    --status) COMPREPLY=($(compgen -W "pending scheduled running completed failed cancelled paused" -- "$cur")); return ;;
    --category) COMPREPLY=($(compgen -W "productivity monitoring alerts calendar custom" -- "$cur")); return ;;
    --anchor) COMPREPLY=($(compgen -W "due completion" -- "$cur")); return ;;
    --schedule|-s|--recur) COMPREPLY=($(compgen -W "cron: daily: weekly: monthly: once: every:" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
    --file|-f|--data-dir|--ids-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac

  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --db|--data-dir|--server|--user|-u|--token|--internal-secret|--output|-o|--idempotency-key) ((i++)) ;;
      -*) ;;
      *) cmd="${words[i]}"; break ;;
    esac
  done

  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return
  fi
  local opts=""
  case "$cmd" in
    add) opts="$fields --type -t --credits" ;;
    edit) opts="$fields --name --credits --status --next-run --clear-description --clear-schedule --clear-due --clear-remind --clear-tags --clear-recur" ;;
    from-template) opts="$fields --name" ;;
    list|ls) opts="--status --type --priority --tag --due-before --due-after -q --query --limit --offset --cursor --all" ;;
    run) opts="--trigger-type --trigger-data --wait" ;;
    bulk) opts="--ids-file --status --type --priority --tag --due-before --due-after -q --query" ;;
    runs) opts="--limit --offset" ;;
    templates) opts="--category --type" ;;
    stats) opts="--days --tz" ;;
    next|preview) opts="--count -n --tz --from" ;;
    upcoming) opts="--count -n" ;;
    completions) opts="--limit" ;;
    export) opts="--file -f" ;;
    db) opts="migrate" ;;
    completion) opts="bash" ;;
  esac
  if [[ "$cur" != -* ]]; then
    if [[ "$cmd" == bulk && "$prev" == bulk ]]; then
      COMPREPLY=($(compgen -W "pause resume cancel delete run" -- "$cur")); return
    fi
    case "$cmd" in
      show|edit|done|reopen|pause|resume|cancel|rm|run|runs|upcoming|completions|bulk)
        local ids
        ids=$(task-cli --output json --quiet list --all 2>/dev/null)
        COMPREPLY=($(compgen -W "$ids" -- "$cur")); return ;;
      from-template)
        local ids
        ids=$(task-cli --output json --quiet templates 2>/dev/null)
        COMPREPLY=($(compgen -W "$ids" -- "$cur")); return ;;
      import) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
}
complete -F _task_cli task-cli
