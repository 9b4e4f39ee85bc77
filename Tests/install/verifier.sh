#!/usr/bin/env bash
# `make install` into a scratch folder (debug build, DESTDIR), then, as a user would meet them:
# the manual page renders with groff without a single warning, in French, with a section per
# command of `releve --experimental-dump-help`; bash completes commands and options from the
# installed script; the zsh and fish scripts name every command.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
make --no-print-directory install CONFIG=debug PREFIX=/usr DESTDIR="$scratch" >/dev/null
root="$scratch/usr"
fail() { echo "verifier.sh (installation) : $*" >&2; exit 1; }

[ -x "$root/bin/releve" ] || fail "bin/releve manque"
page="$root/share/man/man1/releve.1"
warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
[ -z "$warnings" ] || fail "groff signale : $warnings"
text=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=100n -P -cbou "$page")
for heading in NOM SYNOPSIS DESCRIPTION COMMANDES "OPTIONS D'EXPLOITATION" "CODES DE SORTIE" ENVIRONNEMENT FICHIERS EXEMPLES; do
    grep -q "^$heading" <<<"$text" || fail "section « $heading » absente de la page"
done
# One subsection per command the binary knows (help excepted).
commands=$(python3 - "$root/bin/releve" <<'PY'
import json, subprocess, sys
model = json.loads(subprocess.run([sys.argv[1], "--experimental-dump-help"], check=True, capture_output=True).stdout)
def walk(command, path):
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            print(" ".join(path + [sub["commandName"]]))
            walk(sub, path + [sub["commandName"]])
walk(model["command"], ["releve"])
PY
)
count=0
while read -r command; do
    grep -q "^   $command\$" <<<"$text" || fail "pas de section pour « $command »"
    count=$((count + 1))
done <<<"$commands"
[ "$count" -ge 30 ] || fail "$count commandes seulement"
for english in "OVERVIEW" "USAGE" "Show help" "default:" "SUBCOMMANDS"; do
    ! grep -q "$english" <<<"$text" || fail "anglais dans la page : $english"
done

# bash: the installed script completes a command, a subcommand and an option.
completion="$root/share/bash-completion/completions/releve"
complete_words() {
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _releve releve "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
        echo "${COMPREPLY[*]}"' _ "$completion" "$@"
}
[ "$(complete_words releve pai)" = "paiements" ] || fail "bash ne complète pas « releve pai »"
[ "$(complete_words releve admin cour)" = "courriers" ] || fail "bash ne complète pas « releve admin cour »"
grep -qw -- "--detail" <<<"$(complete_words releve paiements --)" || fail "bash ne propose pas --detail"
for file in "$root/share/zsh/site-functions/_releve" "$root/share/fish/vendor_completions.d/releve.fish"; do
    for command in paiements releves duplicata admin; do
        grep -q "$command" "$file" || fail "$(basename "$file") ne connaît pas « $command »"
    done
done
echo "Installation vérifiée : page de manuel ($count commandes, sans avertissement de groff), complétions bash, zsh et fish."
