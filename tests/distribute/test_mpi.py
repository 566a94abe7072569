"""Real multi-process jobs: `mpiexec -n 2 python -m mpi4py <job>` on loopback.

Skipped (with the reason) when the MPI extra is not installed. Each job runs
with a timeout, so a hang fails the test instead of blocking the suite, and
shared-memory files an aborted MPICH job leaves in /dev/shm are removed.
"""
import glob
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOBS = os.path.join(ROOT, "tests", "distribute", "jobs")


def _find_mpiexec():
    beside_python = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(beside_python):            # the `mpich` wheel's launcher, in this venv
        return beside_python
    return shutil.which("mpiexec")


MPIEXEC = _find_mpiexec()
HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None
pytestmark = pytest.mark.skipif(
    not (HAVE_MPI4PY and MPIEXEC),
    reason="MPI tests need the mpi extra (mpi4py and an mpiexec): pip install \"tapeflow[mpi]\"")


def run_job(args, ranks=2, timeout=240, runner=("-m", "mpi4py"), **environment):
    """Runs `python -m mpi4py <args>` on `ranks` processes; returns the CompletedProcess."""
    env = {key: value for key, value in os.environ.items() if key != "TAPEFLOW_NUM_THREADS"}
    env.update(HYDRA_IFACE="lo", PYTHONPATH=ROOT, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", **environment)
    command = [MPIEXEC, "-n", str(ranks), sys.executable, *runner, *args]
    before = set(glob.glob("/dev/shm/mpich*"))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=ROOT, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"MPI job {args} did not finish within {timeout} s")
    finally:
        for path in set(glob.glob("/dev/shm/mpich*")) - before:   # left by aborted ranks
            try:
                os.remove(path)
            except OSError:
                pass
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _check(result):
    assert result.returncode == 0, f"job failed:\n{result.stdout}\n{result.stderr}"


def test_collectives_across_two_processes(tmp_path):
    _check(run_job([os.path.join(JOBS, "collectives.py"), str(tmp_path)]))
    ranks = [json.loads((tmp_path / f"collectives-{r}.json").read_text()) for r in (0, 1)]
    for rank, result in enumerate(ranks):      # the values TF 2.21 gives on two workers
        assert result["replicas"] == 2 and result["task_id"] == rank
        assert result["task_type"] == "worker" and result["should_checkpoint"] == (rank == 0)
        assert result["kernel_threads"] == max(1, min(os.cpu_count() // 2, 8))  # cores shared
        assert (result["sum"], result["mean"]) == (3.0, 1.5)
        assert result["mean_axis"] == [1.0, 1.0]
        assert result["gather"] == [1.0, 2.0, 2.0, 4.0]
        assert result["gather_uneven"] == [0, 1, 1]
        assert result["ints"] == [1, 20]
        assert result["variable"] == 5.0
        assert result["metric"] == [1.0, 4.0]              # (0 + 1 + 1 + 2) / 4
        assert result["steps"] == [3.0, 3.0]                # gradients 1 + 2 summed
        assert result["after_steps"] == [2.0, 1.25]         # 5 - 2 * 0.5 * 3; (4 + 2 * 3) / 8
    assert ranks[0]["shares"] == [[0, 1], [4, 5], [8, 9]]
    assert ranks[1]["shares"] == [[2, 3], [6, 7], [10]]


def test_two_replicas_train_the_seed_model_like_one_process(tmp_path):
    """The decisive test: 2 ranks x 32 rows == 1 process x 64 rows, same data order."""
    job = os.path.join(JOBS, "seed_training.py")
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    plain = subprocess.run([sys.executable, job, str(tmp_path), "plain"], env=env,
                           capture_output=True, text=True, timeout=240)
    _check(plain)
    _check(run_job([job, str(tmp_path), "strategy"]))
    single = np.load(tmp_path / "plain-0.npz")
    rank0, rank1 = np.load(tmp_path / "strategy-0.npz"), np.load(tmp_path / "strategy-1.npz")
    assert int(single["replicas"]) == 1 and int(rank0["replicas"]) == 2
    np.testing.assert_allclose(rank0["losses"], single["losses"], rtol=1e-5)
    weights = sorted(k for k in single.files if k.startswith("w"))
    assert len(weights) == 8                   # conv, dense, batch norm, dense: kernels + biases
    for key in weights:
        np.testing.assert_allclose(rank0[key], single[key], rtol=1e-4, atol=1e-6, err_msg=key)
        np.testing.assert_array_equal(rank0[key], rank1[key], err_msg=key)
    for key in (k for k in rank0.files if k.startswith("t")):   # training=True: still in sync
        np.testing.assert_array_equal(rank0[key], rank1[key], err_msg=key)


@pytest.mark.parametrize("runner", [("-m", "mpi4py"), ()], ids=["-m mpi4py", "plain python"])
def test_a_failing_rank_ends_the_job_with_its_traceback(runner):
    """With or without mpi4py's runner (tapeflow's excepthook aborts the job then)."""
    result = run_job([os.path.join(JOBS, "failing.py")], timeout=120, runner=runner)
    assert result.returncode != 0
    assert "ValueError: rank 1 failed on purpose" in result.stderr
    assert "Traceback" in result.stderr


def _history_and_weights(path):
    data = np.load(path)
    return ({k: data[k] for k in data.files if k.startswith("history_")},
            {k: data[k] for k in data.files if k.startswith("w")}, data)


def test_keras_fit_on_two_ranks_matches_one_process(tmp_path):
    job = os.path.join(JOBS, "keras_fit.py")
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    _check(subprocess.run([sys.executable, job, str(tmp_path), "plain"], env=env,
                          capture_output=True, text=True, timeout=240))
    result = run_job([job, str(tmp_path), "strategy"])
    _check(result)
    assert result.stdout.count("Epoch 1/2") == 1           # only rank 0 prints progress
    single_history, single_weights, _ = _history_and_weights(tmp_path / "plain-0.npz")
    for rank in (0, 1):
        history, weights, data = _history_and_weights(tmp_path / f"strategy-{rank}.npz")
        assert sorted(history) == ["history_accuracy", "history_loss", "history_val_accuracy",
                                   "history_val_loss"]
        for key, values in single_history.items():        # metrics aggregated over ranks
            np.testing.assert_allclose(history[key], values, rtol=1e-5, err_msg=key)
        for key, values in single_weights.items():
            np.testing.assert_allclose(weights[key], values, rtol=1e-4, atol=1e-6, err_msg=key)
        assert int(data["saves"]) == (2 if rank == 0 else 0)   # ModelCheckpoint: rank 0 only
    assert sorted(os.listdir(tmp_path / "logs")) == ["train", "validation"]
    assert len(os.listdir(tmp_path / "logs" / "train")) == 1   # one TensorBoard writer


def test_backup_and_restore_resumes_a_crashed_job(tmp_path):
    job = os.path.join(JOBS, "keras_fit.py")
    crashed = run_job([job, str(tmp_path), "backup-crash"])
    assert crashed.returncode != 0 and crashed.stdout.count("Epoch 2/4") == 1
    assert os.path.exists(tmp_path / "backup")              # written by rank 0
    _check(run_job([job, str(tmp_path), "backup-resume"]))
    _check(run_job([job, str(tmp_path), "backup-straight"]))
    assert not os.path.exists(tmp_path / "backup")          # deleted when fit completed
    _, straight, straight_data = _history_and_weights(tmp_path / "backup-straight-0.npz")
    for rank in (0, 1):
        _, resumed, data = _history_and_weights(tmp_path / f"backup-resume-{rank}.npz")
        assert data["epochs_run"].tolist() == [2, 3]        # resumed at the third epoch
        for key, values in straight.items():
            np.testing.assert_array_equal(resumed[key], values, err_msg=key)
    assert straight_data["epochs_run"].tolist() == [0, 1, 2, 3]


def test_the_readme_example_trains_on_two_ranks():
    from tests.shared_data import require_shared_data
    data_dir = require_shared_data()
    example = os.path.join(ROOT, "examples", "distributed_train.py")
    result = run_job([example, "--epochs", "2", "--images", "1280"],
                     TAPEFLOW_DATA_DIR=data_dir)
    _check(result)
    lines = result.stdout.splitlines()
    assert [line.split("(")[1].split(",")[:2] for line in lines if line.startswith("Epoch")] \
        == [["2 replicas", " 20 steps"]] * 2                  # printed by rank 0 only
    losses = [float(line.split()[-1]) for line in lines if "loss:" in line]
    assert losses[1] < losses[0]
