"""``import ecgteach`` stays light: no TensorFlow or Keras until a model is built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("tensorflow", "keras", "tf_keras", "jax", "torch")

_PROBE = """
import sys
import ecgteach
print(ecgteach.__file__)
heavy = {m.split(".")[0] for m in sys.modules} & set(sys.argv[1].split(","))
print("heavy:" + ",".join(sorted(heavy)))
"""


def test_import_does_not_load_tensorflow_or_keras():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _PROBE, ",".join(HEAVY)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    where, heavy = result.stdout.strip().splitlines()
    heavy = heavy.removeprefix("heavy:")
    assert Path(where).resolve() == REPO / "ecgteach" / "__init__.py"
    assert heavy == "", f"import ecgteach loaded {heavy}"
    # -X importtime lists every module imported, with its import time (µs)
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "ecgteach" in imported and "numpy" in imported
    assert not imported & set(HEAVY)


def test_public_api_is_importable():
    import ecgteach

    for name in ecgteach.__all__:
        assert hasattr(ecgteach, name), name
    assert ecgteach.__version__


_THREADS_PROBE = """
import os
import ecgteach
print(os.environ["TF_NUM_INTRAOP_THREADS"], os.environ["TF_NUM_INTEROP_THREADS"])
"""


def test_import_sizes_tensorflow_threads_from_the_cpus_this_process_may_use():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_NUM_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # one CPU allowed (the affinity mask of a container held to one core)
    one_cpu = "import os\nos.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
    result = subprocess.run([sys.executable, "-c", one_cpu + _THREADS_PROBE], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split() == ["1", "1"]
    # a value the user set is kept
    kept = subprocess.run([sys.executable, "-c", _THREADS_PROBE], cwd=REPO,
                          env={**env, "TF_NUM_INTRAOP_THREADS": "3"}, capture_output=True,
                          text=True, timeout=120, check=True)
    assert kept.stdout.split()[0] == "3"
