# Shared by scripts/*.sh: create .venv and install the pinned dependencies (constraints.txt).
ensure_venv() {
  local extra="${1:-}"
  local stamp=".venv/.installed-${extra:-base}"
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    if [ -n "$extra" ]; then
      .venv/bin/python -m pip install -q -c constraints.txt -e ".[$extra]"
    else
      .venv/bin/python -m pip install -q -c constraints.txt -e .
    fi
    touch "$stamp"
  fi
}

# Debian packages the browser tests and PDF notices use: chromium for Playwright, CJK fonts so
# Chinese renders (screenshots and embedded PDF fonts); nginx for the deploy test. Installed only
# when missing and when we are root; without them those tests are skipped with the reason printed.
# poppler-utils (pdftotext) lets the notice tests read the text back out of a generated PDF.
ensure_system_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  [ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
  [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
  command -v msgfmt >/dev/null || missing+=(gettext)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v pg_dump >/dev/null || missing+=(postgresql-client)  # onewindow backup/restore
  # nginx: the deploy test runs `nginx -t` on deploy/nginx (docs/operations.md §W5); installing
  # it does not start it here (no systemd in CI containers).
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "== installing ${missing[*]} (apt-get)"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || echo "!! apt-get failed: browser tests may be skipped"
    else
      echo "!! missing ${missing[*]} and not root: browser tests will be skipped"
    fi
  fi
}
