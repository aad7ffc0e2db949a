#!/usr/bin/env bash
# Prints the OpenBLAS kernel pin the book's stored outputs were made with, when this processor can
# run it: OPENBLAS_CORETYPE=Haswell needs x86-64 with AVX2 (and FMA). On any other processor it
# prints nothing (OpenBLAS then picks its own kernel, which is always correct, but rounds
# differently) and says on stderr which stored digits may differ.
# PCBOOK_ARCH and PCBOOK_CPUINFO stand in for `uname -m` and /proc/cpuinfo (the tests use them).
set -u
arch=${PCBOOK_ARCH:-$(uname -m)}
cpuinfo=${PCBOOK_CPUINFO:-/proc/cpuinfo}
avx2=no
case "$arch" in
  x86_64|amd64)
    if [ -r "$cpuinfo" ]; then
      grep -m1 -w avx2 "$cpuinfo" >/dev/null && grep -m1 -w fma "$cpuinfo" >/dev/null && avx2=yes
    elif command -v sysctl >/dev/null 2>&1; then
      sysctl -n machdep.cpu.leaf7_features 2>/dev/null | grep -qw AVX2 && avx2=yes
    fi ;;
esac
if [ "$avx2" = yes ]; then
  echo "OPENBLAS_CORETYPE=Haswell"
else
  echo "note: no OpenBLAS Haswell kernel on this processor ($arch without AVX2/FMA, or not x86-64):" \
       "numbers are computed correctly, but the last digits of chapter 7's long training" \
       "(book/som.ipynb) may differ from the stored outputs, and nbval may report them." >&2
fi
