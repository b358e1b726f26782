#!/bin/sh
# scripts/splice-doc.sh FILE MARK — print FILE with the lines between
# "<!-- MARK -->" and "<!-- /MARK -->" replaced by standard input (make docs
# writes generated tables into hand-written docs this way).
set -eu
awk -v mark="$2" '
	BEGIN { first = "<!-- " mark " -->"; last = "<!-- /" mark " -->" }
	$0 == first { print; while ((getline line < "/dev/stdin") > 0) print line; skip = 1; found = 1; next }
	$0 == last  { skip = 0 }
	!skip       { print }
	END         { if (!found) { print "splice-doc: no " first " in " FILENAME > "/dev/stderr"; exit 1 } }
' "$1"
