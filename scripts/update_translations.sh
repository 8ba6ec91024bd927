#!/usr/bin/env bash
# Refresh the message catalog after adding or changing Thai strings (the same steps as
# `make extract`): extract every _()/_l()/ngettext()/_n() string into messages.pot, merge it
# into each catalog (new msgids get an empty msgstr, no fuzzy guesses), then list the msgids
# that still have no English translation. Translate those in
# fairapp/translations/en/LC_MESSAGES/messages.po, then `make install` (or
# `.venv/bin/pybabel compile -d fairapp/translations`) compiles the .mo files.
# Usage: scripts/update_translations.sh   (from anywhere; exits 0 even when some are missing)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
POT=fairapp/translations/messages.pot
EN_PO=fairapp/translations/en/LC_MESSAGES/messages.po

"$BIN/pybabel" -q extract -F babel.cfg -k _l -k _n:1,2 -o "$POT" . >/dev/null
if [ -f "$EN_PO" ]; then
  "$BIN/pybabel" -q update -N --ignore-obsolete -i "$POT" -d fairapp/translations
else
  "$BIN/pybabel" -q init -i "$POT" -d fairapp/translations -l en
fi

"$BIN/python" - "$EN_PO" <<'PY'
import sys

from babel.messages.pofile import read_po

path = sys.argv[1]
with open(path, "rb") as f:
    catalog = read_po(f)
missing, fuzzy = [], []
for message in catalog:
    if not message.id:
        continue
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    if not all(s and s.strip() for s in strings):
        missing.append(message)
    elif message.fuzzy:
        fuzzy.append(message)
total = sum(1 for m in catalog if m.id)
print(f"{len(missing)} of {total} msgids lack an English translation in {path}")
for message in missing:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    where = ", ".join(f"{file}:{line}" for file, line in message.locations[:3])
    print(f"  {msgid}    ({where})")
if fuzzy:
    print(f"{len(fuzzy)} fuzzy entries to review (remove the fuzzy flag when done)")
PY
