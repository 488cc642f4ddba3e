"""The report's metrics, each a small explicit function with its definition in `METRIC_DEFINITIONS`.

Weight trajectories are arrays with time along axis 0 (rows) and one column per weight, sampled on
a uniform grid (e.g. the end of every sample period): means over rows are then means over time.
Resample a simulator's non-uniform waveform with `on_grid` first. Nothing here picks a default
full scale or steady-state window: the caller passes the values configured in flow.yaml, so the
number in the report always matches the definition printed next to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

METRIC_DEFINITIONS: dict[str, str] = {
    "mse_percent": (
        "Output MSE (%) = 100 * mean((y_circuit - y_ideal)^2) / mean(y_ideal^2) over every sample "
        "of the training run: y_circuit the array's sum output (I(ymon) / I_T0, read at the end "
        "of every input period), y_ideal = w_ideal . x of the golden SGDr model on the same "
        "input stream, with the eta and lambda that the bias currents are to set."
    ),
    "weight_mse_percent": (
        "Weight MSE (%) = 100 * mean((w_circuit - w_ideal)^2) / W_FS^2, the mean over all time "
        "points of the training run and all weights; W_FS is the weight full-scale range."
    ),
    "precision_bits": (
        "Precision (bits) = log2(W_FS / (sqrt(12) * rms_err)), rms_err the RMS of "
        "w_circuit - w_ideal over the last steady_fraction of the run (after convergence) and all "
        "weights: the resolution of an ideal uniform quantizer with the same RMS error."
    ),
    "power_w": (
        "Power (W) = time average of sum over supplies of v_supply * i_supply (trapezoidal rule on "
        "the simulator's time grid) during training, array plus bias network; also per synapse."
    ),
    "energy_per_update_j": (
        "Energy per update (J) = average power * sample (update) period; divided by the number of "
        "weights for the energy per weight update."
    ),
    "area_um2": (
        "Area (um^2) = top-cell bounding-box area, and the sum of the placed cells' areas; both "
        "in total and per synapse."
    ),
    "translinear_error_percent": (
        "Translinear error (%) = 100 * max |I_out - I_a I_b / I_c| / (I_a I_b / I_c) over the "
        "sweep: the worst relative deviation of the loop from the ideal product/quotient."
    ),
    "droop_mv_per_ms": (
        "Droop (mV/ms) = slope of a least-squares straight line through the held capacitor "
        "voltage versus time (signed: negative when the voltage falls)."
    ),
    "exercised_fraction": (
        "Exercised fraction = (max - min of w_ideal over the run and all weights) / W_FS: how "
        "much of the weight full scale the task makes the weights travel (precision is only "
        "honest when this is large)."
    ),
    "yield_fraction": (
        "Yield = chips that meet every yield criterion on every scoring seed / Monte Carlo "
        "samples, with its Wilson 95 % interval; a failed simulation counts as a bad chip."
    ),
    "bias_range_decades": (
        "Bias range (decades) = log10(largest / smallest bias scale) of the contiguous run of "
        "scales around 1 where every per-run target holds on every scoring seed."
    ),
}


def describe_metric(name: str, **settings: object) -> str:
    """Definition text with the configured settings (W_FS, steady_fraction, ...) appended."""
    text = METRIC_DEFINITIONS[name]
    if settings:
        text += " [" + ", ".join(f"{k}={v}" for k, v in settings.items()) + "]"
    return text


def _pair(w_circuit: ArrayLike, w_ideal: ArrayLike) -> tuple[Array, Array]:
    """Equal-shape float arrays: broadcasting a (samples x n) against (n,) is always a mistake."""
    a, b = np.asarray(w_circuit, dtype=float), np.asarray(w_ideal, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"w_circuit {a.shape} and w_ideal {b.shape} differ in shape")
    if a.size == 0:
        raise ValueError("empty trajectory")
    return a, b


def _full_scale(w_fs: float) -> float:
    if not w_fs > 0:
        raise ValueError(f"w_fs (weight full scale) must be > 0, got {w_fs}")
    return float(w_fs)


def weight_mse_percent(w_circuit: ArrayLike, w_ideal: ArrayLike, w_fs: float) -> float:
    """100 mean((w_c - w_i)^2) / W_FS^2 over all time points and weights."""
    a, b = _pair(w_circuit, w_ideal)
    return float(100.0 * np.mean((a - b) ** 2) / _full_scale(w_fs) ** 2)


def output_mse_percent(y_circuit: ArrayLike, y_ideal: ArrayLike) -> float:
    """100 mean((y_c - y_i)^2) / mean(y_i^2): the error of what the array computes."""
    a, b = _pair(y_circuit, y_ideal)
    power = float(np.mean(b**2))
    if power == 0:
        raise ValueError("y_ideal is identically zero: the output MSE is undefined")
    return float(100.0 * np.mean((a - b) ** 2) / power)


def exercised_fraction(w_ideal: ArrayLike, w_fs: float) -> float:
    """Span of the ideal weights over the run and all weights, as a fraction of W_FS."""
    w = np.asarray(w_ideal, dtype=float)
    return float(np.ptp(w) / _full_scale(w_fs))


def wilson_interval(good: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95 % by default); (0, 1) with no data.
    Unlike the normal approximation it stays inside [0, 1] and is honest at 0 or all good."""
    if total <= 0:
        return 0.0, 1.0
    if not 0 <= good <= total:
        raise ValueError(f"need 0 <= good <= total, got {good} of {total}")
    p = good / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def distribution(values: ArrayLike) -> dict[str, float | int]:
    """Count, min, 10th percentile, median, mean, 90th percentile, max and standard deviation
    of the finite values (the rest are counted as `nonfinite`)."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    out: dict[str, float | int] = {"count": int(v.size), "nonfinite": int(v.size - finite.size)}
    if finite.size:
        out.update(min=float(finite.min()), p10=float(np.percentile(finite, 10)),
                   median=float(np.median(finite)), mean=float(finite.mean()),
                   p90=float(np.percentile(finite, 90)), max=float(finite.max()),
                   std=float(finite.std()))
    return out


def steady_window(values: ArrayLike, steady_fraction: float) -> Array:
    """The last `steady_fraction` of the rows (at least one): the converged part of a run."""
    v = np.asarray(values, dtype=float)
    if not 0 < steady_fraction <= 1:
        raise ValueError(f"steady_fraction must be in (0, 1], got {steady_fraction}")
    rows = max(1, math.ceil(steady_fraction * v.shape[0]))
    return v[-rows:]


def rms_error(w_circuit: ArrayLike, w_ideal: ArrayLike, steady_fraction: float = 1.0) -> float:
    """RMS of w_c - w_i over the last `steady_fraction` of the run and all weights."""
    a, b = _pair(w_circuit, w_ideal)
    return float(np.sqrt(np.mean(steady_window(a - b, steady_fraction) ** 2)))


def precision_bits(
    w_circuit: ArrayLike, w_ideal: ArrayLike, w_fs: float, steady_fraction: float
) -> float:
    """log2(W_FS / (sqrt(12) rms_err)): bits of the ideal quantizer with the same RMS error.

    A uniform quantizer of step q has RMS error q / sqrt(12), so this gives log2(W_FS / q).
    Zero error is infinite precision.
    """
    fs = _full_scale(w_fs)
    rms = rms_error(w_circuit, w_ideal, steady_fraction)
    if rms == 0:
        return float("inf")
    return float(math.log2(fs / (math.sqrt(12.0) * rms)))


def on_grid(times: ArrayLike, values: ArrayLike, grid: ArrayLike) -> Array:
    """Linear interpolation of a waveform (rows at `times`) onto `grid`; end values held outside."""
    tt, g = np.asarray(times, dtype=float), np.asarray(grid, dtype=float)
    v = np.asarray(values, dtype=float)
    if tt.ndim != 1 or v.shape[0] != tt.shape[0]:
        raise ValueError(f"times {tt.shape} and values {v.shape} do not match along axis 0")
    if np.any(np.diff(tt) < 0):
        raise ValueError("times must be non-decreasing")
    if v.ndim == 1:
        return np.interp(g, tt, v)
    flat = v.reshape(v.shape[0], -1)
    out = np.column_stack([np.interp(g, tt, col) for col in flat.T])
    return out.reshape((g.shape[0], *v.shape[1:]))


def time_average(times: ArrayLike, y: ArrayLike) -> Array | float:
    """Trapezoidal time average of `y` (rows at `times`), right for a simulator's uneven steps."""
    tt = np.asarray(times, dtype=float)
    yy = np.asarray(y, dtype=float)
    if tt.ndim != 1 or tt.shape[0] < 2 or yy.shape[0] != tt.shape[0]:
        raise ValueError(f"need >= 2 time points matching y along axis 0: {tt.shape}, {yy.shape}")
    duration = tt[-1] - tt[0]
    if not duration > 0 or np.any(np.diff(tt) < 0):
        raise ValueError("times must be non-decreasing and span a positive duration")
    avg = np.trapezoid(yy, tt, axis=0) / duration
    return float(avg) if np.ndim(avg) == 0 else avg


def power_w(times: ArrayLike, v_supply: ArrayLike, i_supply: ArrayLike) -> float:
    """Average supply power in W: time average of sum over supplies of v * i.

    `i_supply` is the current the supply *delivers* (positive when it powers the circuit; negate
    ngspice's source branch current, which flows into the + terminal). Columns of a 2-D
    `v_supply` / `i_supply` are separate supplies (VDD, bias references, ...) and are summed; a
    scalar voltage stands for a constant supply.
    """
    i = np.asarray(i_supply, dtype=float)
    v = np.broadcast_to(np.asarray(v_supply, dtype=float), i.shape)
    p = v * i
    if p.ndim == 2:
        p = p.sum(axis=1)
    return float(time_average(times, p))


def energy_per_update_j(power_w: float, update_period_s: float, n_weights: int = 1) -> float:
    """Energy per update in J: power * update period, per weight when `n_weights` > 1."""
    if update_period_s <= 0 or n_weights < 1:
        raise ValueError("need update_period_s > 0 and n_weights >= 1")
    return power_w * update_period_s / n_weights


def per_synapse(total: float, n_synapses: int) -> float:
    """A total (power, area) divided over the array's synapses."""
    if n_synapses < 1:
        raise ValueError(f"n_synapses must be >= 1, got {n_synapses}")
    return total / n_synapses


def area_um2(width_um: float, height_um: float) -> float:
    """Rectangle area in um^2."""
    if width_um < 0 or height_um < 0:
        raise ValueError(f"negative size {width_um} x {height_um} um")
    return width_um * height_um


def bbox_area_um2(bbox: tuple[tuple[float, float], tuple[float, float]]) -> float:
    """Area of a bounding box ((x0, y0), (x1, y1)) in um, in either corner order."""
    (x0, y0), (x1, y1) = bbox
    return area_um2(abs(x1 - x0), abs(y1 - y0))


def cell_area_sum_um2(cell_areas_um2: Mapping[str, float], counts: Mapping[str, int]) -> float:
    """Sum of placed cell areas: sum of count * area; a counted cell without an area is an error."""
    missing = sorted(set(counts) - set(cell_areas_um2))
    if missing:
        raise KeyError(f"no area for cells {missing}")
    return float(sum(cell_areas_um2[name] * n for name, n in counts.items()))


def translinear_error_percent(
    i_out: ArrayLike, i_a: ArrayLike, i_b: ArrayLike, i_c: ArrayLike
) -> float:
    """Worst relative error (%) of I_out against the ideal translinear result I_a I_b / I_c."""
    out = np.asarray(i_out, dtype=float)
    ideal = np.asarray(i_a, dtype=float) * np.asarray(i_b, dtype=float) / np.asarray(i_c, float)
    if np.any(ideal == 0):
        raise ValueError("ideal product I_a I_b / I_c is zero somewhere: relative error undefined")
    return float(100.0 * np.max(np.abs(out - ideal) / np.abs(ideal)))


def droop_mv_per_ms(times: ArrayLike, v: ArrayLike) -> float:
    """Signed slope (mV/ms) of a least-squares line through v(t); V/s and mV/ms are equal."""
    tt, vv = np.asarray(times, dtype=float), np.asarray(v, dtype=float)
    if tt.shape != vv.shape or tt.ndim != 1 or tt.size < 2 or np.ptp(tt) == 0:
        raise ValueError("need matching 1-D times and v spanning a positive duration")
    slope_v_per_s = np.polyfit(tt - tt.mean(), vv, 1)[0]
    return float(slope_v_per_s)
