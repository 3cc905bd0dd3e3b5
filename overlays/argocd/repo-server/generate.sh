#!/bin/sh
# The generate command of the stalwart-kustomize Config Management Plugin (plugin.yaml). It runs in the
# Application's folder of a repository checkout that argocd-cmp-server unpacked, and prints its manifests.
#
# Kustomize runs a legacy plugin from <plugin home>/<group>/<version>/<kind in lower case>/<kind>, joined from
# the apiVersion and kind of each object listed under transformers:, generators: and validators:, without
# confining the result. "x/../../../../proc/self/cwd" runs a file of the repository; a kind of
# "../../../../bin/sh" runs the shell with the object itself as its script. So before kustomize runs, this
# script follows every kustomization the build reaches and refuses:
#   - a plugin config whose apiVersion or kind is anything but a plain name (no "..", no "/" in a kind, no
#     absolute path, no quoting tricks, aliases, tags or values continued on another line);
#   - a plugin config that is not a StalwartConfig or one of kustomize's builtin plugins;
#   - KRM function annotations (exec or container functions);
#   - plugin configs that kustomize would compute first (a folder, an inline object) or fetch (a URL);
#     neither can be checked here;
#   - remote bases, folders outside the checkout, and kustomization lists not written as plain block lists
#     from the first column: this script reads YAML line by line, so it refuses what it could misread.
# Everything else is kustomize's: the build runs with the plugin home that holds the StalwartConfig plugin only.
set -eu

fail() {
  printf 'stalwart-kustomize: %s\n' "$@" >&2
  exit 1
}

[ -n "${STALWART_PLUGIN_HOME:-}" ] || fail "STALWART_PLUGIN_HOME is not set: the sidecar names the plugin home its init container filled"

# argocd-cmp-server unpacks each request into a folder of its own under its work folder; that folder is the
# repository (or the part of it Argo CD sent), and no kustomization may reach outside it.
work=$(cd "${ARGOCD_CMP_WORKDIR:-${TMPDIR:-/tmp}/_cmp_server}" 2>/dev/null && pwd -P) ||
  fail "no argocd-cmp-server work folder (ARGOCD_CMP_WORKDIR): this script runs only as the plugin's generate command"
here=$(pwd -P)
case $here in
  "$work"/?*) rest=${here#"$work"/} && root=$work/${rest%%/*} ;;
  *) fail "$here is not a checkout under $work: this script runs only as the plugin's generate command" ;;
esac

# The entries of resources:, components: and bases: (R), and of transformers:, generators: and validators: (T),
# of one kustomization file, one per line as "R|T <tab> line <tab> entry"; "X <tab> line <tab> problem" for
# what cannot be read as a plain list of paths.
list_entries='
function problem(message) { printf "X\t%d\t%s\n", NR, message }
function entry(text) {
  sub(/^[ \t]+/, "", text); sub(/[ \t]+#.*$/, "", text); sub(/[ \t]+$/, "", text)
  if (text ~ /^".*"$/ || text ~ /^\047.*\047$/) text = substr(text, 2, length(text) - 2)
  else if (text ~ /^[|>&*!{[]/ || text ~ /: / || text ~ /:$/) {
    problem("an inline object or a YAML indirection under " key ": list files and folders by their path")
    return
  }
  if (text == "") { problem("an empty entry under " key); return }
  if (text ~ /["\047\\]/) { problem("an entry with quotes or escapes inside under " key ": name the path plainly"); return }
  printf "%s\t%d\t%s\n", (key ~ /^(transformers|generators|validators)$/ ? "T" : "R"), NR, text
}
{ sub(/\r$/, "") }
/^[ \t]*(#.*)?$/ { next }
/^(---|\.\.\.)([ \t]|$)/ {
  key = ""; started = 0
  if ($0 !~ /^...[ \t]*(#.*)?$/) problem("content on the document marker line: start the kustomization on a line of its own")
  next
}
/^[ \t]/ && !started { problem("the kustomization does not start at the first column: write it in block style from the first column") }
/^[^ \t-]/ {
  started = 1
  if (!match($0, /^[A-Za-z][A-Za-z0-9]*:/)) {
    key = ""; problem("a top-level line that is not a plain key: write the kustomization in block style"); next
  }
  key = substr($0, 1, RLENGTH - 1)
  rest = substr($0, RLENGTH + 1); sub(/^[ \t]+/, "", rest); sub(/[ \t]+#.*$/, "", rest); sub(/[ \t]+$/, "", rest)
  if (key !~ /^(resources|components|bases|transformers|generators|validators)$/ || rest == "") next
  if (rest ~ /^\[[^]]*\]$/) {
    count = split(substr(rest, 2, length(rest) - 2), parts, ",")
    for (i = 1; i <= count; i++) if (parts[i] !~ /^[ \t]*$/) entry(parts[i])
  } else problem(key " is not a list of paths: write it as a block list (- path)")
  key = ""
  next
}
key ~ /^(resources|components|bases|transformers|generators|validators)$/ {
  if (match($0, /^[ \t]*-([ \t]|$)/)) entry(substr($0, RLENGTH + 1))
  else problem("a line under " key " that is not an entry of its own (- path): write each entry on one line")
}
'

# Problems in one plugin config file, one per line as "line <tab> problem".
check_config='
BEGIN { pending = -1 }
function problem(line, message) { printf "%d\t%s\n", line, message }
function plain(text) {
  sub(/[ \t]+#.*$/, "", text); sub(/^[ \t]+/, "", text); sub(/[ \t]+$/, "", text)
  if (text ~ /^"[^"]*"$/ || text ~ /^\047[^\047]*\047$/) text = substr(text, 2, length(text) - 2)
  return text
}
function check(name, value) {
  if (name == "apiversion") {
    if (value ~ /\.\./) problem(FNR, "apiVersion \"" value "\" contains \"..\": kustomize would run a program outside the plugin home")
    else if (value ~ /^\//) problem(FNR, "apiVersion \"" value "\" is an absolute path: kustomize would run a program outside the plugin home")
    else if (value !~ /^[A-Za-z0-9][A-Za-z0-9.-]*(\/[A-Za-z0-9][A-Za-z0-9.-]*)?$/) problem(FNR, "apiVersion \"" value "\" is not a plain group/version on one line")
    else return 1
  } else if (value !~ /^[A-Za-z][A-Za-z0-9]*$/) {
    problem(FNR, "kind \"" value "\" is not a plain name on one line: kustomize joins the kind into the path of the program it runs")
  } else return 1
  return 0
}
function end_document() {
  if (content && api == "") problem(start, "an object without apiVersion at the start of a line: write plugin configs in block style")
  else if (api == "stalwart.krm.example/v1alpha1" && kind != "StalwartConfig" && kind != "-") problem(apiLine, "kind \"" kind "\" is not StalwartConfig")
  else if (api != "" && api != "-" && api != "builtin" && api != "stalwart.krm.example/v1alpha1") problem(apiLine, "apiVersion \"" api "\" is neither StalwartConfig (stalwart.krm.example/v1alpha1) nor a kustomize builtin (builtin): this plugin runs no other")
  api = ""; kind = ""; content = 0
}
{ sub(/\r$/, "") }
/^(---|\.\.\.)([ \t]|$)/ {
  end_document()
  if ($0 !~ /^...[ \t]*(#.*)?$/) problem(FNR, "content on the document marker line: start the object on a line of its own")
  next
}
/^[ \t]*(#.*)?$/ { next }
{
  indent = match($0, /[^ \t]/) - 1
  if (pending >= 0 && indent > pending) problem(FNR, "the value of the apiVersion or kind above continues on this line: write it on one line")
  pending = -1
  if (!content) { content = 1; start = FNR }
}
/config\.kubernetes\.io\/function|config\.k8s\.io\/function/ {
  problem(FNR, "a KRM function annotation: this plugin runs no exec or container function")
}
/"[^"]*\\[^"]*"[ \t]*:/ { problem(FNR, "a quoted key with an escape sequence") }
/(^|[ \t{,?-])\*[^ \t,{}]+[ \t]*:([ \t]|$)/ { problem(FNR, "an alias used as a key") }
/^[ \t]*(-[ \t]+)*\?([ \t]|$)/ { problem(FNR, "an explicit key (?)") }
{
  line = tolower($0); offset = 0
  while (match(line, /(^|[^a-z0-9_])["\047]?(apiversion|kind)["\047]?[ \t]*:/)) {
    matched = substr(line, RSTART, RLENGTH)
    name = (matched ~ /apiversion/) ? "apiversion" : "kind"
    value = plain(substr($0, offset + RSTART + RLENGTH))
    ok = check(name, value)
    if (pending < 0) pending = offset + RSTART - 1 + (matched ~ /^[^a-z"\047]/)
    # Refused values are marked "-", so that an object is refused once for them.
    if ($0 ~ /^apiVersion[ \t]*:/ && name == "apiversion") { api = ok ? value : "-"; apiLine = FNR }
    if ($0 ~ /^kind[ \t]*:/ && name == "kind") kind = ok ? value : "-"
    offset += RSTART + RLENGTH - 1
    line = substr(line, RSTART + RLENGTH)
  }
}
END { end_document() }
'

relative() { printf '%s' "${1#"$root"/}"; }
nl='
'
problems=
queue=$here
seen=
while [ -n "$queue" ]; do
  dir=${queue%%"$nl"*}
  [ "$dir" = "$queue" ] && queue= || queue=${queue#*"$nl"}
  case $nl$seen$nl in *"$nl$dir$nl"*) continue ;; esac
  seen=$seen$nl$dir
  kustomization=
  for name in kustomization.yaml kustomization.yml Kustomization; do
    if [ -f "$dir/$name" ]; then kustomization=$dir/$name && break; fi
  done
  # kustomize itself reports a folder without a kustomization.
  [ -n "$kustomization" ] || continue
  entries=$(awk "$list_entries" "$kustomization")
  while IFS='	' read -r type line entry; do
    where="$(relative "$kustomization"):$line"
    case $type in
      X) problems=$problems$nl"$where: $entry" ;;
      R)
        case $entry in
          *://* | git@*) problems=$problems$nl"$where: \"$entry\" is remote: this plugin builds only what the repository holds; copy it into the repository" ;;
          *)
            if [ -d "$dir/$entry" ]; then
              target=$(cd "$dir/$entry" && pwd -P)
              case $target in
                "$root" | "$root"/*) queue=$queue$nl$target ;;
                *) problems=$problems$nl"$where: \"$entry\" is outside the repository" ;;
              esac
            fi
            ;;
        esac
        ;;
      T)
        case $entry in
          *://* | git@*) problems=$problems$nl"$where: \"$entry\" is remote: list plugin configs from files of the repository" ;;
          /*) problems=$problems$nl"$where: \"$entry\" is an absolute path: list plugin configs from files of the repository" ;;
          *)
            if [ -d "$dir/$entry" ]; then
              problems=$problems$nl"$where: \"$entry\" is a folder, whose objects kustomize computes before it runs them as plugins: list the files instead"
            elif [ -f "$dir/$entry" ]; then
              file=$dir/$entry
              found=$(awk "$check_config" "$file")
              [ -z "$found" ] || problems=$problems$nl$(printf '%s\n' "$found" | while IFS='	' read -r at message; do
                printf '%s:%s: %s\n' "$(relative "$file")" "$at" "$message"
              done)
            else
              problems=$problems$nl"$where: \"$entry\" is not a file of the repository"
            fi
            ;;
        esac
        ;;
    esac
  done <<EOF
$entries
EOF
done

if [ -n "$problems" ]; then
  printf 'stalwart-kustomize: refused to build %s, which could make kustomize run a program other than the StalwartConfig plugin:\n' "$(relative "$here")" >&2
  printf '%s\n' "${problems#"$nl"}" | sed 's/^/  /' >&2
  fail "Fix: list under transformers:, generators: and validators: only files of StalwartConfig objects (apiVersion stalwart.krm.example/v1alpha1) or of kustomize builtins (apiVersion builtin), each apiVersion and kind a plain name on one line."
fi

KUSTOMIZE_PLUGIN_HOME=$STALWART_PLUGIN_HOME exec kustomize build --enable-alpha-plugins .
