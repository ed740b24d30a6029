#!/bin/sh
# Installs ConvoKit 5.0.0 into its own virtual environment OUTSIDE the repository, for the
# LSM/coordination comparison in bench/bench_transcripts.py (its side runs in
# bench/convokit_side.py). Rapport never imports ConvoKit.
#
# `pip install convokit==5.0.0` hard-requires sentence-transformers, evaluate and datasets, which
# pull in torch and about 3 GB of CUDA wheels that the Corpus model and the Coordination
# transformer never import. So ConvoKit is installed without its dependencies, followed by the
# light ones those two modules do import (checked against convokit 5.0.0's sources).
#
#   sh bench/setup_convokit.sh [VENV_DIR]      # default: ../bench-venvs/convokit beside the repo
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$(dirname "$repo")/bench-venvs/convokit}"
# The same Python as Rapport's venv, so that the timings compare like with like.
default_python="python3"
[ -x "$repo/.venv/bin/python" ] && default_python="$repo/.venv/bin/python"
python="${PYTHON:-$default_python}"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet --no-deps "convokit==5.0.0"
# pip then lists the dependencies it skipped; that is expected.
"$venv/bin/python" -m pip install --quiet numpy pandas scipy scikit-learn tqdm pyyaml pymongo \
    requests dill msgpack-numpy
"$venv/bin/python" -c "from convokit import Corpus, Coordination; print('ConvoKit 5.0.0 ready in $venv')"
