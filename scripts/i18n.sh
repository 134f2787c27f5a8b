#!/usr/bin/env bash
# Builds the zh-Hans catalogues from the code and the JSON translation tables
# (locale/zh_Hans.json and <app>/locale/zh_Hans.json are the source; .po/.mo are output).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# start from empty catalogues: msgmerge would otherwise keep "fuzzy" guesses from an
# earlier run (a wrong translation of a similar string)
find . -path ./.venv -prune -o -path '*/zh_Hans/LC_MESSAGES/django.po' -print | xargs -r rm -f
$PY manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench \
  --no-location --no-wrap --no-obsolete -v 0
shopt -s nullglob
tables=(locale/zh_Hans.json)
for t in */locale/zh_Hans*.json; do tables+=("$t"); done
$PY scripts/po_fill.py "${tables[@]}" > var/untranslated.txt
$PY manage.py compilemessages --ignore=.venv -v 0
if [ -s var/untranslated.txt ]; then
  echo "WARNING: untranslated strings (add them to a zh_Hans.json table):"
  sed 's/^/  /' var/untranslated.txt
fi
