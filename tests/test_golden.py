"""Our optimizers against golden trajectories recorded from the reference libraries.

``tests/golden/trajectories.json`` is written by ``scripts/make_golden.py`` (which needs torch,
pytorch_optimizer, adabound and adamod; this test needs none of them).  Each case is a 300-step
float64 path of torch.optim / pytorch_optimizer / the author packages on one surface, with exact
gradients.  Every survey optimizer whose paper form is the library's equals it, every `reference`
variant equals its named implementation, and every optimizer beyond the survey equals its
reference library, to rtol 1e-9 / atol 1e-12.
"""
from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden" / "trajectories.json"
RTOL, ATOL = 1e-9, 1e-12

#: optimizers no library implements: adadb (no code was published) and newton (a plain
#: transcription, checked against numpy's linear solver in test_newton_kernel.py)
NO_GOLDEN = {"adadb", "newton"}
#: rows of the spec's table: "same" -> the one (paper) form equals the library; otherwise the
#: reference variant does
SAME = {"sgd", "sgdm", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adabelief", "lookahead"}

DATA = json.loads(GOLDEN.read_text())
CASES = DATA["cases"]


def case_id(case) -> str:
    parts = [case["optimizer"], case["variant"]]
    if case["optimizer"] == "lookahead":
        parts.append(case["hyperparams"]["inner"])
    parts.append(case["surface"])
    return "-".join(parts)


def _explain(path, golden) -> str:
    """Max errors and the first step outside the tolerance, for the failure message."""
    d = np.abs(path - golden)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(golden) > 0, d / np.abs(golden), np.where(d > 0, np.inf, 0.0))
    over = np.nonzero((d > ATOL + RTOL * np.abs(golden)).any(axis=1))[0]
    first = int(over[0]) if len(over) else None
    msg = (f"max |Δ| = {np.nanmax(d):.3g}, max relative = {np.nanmax(rel):.3g}, "
           f"first step over tolerance = {first}")
    if first is not None:
        msg += f" (ours {path[first].tolist()} vs golden {golden[first].tolist()})"
    return msg


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_matches_library(case):
    import optimizers
    import surfaces

    surface = surfaces.get_surface(case["surface"], **case["surface_params"])
    path = optimizers.trajectory(case["optimizer"], surface, case["start"], case["steps"],
                                 variant=case["variant"], **case["hyperparams"])
    path = np.asarray(path)
    golden = np.array(case["path"], dtype=np.float64)
    assert path.shape == golden.shape
    assert path.dtype == np.float64
    np.testing.assert_allclose(path, golden, rtol=RTOL, atol=ATOL,
                               err_msg=f"{case['library']}: {_explain(path, golden)}")


def test_golden_covers_every_optimizer():
    by_opt: dict[str, set] = {}
    for case in CASES:
        assert case["steps"] >= 200, case_id(case)
        by_opt.setdefault(case["optimizer"], set()).add(case["surface"])
    import optimizers

    expected = set(optimizers.OPTIMIZERS) - NO_GOLDEN
    missing = expected - set(by_opt)
    assert not missing, f"no golden trajectory for {sorted(missing)}"
    few = {o: sorted(s) for o, s in by_opt.items() if len(s) < 2}
    assert not few, f"fewer than two surfaces: {few}"
    inners = {c["hyperparams"]["inner"] for c in CASES if c["optimizer"] == "lookahead"}
    assert {"adam", "sgdm"} <= inners


def test_golden_cases_use_the_right_variant():
    import optimizers

    for case in CASES:
        survey = optimizers.OPTIMIZERS[case["optimizer"]].group == "survey"
        want = "paper" if case["optimizer"] in SAME or not survey else "reference"
        assert case["variant"] == want, case_id(case)


def test_case_ids_are_unique():
    ids = [case_id(c) for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_golden_file_is_consistent(case):
    """The golden data itself: shape, start row, finiteness, Lookahead's slow weights."""
    golden = np.array(case["path"], dtype=np.float64)
    assert golden.shape == (case["steps"] + 1, 2)
    assert golden[0].tolist() == case["start"]
    assert np.all(np.isfinite(golden))
    # the path really moves (a golden case that stands still tests nothing)
    assert float(np.linalg.norm(golden[-1] - golden[0])) > 0.1 or \
        float(np.sum(np.linalg.norm(np.diff(golden, axis=0), axis=1))) > 0.5
    if case["optimizer"] == "lookahead":
        k = case["hyperparams"]["k"]
        slow = np.array(case["slow"], dtype=np.float64)
        assert slow.shape == (case["steps"] // k + 1, 2)
        assert slow[0].tolist() == case["start"]
        # θ after a sync step is the new slow weight φ
        np.testing.assert_array_equal(golden[k::k][: len(slow) - 1], slow[1:])
    else:
        assert "slow" not in case
    assert not any(isinstance(v, float) and math.isnan(v) for v in case["hyperparams"].values())
