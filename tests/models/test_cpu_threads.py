"""Torch threads follow the idle cores: with every core busy elsewhere, one thread, and all of them back once
the cores are free; an override wins."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import torch

from traitrl.models import cpu
from traitrl.models.cpu import cpu_threads
from traitrl.training.callbacks import ThreadsCallback

CORES = len(os.sched_getaffinity(0))


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.skipif(CORES < 2, reason="needs two cores to tell one thread from many")
def test_busy_cores_leave_one_thread_and_a_grpo_step_takes_it(restore_threads, monkeypatch):
    monkeypatch.delenv("TRAITRL_TORCH_THREADS", raising=False)
    torch.set_num_threads(CORES)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(CORES)]
    try:
        time.sleep(0.5)
        assert cpu_threads() == 1
        callback = ThreadsCallback()
        callback.on_train_begin(None, None, None)
        callback.on_step_begin(None, None, None)
        assert torch.get_num_threads() == 1
    finally:
        for b in burners:
            b.kill()
            b.wait()


def test_the_environment_override_wins(restore_threads, monkeypatch):
    monkeypatch.setenv("TRAITRL_TORCH_THREADS", "3")
    assert cpu_threads() == 3
    ThreadsCallback().on_step_begin(None, None, None)
    assert torch.get_num_threads() == 3


@pytest.mark.skipif(CORES < 2, reason="needs two cores to tell one thread from many")
def test_a_training_run_takes_its_threads_back_when_the_cores_free_up(restore_threads, monkeypatch):
    monkeypatch.delenv("TRAITRL_TORCH_THREADS", raising=False)
    torch.set_num_threads(CORES)
    callback, others = ThreadsCallback(), {"n": CORES}
    monkeypatch.setattr(cpu, "runnable_others", lambda: others["n"])
    callback.on_train_begin(None, None, None)
    callback.on_step_begin(None, None, None)
    assert torch.get_num_threads() == 1
    others["n"] = 0
    callback.on_step_begin(None, None, None)
    assert torch.get_num_threads() == CORES
    others["n"] = CORES
    callback.on_step_begin(None, None, None)
    callback.on_train_end(None, None, None)
    assert torch.get_num_threads() == CORES
