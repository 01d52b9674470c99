#!/usr/bin/env bash
# Installs what the Go, Python and Java callers need, once per machine, outside the repository:
#   Python: a virtual environment with requirements.txt (PyPI), keyed by that file and the Python version;
#   Go:     the modules of go.sum (module proxy) and a first build, in Go's own caches;
#   Java:   the jars of pom.xml and their dependencies (Maven Central), copied into a folder keyed by pom.xml.
# Idempotent and safe to run concurrently (a lock); a warm run takes a few seconds. Its last lines are the
# variables test/callers reads: CALLERS_PYTHON=..., CALLERS_JAVA_CLASSPATH=....
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tencent-batch-recovery/callers"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

log() { echo "[callers-setup] $*" >&2; }
key() { cat "$@" | sha256sum | cut -c1-12; }
elapsed() { echo "$((SECONDS - $1)) s"; }

python="${PYTHON:-python3}"
py_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
venv="$cache/python-$py_version-$(key "$here/python/requirements.txt")"
if [[ ! -f "$venv/.complete" ]]; then
  start=$SECONDS
  log "creating $venv (pip install -r python/requirements.txt)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$here/python/requirements.txt" >&2
  touch "$venv/.complete"
  log "python ready in $(elapsed "$start")"
fi

start=$SECONDS
(cd "$here/go" && go mod download && go build -o /dev/null .) >&2
log "go modules and build cache ready in $(elapsed "$start")"

jars="$cache/java-$(key "$here/java/pom.xml")"
if [[ ! -f "$jars/.complete" ]]; then
  start=$SECONDS
  log "copying the Java caller's jars into $jars (mvn dependency:copy-dependencies)"
  rm -rf "$jars"
  mvn --batch-mode --quiet -Dstyle.color=never --file "$here/java/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$jars/lib" >&2
  touch "$jars/.complete"
  log "java ready in $(elapsed "$start")"
fi

echo "CALLERS_PYTHON=$venv/bin/python"
echo "CALLERS_JAVA_CLASSPATH=$jars/lib/*"
