#!/usr/bin/env bash
# Installs what the Go, Python and Java callers need, once per machine, outside the repository:
#   python: a virtual environment with requirements.txt (PyPI), keyed by that file and the Python version;
#   go:     the modules of go.sum (module proxy) and a first build, in Go's own caches;
#   java:   the jars of pom.xml and their dependencies (Maven Central), copied into a folder keyed by pom.xml.
# Arguments name the languages to set up (default: all three). Idempotent and safe to run concurrently (a lock);
# a warm run takes a few seconds. Its output is the variables test/callers reads, e.g.
#   CALLERS_PYTHON=<venv>/bin/python
#   CALLERS_JAVA_CLASSPATH=<folder>/lib/*
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tencent-batch-recovery/callers"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

log() { echo "[callers-setup] $*" >&2; }
key() { cat "$@" | sha256sum | cut -c1-12; }

setup_python() {
  local python="${PYTHON:-python3}" version venv start=$SECONDS
  version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  venv="$cache/python-$version-$(key "$here/python/requirements.txt")"
  if [[ ! -f "$venv/.complete" ]]; then
    log "creating $venv (pip install -r python/requirements.txt)"
    rm -rf "$venv"
    local pip_install=(install --quiet --disable-pip-version-check --no-input -r "$here/python/requirements.txt")
    if "$python" -m venv "$venv" >&2; then
      "$venv/bin/pip" "${pip_install[@]}" >&2
    else
      # Debian's python3 without python3-venv has no ensurepip: an environment without pip, filled by the
      # host's pip (22.3 or newer has --python).
      log "python -m venv failed; retrying without pip in the environment"
      rm -rf "$venv"
      "$python" -m venv --without-pip "$venv" >&2
      "$python" -m pip --python "$venv/bin/python" "${pip_install[@]}" >&2
    fi
    touch "$venv/.complete"
    log "python ready in $((SECONDS - start)) s"
  fi
  echo "CALLERS_PYTHON=$venv/bin/python"
}

setup_go() {
  local start=$SECONDS
  (cd "$here/go" && go mod download && go build -o /dev/null .) >&2
  log "go modules and build cache ready in $((SECONDS - start)) s"
}

setup_java() {
  local jars start=$SECONDS
  jars="$cache/java-$(key "$here/java/pom.xml")"
  if [[ ! -f "$jars/.complete" ]]; then
    log "copying the Java caller's jars into $jars (mvn dependency:copy-dependencies)"
    rm -rf "$jars"
    mvn --batch-mode --quiet -Dstyle.color=never --file "$here/java/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$jars/lib" >&2
    touch "$jars/.complete"
    log "java ready in $((SECONDS - start)) s"
  fi
  echo "CALLERS_JAVA_CLASSPATH=$jars/lib/*"
}

languages=("$@")
[[ ${#languages[@]} -gt 0 ]] || languages=(go python java)
for language in "${languages[@]}"; do
  case "$language" in
    go | python | java) "setup_$language" ;;
    *) echo "unknown language: $language (go, python or java)" >&2 && exit 2 ;;
  esac
done
