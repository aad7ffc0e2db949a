#!/usr/bin/env bash
# What `make test` and `make book` need from the system, checked before any slow step starts.
#
#   tools/provision.sh browser   Chromium for the browser checks (make test)
#   tools/provision.sh npm       npm, which installs MathJax and axe-core from the registry (make book)
#   tools/provision.sh venv      Python's venv and ensurepip, which create .venv (every target)
#   tools/provision.sh tex       TeX Live (xelatex, latexmk, the LaTeX packages and fonts the
#                                printed book uses) and poppler-utils (the PDF checks) (make pdf)
#
# A tool that is present is used as it is. A missing one is installed with the system package
# manager (Debian/Ubuntu apt-get) when this runs as root, as CI and containers do; otherwise the
# script stops at once with the one command to run. PCBOOK_PROVISION=check never installs (the
# tests use it); PCBOOK_PROVISION=install installs with sudo when not root.
set -euo pipefail

need=${1:?usage: tools/provision.sh browser|npm|venv|tex}
case "$need" in
  browser) commands=(chromium chromium-browser google-chrome); packages=(chromium) ;;
  npm)     commands=(npm);                                     packages=(nodejs npm) ;;
  venv)    commands=("${PYTHON:-python3} -m venv");           packages=(python3-venv) ;;
  tex)     commands=(xelatex latexmk pdftotext pdffonts pdfimages pdftoppm)
           packages=(texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
                     latexmk fonts-freefont-otf poppler-utils) ;;
  *) echo "tools/provision.sh: unknown need '$need' (allowed: browser, npm, venv, tex)" >&2; exit 2 ;;
esac
# what the printed book loads besides the programs: a style file from each TeX package, and the fonts
tex_styles=(ucharclasses.sty unicode-math.sty needspace.sty capt-of.sty)
tex_fonts=(FreeSerif.otf latinmodern-math.otf)

present() {
  if [ "$need" = venv ]; then "${PYTHON:-python3}" -c "import venv, ensurepip" >/dev/null 2>&1; return; fi
  if [ "$need" = tex ]; then
    for c in "${commands[@]}"; do command -v "$c" >/dev/null 2>&1 || return 1; done
    for f in "${tex_styles[@]}" "${tex_fonts[@]}"; do
      [ -n "$(kpsewhich "$f" 2>/dev/null)" ] || [ -n "$(find /usr/share/fonts -name "$f" -print -quit 2>/dev/null)" ] || return 1
    done
    return 0
  fi
  for c in "${commands[@]}"; do command -v "$c" >/dev/null 2>&1 && return 0; done
  return 1
}
present && exit 0

install_command="apt-get install -y --no-install-recommends ${packages[*]}"
mode=${PCBOOK_PROVISION:-auto}
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if [ "$mode" = install ]; then sudo="sudo "; else mode=check; fi
fi
if [ "$mode" = check ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "error: make needs ${commands[0]} (${need}), which is not installed. Install it first:" >&2
  echo "    sudo $install_command" >&2
  echo "(or the same packages with your system's package manager), then run make again." >&2
  exit 1
fi
echo "installing ${packages[*]} for the ${need} checks: ${sudo}${install_command}"
export DEBIAN_FRONTEND=noninteractive
${sudo}apt-get update -qq
${sudo}${install_command} -qq
present || { echo "error: ${packages[*]} installed, but ${commands[0]} is still not on PATH" >&2; exit 1; }
