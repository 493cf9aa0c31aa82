"""A small, real torch model made from motif PWMs, and attributions computed from it.

:class:`PWMConvModel` scans one-hot DNA with log-odds PWM filters on both strands, keeps the
better strand at each position, passes ``score - threshold`` through a ReLU, max-pools it over
windows of ``pool`` bases and sums the pooled activations with one weight per motif into a single
output per sequence. It is simple, but it is a genuine differentiable model: attributions from it
(:func:`input_x_gradient`, :func:`ism`) are computed by torch, not painted.

Attributions are returned *projected* (one value per position, ``(n, L)``), which is what seqlet
calling takes; for a one-hot input, input x gradient is non-zero only at the observed base, so the
projection loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from annostore.core.alphabet import encode
from annostore.errors import BadInputError

__all__ = ["PWMConvModel", "attributions", "input_x_gradient", "ism", "one_hot_batch"]



def _codes_of(sequences: Any) -> list[np.ndarray]:
    """uint8 codes (0-3 ACGT, 4 other) of each sequence, from strings or a ``Sequences``."""
    if hasattr(sequences, "codes") and hasattr(sequences, "offsets"):
        codes, offsets = np.asarray(sequences.codes), np.asarray(sequences.offsets)
        return [codes[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    out = []
    for s in sequences:
        if isinstance(s, str):
            out.append(encode(s))
        else:
            out.append(np.asarray(s, dtype=np.uint8))
    return out


def one_hot_batch(codes: Sequence[np.ndarray], length: int | None = None, dtype=torch.float64) -> torch.Tensor:
    """Stack code arrays into a zero-padded one-hot tensor ``(n, 4, length)``.

    Code 4 (N or any non-ACGT letter) and padding give all-zero columns.
    """
    length = max((len(c) for c in codes), default=0) if length is None else int(length)
    X = np.zeros((len(codes), 5, length), dtype=np.float64)
    for i, c in enumerate(codes):
        c = c[:length]
        X[i, c, np.arange(len(c))] = 1.0
    return torch.from_numpy(X[:, :4]).to(dtype)


def _log_odds(pwm: np.ndarray, background: np.ndarray, pseudocount: float) -> np.ndarray:
    p = (np.asarray(pwm, dtype=float) + pseudocount) / (1.0 + 4 * pseudocount)
    return np.log2(p / background[:, None])


class PWMConvModel(torch.nn.Module):
    """Log-odds PWM convolution, both strands, thresholded, max-pooled and summed.

    Parameters
    ----------
    pwms : sequence of numpy.ndarray
        ``(4, w)`` letter probabilities (rows A, C, G, T), one filter each.
    names : sequence of str, optional
        Motif names, for :attr:`names`.
    weights : sequence of float, optional
        Output weight per motif (default 1 each; a negative weight makes a repressor).
    threshold_fraction : float
        A filter activates where its log-odds score exceeds this fraction of its best possible
        score (0.7 by default: strong sites only).
    pool : int
        Max-pool window (and stride) in bases: several sites of one motif in a sequence each
        contribute when they are at least ``pool`` apart.
    background : array-like, optional
        Background letter frequencies for the log-odds (uniform by default).
    pseudocount : float
        Added to each probability before the log-odds.
    dtype : torch.dtype
        Parameter dtype (float32 by default: several times faster than float64 on CPU).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from annostore.example.model import PWMConvModel, one_hot_batch
    >>> pwm = np.eye(4)[:, [0, 1, 2, 3]] * 0.97 + 0.01
    >>> model = PWMConvModel([pwm], names=["ACGT"])
    >>> float(model(one_hot_batch([np.array([0, 1, 2, 3], dtype=np.uint8)]))[0]) > 0
    True
    """

    def __init__(
        self,
        pwms: Sequence[np.ndarray],
        names: Sequence[str] | None = None,
        weights: Sequence[float] | None = None,
        *,
        threshold_fraction: float = 0.7,
        pool: int = 20,
        background: Sequence[float] | None = None,
        pseudocount: float = 0.01,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        if len(pwms) == 0:
            raise BadInputError("the model needs at least one PWM")
        bg = np.full(4, 0.25) if background is None else np.asarray(background, dtype=float)
        log_odds = []
        for pwm in pwms:
            pwm = np.asarray(pwm, dtype=float)
            if pwm.ndim != 2 or pwm.shape[0] != 4 or pwm.shape[1] == 0:
                raise BadInputError(f"a PWM must have shape (4, w), got {pwm.shape}")
            log_odds.append(_log_odds(pwm, bg, pseudocount))
        k = len(log_odds)
        width = max(lo.shape[1] for lo in log_odds)
        filters = np.zeros((2 * k, 4, width))
        for j, lo in enumerate(log_odds):
            filters[j, :, : lo.shape[1]] = lo
            filters[k + j, :, : lo.shape[1]] = lo[::-1, ::-1]  # reverse complement (rows are ACGT)
        best = np.array([lo.max(axis=0).sum() for lo in log_odds])
        self.names = list(names) if names is not None else [str(j) for j in range(k)]
        self.width = width
        self.pool = int(pool)
        self.conv = torch.nn.Conv1d(4, 2 * k, width, bias=False, dtype=dtype)
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy(filters).to(dtype))
        self.conv.weight.requires_grad_(False)
        self.register_buffer("thresholds", torch.from_numpy(threshold_fraction * best).to(dtype))
        w = np.ones(k) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (k,):
            raise BadInputError(f"need one weight per PWM ({k}), got {w.shape}")
        self.register_buffer("weights", torch.from_numpy(w).to(dtype))
        self.n_motifs = k

    @classmethod
    def from_motifs(cls, motifs: Any, names: Sequence[str] | None = None, **kwargs: Any) -> "PWMConvModel":
        """Build the model from a :class:`~annostore.core.motifs.MotifSet` (or anything ``read_motifs`` takes).

        Parameters
        ----------
        motifs : MotifSet, path or dict
        names : sequence of str, optional
            Motifs to use (ids, keys or alt names); default all.
        **kwargs
            Passed to :class:`PWMConvModel`.
        """
        from annostore.io.motifs import read_motifs

        mset = read_motifs(motifs)
        if names is not None:
            mset = mset.select(names)
        return cls([m.pwm for m in mset], names=[m.name for m in mset], **kwargs)

    def pooled(self, X: torch.Tensor) -> torch.Tensor:
        """Pooled, thresholded activations ``(n, k, L // pool)`` of one-hot ``X`` ``(n, 4, L)``."""
        if X.ndim != 3 or X.shape[1] != 4:
            raise BadInputError(f"one-hot input must have shape (n, 4, L), got {tuple(X.shape)}")
        X = X.to(self.conv.weight.dtype)
        if X.shape[-1] < self.width:
            X = torch.nn.functional.pad(X, (0, self.width - X.shape[-1]))
        s = self.conv(X)
        k = self.n_motifs
        s = torch.maximum(s[:, :k], s[:, k:])
        a = torch.relu(s - self.thresholds[None, :, None])
        return torch.nn.functional.max_pool1d(a, self.pool, stride=self.pool, ceil_mode=True)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """One output per sequence: ``sum_k weight_k * sum(pooled activations of motif k)``."""
        return (self.pooled(X).sum(-1) * self.weights).sum(-1)


def _dtype_of(model: torch.nn.Module) -> torch.dtype:
    for p in model.parameters():
        return p.dtype
    return torch.float32


def input_x_gradient(model: torch.nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Input x gradient of the model output with respect to one-hot ``X`` ``(n, 4, L)``.

    Returns
    -------
    torch.Tensor
        ``(n, 4, L)``, non-zero only at observed bases.
    """
    X = X.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = model(X)
        (grad,) = torch.autograd.grad(y.sum(), X)
    return (X * grad).detach()


def ism(model: torch.nn.Module, X: torch.Tensor, start: int = 0, end: int | None = None) -> torch.Tensor:
    """In-silico mutagenesis: ``f(X) - mean over the 3 substitutions`` at each position.

    Parameters
    ----------
    model : torch.nn.Module
    X : torch.Tensor
        One-hot ``(n, 4, L)``.
    start, end : int
        Positions to mutate (default all); others get 0.

    Returns
    -------
    torch.Tensor
        ``(n, 4, L)`` with the value at the observed base (zero elsewhere), so that summing over
        axis 1 projects it like :func:`input_x_gradient`.
    """
    n, _, L = X.shape
    end = L if end is None else int(end)
    out = torch.zeros(X.shape, dtype=torch.float64)
    X = X.to(_dtype_of(model))
    with torch.no_grad():
        ref = model(X).to(torch.float64)
        for i in range(n):
            pos = torch.arange(start, end)
            variants = X[i].unsqueeze(0).repeat(len(pos) * 4, 1, 1)
            rows = torch.arange(len(pos) * 4)
            variants[rows, :, pos.repeat_interleave(4)] = 0
            variants[rows, torch.arange(4).repeat(len(pos)), pos.repeat_interleave(4)] = 1
            y = model(variants).to(torch.float64).reshape(len(pos), 4)
            observed = X[i, :, start:end].argmax(0)
            present = X[i, :, start:end].sum(0) > 0
            delta = ref[i] - (y.sum(1) - y[torch.arange(len(pos)), observed]) / 3.0
            out[i, observed, pos] = torch.where(present, delta, torch.zeros_like(delta))
    return out


def attributions(
    model: torch.nn.Module,
    sequences: Any,
    *,
    method: str = "input_x_gradient",
    batch_size: int = 128,
    progress: bool | None = False,
) -> np.ndarray:
    """Projected attributions of every sequence, zero-padded to the longest.

    Parameters
    ----------
    model : torch.nn.Module
        Maps one-hot ``(n, 4, L)`` to ``(n,)``.
    sequences : list of str or Sequences
    method : {"input_x_gradient", "ism"}
    batch_size : int
    progress : bool or None
        Show a progress bar on stderr (None: when stderr is a terminal).

    Returns
    -------
    numpy.ndarray
        ``(n, max_length)`` float64; positions past a sequence's end are 0.
    """
    from annostore.progress import progress as bar

    if method not in ("input_x_gradient", "ism"):
        raise BadInputError(f"unknown attribution method {method!r} (use input_x_gradient or ism)")
    codes = _codes_of(sequences)
    n = len(codes)
    lmax = max((len(c) for c in codes), default=0)
    out = np.zeros((n, lmax), dtype=np.float64)
    # batches of similar length: less padding
    order = np.argsort([len(c) for c in codes], kind="stable")
    with bar(n, "attributions", progress) as pb:
        for b in range(0, n, batch_size):
            idx = order[b : b + batch_size]
            batch = [codes[i] for i in idx]
            X = one_hot_batch(batch, dtype=_dtype_of(model))
            A = input_x_gradient(model, X) if method == "input_x_gradient" else ism(model, X)
            proj = A.sum(dim=1).to(torch.float64).numpy()
            for row, i in enumerate(idx):
                out[i, : len(codes[i])] = proj[row, : len(codes[i])]
            pb.advance(len(idx))
    return out
