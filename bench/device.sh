#!/usr/bin/env bash
# The device checks in one script (a GPU machine with 16 cores, no network; see README "Speed").
#   bench/device.sh [gpu,threads,profile,fimo,tomtom,gpubench]   (default: all)
# Peers and duckdb travel as wheels in .whl/ (git-ignored via .git/info/exclude), made here with
#   for p in duckdb==2.0.1 memelite==0.5.0 lightmotif==0.10.1 pyfaidx==0.9.2.2; do
#     python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform any -d .whl $p; done
# (the GPU machine has numba, numpy, torch, triton, pyarrow, typer, scipy, pandas); output goes to $OUT.
set -u
STEPS=${1:-gpu,threads,profile,fimo,tomtom,gpubench}
OUT=${OUT:-/tmp/annostore-device}; mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD/src:$PWD/cli${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 NUMBA_NUM_THREADS=16
step() { echo "== $1 $(date +%T)"; }
has() { [[ ",$STEPS," == *",$1,"* ]]; }
step env
python3 -c "import numba, numpy, torch, duckdb, os; print('numba', numba.__version__, 'numpy', numpy.__version__, 'torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'cpus', os.cpu_count())"
nvidia-smi -L 2>/dev/null
if has gpu; then step gpu-tests
  timeout 300 python3 -m pytest -q -p no:cacheprovider -rs tests/test_fimo_torch.py 2>&1 | tee "$OUT/gpu_tests.log" | tail -15
fi
if has threads; then step threads
  timeout 200 python3 bench/speed.py --threads 16 --sections threads --thread-rows 2,8,16 --thread-n 1000 | tee "$OUT/threads.jsonl"
  timeout 200 python3 bench/speed.py --threads 16 --sections threads --thread-rows 8,16 --thread-n 8000 | tee -a "$OUT/threads.jsonl"
fi
if has profile; then step profile
  for t in 2 16; do timeout 120 python3 bench/speed.py --threads 16 --sections profile --profile-threads $t --thread-n 8000; done | tee "$OUT/profile.jsonl"
fi
if has fimo; then step fimo-vs-lightmotif
  timeout 240 python3 bench/speed.py --threads 16 --sections fimo --sizes 1,1000,8000 --fimo-work ours,ours_noq_uniform,memelite,lightmotif | tee "$OUT/fimo16.jsonl"
fi
if has tomtom; then step tomtom
  timeout 150 python3 bench/tomtom.py --motifs-only --threads 16 --queries 20 1019 --fresh-repeats 0 | tee "$OUT/tomtom16.jsonl"
fi
if has gpubench; then step fimo-gpu
  timeout 200 python3 bench/fimo_gpu.py --quick | tee "$OUT/fimo_gpu.jsonl"
fi
step done
