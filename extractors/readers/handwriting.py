"""Read handwritten codes, times, dates, numbers and short text from field-box crops.

Tesseract reads handwriting-font digits in small boxes about 55-60 % of the time, so these
fields get their own reader: a small CRNN (convolutions, a bidirectional LSTM, CTC output over
``ALPHABET``) trained on synthesised crops (``train/``) and run here with onnxruntime from the
committed ``extractors/models/handwriting.onnx``; torch is never needed at run time.

Reading one box is three steps:

1. ``prepare``: the crop (grey, white paper, dark ink, as cut from the upright page at about
   200 dpi) becomes the network's input: ink scaled 0..1 (a light pixel is writing when its
   stroke is dark enough somewhere: ``_strokes``), fragments of the box's ruled border
   removed, cut to the written ink and scaled to ``HEIGHT`` rows. Handwriting sits small and
   anywhere in a box; normalising its height first lets one network read 15 pt code boxes and
   180 pt date lines alike.
2. the network gives, per column, the probability of each character and of "nothing" (blank).
3. ``decode``: a CTC prefix beam search keeps the best few strings using only the characters
   the field type can hold and only prefixes that its grammar (``GRAMMAR``) can still complete;
   each string is normalised (``extractors.values``) and checked by the type's grammar (a time
   must be a time, a code 1-3 digits, a date a real date), strings
   with the same value pool their probability, and an optional ``Prior`` (allowed values, a
   date window) re-weights them. The best value's share is its confidence, mapped through a
   calibration table measured on hands no network trained on (``train.handwriting``) so that
   0.95 means right 95 % of the time.
4. ``second_opinion``: a box the first network is not sure of (share under ``SECOND_BELOW``)
   is read again by a second, wider network trained apart (``handwriting2.onnx``), and the
   two readers' values are pooled (the mean of their shares), with a calibration table of
   its own for the pooled share. Two networks that err differently are right together more
   often than either alone, and agreeing readings get surer. Each network also reads the ink
   widened by a quarter (``VIEWS``): a narrow hand, squeezed in the network's input, is read
   better so, and the four readings are pooled alike. Bench seed 90210, held-out hands:
   handwritten times 88.9 -> 91.3 %, dates 90.8 -> 91.4 %; the calibration fonts, wider hands,
   neither gain nor lose (``bench/handwriting.py``: held-out fonts times +1.2, dates +1.6,
   numbers +2.2 points, codes level).

    >>> readings = read_handwriting([crop], "time")         # doctest: +SKIP
    >>> readings[0].value, readings[0].confidence             # doctest: +SKIP
    ('07:45', 0.99)
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Collection, Sequence

import cv2
import numpy as np
import regex

from extractors.ink import remove_streaks
from extractors.values import normalise

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_FILE = MODEL_DIR / "handwriting.onnx"
META_FILE = MODEL_DIR / "handwriting.json"     # alphabet, input height, calibration tables
SECOND_FILE = MODEL_DIR / "handwriting2.onnx"  # the second opinion (its own metadata beside it)
SECOND_BELOW = 0.99            # first reader's share under which the second is asked
VIEWS = (1.0, 1.25)            # ... and the ink is read as it is and widened by these

# Index 0 is the CTC blank; the model's output has len(ALPHABET) + 1 classes.
ALPHABET = (" 0123456789:/.-'" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "abcdefghijklmnopqrstuvwxyz")
HEIGHT = 32                    # rows of the network input
MAX_WIDTH = 480                # columns at most (longer ink is squeezed)
MIN_WIDTH = 16
INK_LEVEL = 0.18               # a pixel this share of the darkest ink is written (prepare) ...
STROKE_LEVEL = 0.35            # ... when its stroke reaches this share somewhere (hysteresis)
CORE_SHARE = 0.15             # a component this share of the biggest is a stroke (prepare) ...
NEAR_X = 1.0                  # ... and smaller ones count when this many stroke heights across
NEAR_Y = 0.5                  # ... or this many up or down from the strokes
SLIVER_PX = 3                 # an upright piece this thin along a side may be the box's
                              # border (``_near_writing``)
STRIDE = 4                     # input columns per output frame
BUCKET = 16                    # inputs are padded to a multiple of this many columns
KINDS = ("code", "time", "date", "number", "text")

CODE_TABLE = frozenset({"1", "2", "40", "43", "45", "50", "55", "60", "65", "451", "452"})
OFF_TABLE_CODE = 0.5           # prior weight of a 1-3 digit code that is not in the table

_DIGITS = "0123456789"
ALLOWED = {                    # characters each kind may contain (decoding masks the rest)
    "code": _DIGITS,
    "number": _DIGITS,
    "time": _DIGITS + ":. apmAPM",
    "date": _DIGITS + "/-.",
    "text": ALPHABET,
}
_TIME_RAW = re.compile(r"\d{1,2}([:.]\d{2})?\s*([ap]\.?(m\.?)?)?", re.I)


@dataclass(frozen=True)
class Prior:
    """What the pipeline already knows about a field's value.

    ``allowed``: normalised values expected here (e.g. a child's codes); ``earliest`` /
    ``latest``: ISO dates bounding a date (e.g. near the billing month). Values outside get
    their probability multiplied by ``weight`` rather than removed, so a surprising but
    clearly written value still wins, with a lower confidence.
    """
    allowed: Collection[str] | None = None
    earliest: str | None = None
    latest: str | None = None
    weekday: int | None = None          # a date on this weekday (Monday 0 .. Sunday 6)
    weight: float = 0.05
    minute_step: int | None = None      # a time's minutes are usually a multiple of this ...
    off_step_weight: float = 1.0        # ... and one that is not keeps this share of its weight
    digits: int | None = None           # a number of exactly this many digits

    def factor(self, value: str) -> float:
        unexpected = ((self.allowed is not None and value not in self.allowed)
                      or bool(self.earliest and value < self.earliest)
                      or bool(self.latest and value > self.latest)
                      or (self.weekday is not None
                          and date.fromisoformat(value).weekday() != self.weekday)
                      or (self.digits is not None and len(value) != self.digits))
        off_step = bool(self.minute_step) and int(value[3:5]) % self.minute_step != 0
        return ((self.weight if unexpected else 1.0)
                * (self.off_step_weight if off_step else 1.0))


@dataclass
class Reading:
    """One box read: the raw string, its normalised value (None when nothing valid was
    read), a calibrated confidence 0..1 and the runner-up values with their shares.
    ``blank``: ``prepare`` found no writing in the crop at all (nothing was read)."""
    text: str
    value: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    blank: bool = False


# -- 1. crop to network input ------------------------------------------------------------------

def prepare(crop: np.ndarray) -> np.ndarray | None:
    """The network input for one crop: float32 ``HEIGHT`` x W, ink 1, paper 0; None when the
    crop holds no writing."""
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    grey = grey.astype(np.float32)
    if grey.size == 0 or min(grey.shape) < 4:
        return None
    paper = float(np.percentile(grey, 75))
    darkest = float(grey.min())
    if paper - darkest < 50:                       # nothing darker than the paper's grain
        return None
    ink = np.clip((paper - grey) / max(paper - darkest, 90.0), 0, 1)
    binary = _strokes(ink)
    binary &= ~_border_lines(binary)
    binary = remove_streaks(binary, strict=True)   # a fax's dotted streak through the box
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return None
    h, w = binary.shape
    xs, ys = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    ws, hs = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    edge_x = (xs <= 1) | (xs + ws >= w - 1)
    edge_y = (ys <= 1) | (ys + hs >= h - 1)
    fragment = ((edge_x | edge_y) & (hs <= 5) & (ws >= np.maximum(12, 3 * hs))) | \
               (edge_x & (ws <= 5) & (hs >= max(12, 0.5 * h)))  # bits of the box's border
    stats[fragment, cv2.CC_STAT_AREA] = 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = areas.max()
    if big < 6:
        return None
    keep = np.flatnonzero(areas >= max(3, 0.04 * big)) + 1
    sliver = edge_x & (ws <= SLIVER_PX) & (hs >= 3 * ws)
    keep = _near_writing(stats, keep, big, sliver)
    x0 = stats[keep, cv2.CC_STAT_LEFT].min()
    y0 = stats[keep, cv2.CC_STAT_TOP].min()
    x1 = (stats[keep, cv2.CC_STAT_LEFT] + stats[keep, cv2.CC_STAT_WIDTH]).max()
    y1 = (stats[keep, cv2.CC_STAT_TOP] + stats[keep, cv2.CC_STAT_HEIGHT]).max()
    ink = ink * np.isin(labels, keep)              # drop specks and border fragments
    bh = y1 - y0
    pad_y, pad_x = max(1, round(bh * 0.1)), max(1, round(bh * 0.15))
    cut = np.zeros((bh + 2 * pad_y, x1 - x0 + 2 * pad_x), np.float32)
    cut[pad_y:pad_y + bh, pad_x:pad_x + x1 - x0] = ink[y0:y1, x0:x1]
    width = int(round(cut.shape[1] * HEIGHT / cut.shape[0]))
    width = min(MAX_WIDTH, max(MIN_WIDTH, width))
    return cv2.resize(cut, (width, HEIGHT), interpolation=cv2.INTER_AREA)


def _near_writing(stats: np.ndarray, keep: np.ndarray, big: int,
                  sliver: np.ndarray) -> np.ndarray:
    """Of the components ``keep``, those that are writing: the strokes (area at least
    ``CORE_SHARE`` of the biggest) and the small pieces near them (a colon, a hyphen, a dot,
    a stroke broken in two). A fax's specks scattered over the rest of the box would
    otherwise stretch the cut to the box's ends and shrink the writing in the network's
    input; they are dropped when they lie more than ``NEAR_X`` (across) or ``NEAR_Y`` (up or
    down) of the strokes' height away from the strokes.

    A ``sliver`` (a thin upright piece along the crop's side: the box's border, which a fax
    breaks into short pieces, or a "1" written against it) is no stroke unless nothing else
    is, and stays only when it lies within the strokes' rows (give or take ``NEAR_Y``): a
    "1" does, a piece of border reaching above or below the writing does not."""
    areas = stats[keep, cv2.CC_STAT_AREA]
    thin = sliver[keep]
    core = keep[(areas >= CORE_SHARE * big) & ~thin]
    if core.size == 0:
        core = keep[areas >= CORE_SHARE * big]
    left, top = stats[core, cv2.CC_STAT_LEFT], stats[core, cv2.CC_STAT_TOP]
    x0, y0 = left.min(), top.min()
    x1 = (left + stats[core, cv2.CC_STAT_WIDTH]).max()
    y1 = (top + stats[core, cv2.CC_STAT_HEIGHT]).max()
    mx, my = NEAR_X * (y1 - y0), NEAR_Y * (y1 - y0)
    left, top = stats[keep, cv2.CC_STAT_LEFT], stats[keep, cv2.CC_STAT_TOP]
    right, bottom = left + stats[keep, cv2.CC_STAT_WIDTH], top + stats[keep, cv2.CC_STAT_HEIGHT]
    near = (right >= x0 - mx) & (left <= x1 + mx) & (bottom >= y0 - my) & (top <= y1 + my)
    within = (top >= y0 - my) & (bottom <= y1 + my)
    return keep[near & (within | ~thin)]


def _strokes(ink: np.ndarray) -> np.ndarray:
    """Written pixels: those above ``INK_LEVEL`` in a connected stroke that reaches
    ``STROKE_LEVEL`` somewhere (hysteresis), so a faint or thin pen keeps its whole stroke
    while paper grain as faint as its edges does not."""
    count, labels = cv2.connectedComponents((ink > INK_LEVEL).astype(np.uint8), connectivity=8)
    strong = np.zeros(count, bool)
    strong[labels[ink > STROKE_LEVEL]] = True         # strokes with a pixel dark enough
    strong[0] = False                                  # the paper
    return strong[labels].astype(np.uint8)


def _border_lines(binary: np.ndarray) -> np.ndarray:
    """Pixels of ruled lines along the crop's edges (the printed box's border where the crop
    reached it): rows or columns near an edge that are mostly ink, allowing a line a pixel or
    two out of true, plus long straight runs found by a morphological opening."""
    h, w = binary.shape
    lines = np.zeros_like(binary)
    band_y, band_x = max(3, round(h * 0.15)), max(3, round(w * 0.15))
    if w >= 12:
        horiz = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                 cv2.getStructuringElement(cv2.MORPH_RECT, (int(w * 0.5), 1)))
        lines[:band_y] |= horiz[:band_y]
        lines[h - band_y:] |= horiz[h - band_y:]
        spread = cv2.dilate(binary, np.ones((3, 1), np.uint8)).mean(axis=1)   # a tilted line
        for rows in (range(band_y), range(h - band_y, h)):
            for y in rows:
                if spread[y] >= 0.55 and binary[y].mean() >= 0.15:
                    lines[y] = 1
    if h >= 12:
        vert = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, int(h * 0.7))))
        lines[:, :band_x] |= vert[:, :band_x]
        lines[:, w - band_x:] |= vert[:, w - band_x:]
        spread = cv2.dilate(binary, np.ones((1, 3), np.uint8)).mean(axis=0)
        for cols in (range(min(band_x, 6)), range(max(w - 6, w - band_x), w)):
            for x in cols:
                if spread[x] >= 0.85 and binary[:, x].mean() >= 0.3:
                    lines[:, x] = 1
    return lines


# -- 2. the network ------------------------------------------------------------------------------

_LOCK = threading.Lock()


@cache
def _session(path: Path | None = None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1             # the pipeline runs pages in parallel
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path or MODEL_FILE), options,
                                providers=["CPUExecutionProvider"])


@cache
def _meta() -> dict:
    if META_FILE.exists():
        return json.loads(META_FILE.read_text())
    return {}


def log_probs(inputs: Sequence[np.ndarray], batch: int = 128,
              model: Path | None = None) -> list[np.ndarray]:
    """Per-column log probabilities (T x classes) for prepared inputs, from ``model`` (the
    first network when None).

    Each input is padded to the next multiple of ``BUCKET`` columns and run only with inputs
    of that same padded width, so a crop reads the same whatever else is on its page (the
    LSTM would otherwise see a different amount of padding)."""
    out: list[np.ndarray | None] = [None] * len(inputs)
    buckets: dict[int, list[int]] = {}
    for i, x in enumerate(inputs):
        buckets.setdefault(-(-x.shape[1] // BUCKET) * BUCKET, []).append(i)
    session = _session(model)
    for width, members in sorted(buckets.items()):
        for start in range(0, len(members), batch):
            chunk = members[start:start + batch]
            x = np.zeros((len(chunk), 1, HEIGHT, width), np.float32)
            for row, i in enumerate(chunk):
                x[row, 0, :, :inputs[i].shape[1]] = inputs[i]
            with _LOCK:
                y = session.run(None, {"image": x})[0]        # (N, T, C) log-softmax
            for row, i in enumerate(chunk):
                out[i] = y[row, :-(-inputs[i].shape[1] // STRIDE)]
    return out  # type: ignore[return-value]


# -- 3. constrained decoding --------------------------------------------------------------------

# What a whole reading of each kind looks like; the beam search keeps only prefixes that can
# still become one (partial matching, ``regex``), so a time is decoded as a time rather than
# filtered out afterwards when none of the best raw strings happened to be one.
GRAMMAR = {
    "code": regex.compile(r"\d{1,3}"),
    "number": regex.compile(r"\d{1,12}"),
    "time": regex.compile(_TIME_RAW.pattern, regex.I),
    "date": regex.compile(r"\d{1,2}([/.-])\d{1,2}\1(\d{2}|\d{4})"),
}


def _viable(kind: str):
    """A test whether a prefix can still become a well-formed ``kind`` (None: anything can)."""
    grammar = GRAMMAR.get(kind)
    if grammar is None:
        return None
    memo: dict[str, bool] = {}

    def viable(prefix: str) -> bool:
        if prefix not in memo:
            memo[prefix] = grammar.fullmatch(prefix, partial=True) is not None
        return memo[prefix]
    return viable


def beam_search(logp: np.ndarray, allowed: str, beam: int = 16,
                floor: float = 1e-4, viable=None) -> list[tuple[str, float]]:
    """CTC prefix beam search over the characters in ``allowed``; the best strings with their
    probabilities relative to each other (they sum to at most 1). With ``viable`` (a test on
    prefixes) only prefixes it accepts are kept."""
    probs = np.exp(logp.astype(np.float64))
    keep = np.zeros(probs.shape[1], bool)
    keep[0] = True
    for ch in allowed:
        keep[ALPHABET.index(ch) + 1] = True
    probs = np.where(keep, probs, 0.0)
    probs /= probs.sum(axis=1, keepdims=True)
    beams: dict[str, tuple[float, float]] = {"": (1.0, 0.0)}   # prefix -> (ends blank, not)
    for frame in probs:
        chars = [int(c) for c in np.flatnonzero(frame > floor) if c]
        blank = frame[0]
        nxt: dict[str, list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = pb + pnb
            entry = nxt.setdefault(prefix, [0.0, 0.0])
            entry[0] += total * blank
            if prefix:
                last = ALPHABET.index(prefix[-1]) + 1
                entry[1] += pnb * frame[last]
            for c in chars:
                p = frame[c]
                ext = prefix + ALPHABET[c - 1]
                if viable is not None and not viable(ext):
                    continue
                e = nxt.setdefault(ext, [0.0, 0.0])
                if prefix and c == ALPHABET.index(prefix[-1]) + 1:
                    e[1] += pb * p                    # a repeat needs a blank in between
                else:
                    e[1] += total * p
        best = sorted(nxt.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:beam]
        scale = sum(a + b for _, (a, b) in best) or 1.0
        beams = {k: (a / scale, b / scale) for k, (a, b) in best}
    return sorted(((k, a + b) for k, (a, b) in beams.items()), key=lambda kv: -kv[1])


def valid_value(kind: str, raw: str) -> str | None:
    """The normalised value of ``raw`` if it is a well-formed ``kind``, else None."""
    raw = raw.strip()
    if not raw:
        return None
    if kind == "code":
        return raw if re.fullmatch(r"\d{1,3}", raw) else None
    if kind == "number":
        return raw if re.fullmatch(r"\d{1,12}", raw) else None
    if kind == "time":
        m = _TIME_RAW.fullmatch(raw)
        if not m or not (m.group(1) or m.group(2)):   # a bare "7" is not a time
            return None
        return normalise("time", raw)
    if kind == "date":
        if not re.fullmatch(r"\d{1,2}([/.-])\d{1,2}\1(\d{2}|\d{4})", raw):
            return None
        value = normalise("date", raw)
        if value is None or not 1990 <= int(value[:4]) <= 2069:
            return None
        return value
    if kind == "text":
        return normalise("text", raw)
    raise ValueError(f"unknown handwriting kind {kind!r}")


def decode(logp: np.ndarray, kind: str, prior: Prior | None = None, top: int = 5) -> Reading:
    """The best valid reading of one crop's network output."""
    candidates = beam_search(logp, ALLOWED[kind], viable=_viable(kind))
    pooled: dict[str, float] = {}
    raw_of: dict[str, str] = {}
    total = 0.0
    for raw, p in candidates:
        value = valid_value(kind, raw)
        weight = 1.0
        if value is not None:
            if kind == "code" and value not in CODE_TABLE:
                weight *= OFF_TABLE_CODE
            if prior is not None:
                weight *= prior.factor(value)
        total += p * weight
        if value is None:
            continue
        pooled[value] = pooled.get(value, 0.0) + p * weight
        raw_of.setdefault(value, raw)
    best_raw = candidates[0][0] if candidates else ""
    if not pooled or total <= 0:
        return Reading(best_raw, None, 0.0, [])
    ranked = sorted(pooled.items(), key=lambda kv: -kv[1])
    shares = [(v, p / total) for v, p in ranked[:top]]
    value, share = shares[0]
    return Reading(raw_of[value], value, calibrate(kind, share), shares)


def calibrate(kind: str, share: float, table_name: str = "calibration") -> float:
    """Map a value's share of the beam to the measured rate of being right (piecewise linear
    through the table in the model's metadata: ``calibration`` for the first reader alone,
    ``pair_calibration`` for the pooled share of both; identity when there is none)."""
    table = _meta().get(table_name, {}).get(kind)
    if not table:
        return float(share)
    xs, ys = zip(*table)
    return float(np.interp(share, xs, ys))


def raw_share(reading: Reading) -> float:
    """The raw beam share of a reading's value (before calibration)."""
    return reading.alternatives[0][1] if reading.alternatives else 0.0


def pool_readings(readings: Sequence[Reading], kind: str) -> Reading:
    """One reading of a box from several readings of it (two readers, each on each of
    ``VIEWS``): each value's share is the mean of its shares in them (a value a reading did
    not put forward has 0 there), and the pooled share of the best value is calibrated by
    ``pair_calibration``."""
    pooled: dict[str, float] = {}
    for reading in readings:
        for value, p in reading.alternatives:
            pooled[value] = pooled.get(value, 0.0) + p / len(readings)
    if not pooled:
        return readings[0]
    ranked = sorted(pooled.items(), key=lambda kv: -kv[1])
    value, best = ranked[0]
    text = next((r.text for r in readings if r.value == value), readings[0].text)
    return Reading(text, value, calibrate(kind, best, "pair_calibration"), ranked[:5])


def widened(x: np.ndarray, factor: float) -> np.ndarray:
    """A network input stretched across by ``factor`` (its height kept)."""
    if factor == 1.0:
        return x
    width = min(MAX_WIDTH, max(MIN_WIDTH, round(x.shape[1] * factor)))
    return cv2.resize(x, (width, HEIGHT), interpolation=cv2.INTER_AREA)


def ask_second(inputs: Sequence[np.ndarray | None], readings: list[Reading], kind: str,
               priors: Sequence[Prior | None]) -> dict[int, Reading]:
    """By index, the readings the first reader is not sure of (share under ``SECOND_BELOW``)
    pooled (``pool_readings``) with the second reader's and with both readers' readings of
    the same ink widened (``VIEWS``)."""
    asked = [i for i, x in enumerate(inputs)
             if x is not None and raw_share(readings[i]) < SECOND_BELOW]
    if not asked:
        return {}
    found = {i: [readings[i]] for i in asked}
    for factor in VIEWS:
        for model in readers():
            if factor == 1.0 and model is None:
                continue                                  # the first reading, already made
            outputs = log_probs([widened(inputs[i], factor) for i in asked], model=model)
            for i, logp in zip(asked, outputs):
                found[i].append(decode(logp, kind, priors[i]))
    return {i: pool_readings(found[i], kind) for i in asked}


def second_opinion(inputs: Sequence[np.ndarray | None], readings: list[Reading], kind: str,
                   priors: Sequence[Prior | None]) -> list[Reading]:
    """``readings`` with those the first reader is not sure of pooled with the second
    reader's (``ask_second``). Unchanged when the second network, or a calibration of the pair
    for ``kind``, is not installed."""
    if not SECOND_FILE.exists() or kind not in _meta().get("pair_calibration", {}):
        return readings
    pooled = ask_second(inputs, readings, kind, priors)
    return [pooled.get(i, reading) for i, reading in enumerate(readings)]


def ctc_log_likelihood(logp: np.ndarray, text: str) -> float:
    """log P(text | network output) summed over every CTC alignment (the forward algorithm);
    -inf when ``text`` holds a character outside ``ALPHABET`` or cannot fit the frames."""
    return float(ctc_log_likelihoods(logp, [text])[0])


def ctc_log_likelihoods(logp: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """``ctc_log_likelihood`` of each of ``texts``, all in one pass over the frames through
    the texts' prefix tree: texts that begin alike ("7:45", "7:45 am", "7:45a") share the work
    of their common beginning, so a closed vocabulary of thousands of texts costs little more
    than its distinct prefixes. Each node of the tree keeps two log probabilities per frame:
    the frames so far spell its prefix ending in its last character, or in blanks after it."""
    parent, label, ends = _prefix_tree(tuple(texts))
    if not len(ends):
        return np.zeros(0)
    frames = logp.astype(np.float64)
    # into a node from its parent: after the parent's blanks, or straight after its last
    # character when the two characters differ (a repeat needs a blank between)
    repeat = np.zeros(len(parent), bool)
    repeat[1:] = (label[1:] == label[parent[1:]]) & (parent[1:] != 0)
    char = np.full(len(parent), -np.inf)
    char[1:] = np.where(parent[1:] == 0, frames[0, label[1:]], -np.inf)
    blank = np.full(len(parent), -np.inf)
    blank[0] = frames[0, 0]
    for t in range(1, len(frames)):
        into = np.logaddexp(blank[parent], np.where(repeat, -np.inf, char[parent]))
        into[0] = -np.inf                             # the root spells nothing
        char, blank = (np.logaddexp(char, into) + frames[t, label],
                       np.logaddexp(blank, char) + frames[t, 0])
        char[0] = -np.inf
    total = np.logaddexp(blank, char)
    return np.where(ends >= 0, total[np.maximum(ends, 0)], -np.inf)


@lru_cache(maxsize=64)
def _prefix_tree(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parent of each node, its character's class, each text's node or -1 for a text with a
    character outside ``ALPHABET``); node 0 is the empty prefix."""
    index: dict[str, int] = {"": 0}
    parent, label, ends = [0], [0], []
    for text in texts:
        if not all(c in ALPHABET for c in text):
            ends.append(-1)
            continue
        node = 0
        for i, c in enumerate(text):
            node = index.setdefault(text[:i + 1], len(parent))
            if node == len(parent):
                parent.append(index[text[:i]])
                label.append(ALPHABET.index(c) + 1)
        ends.append(node)
    return np.array(parent), np.array(label), np.array(ends, dtype=int)


def grouped_log_likelihoods(logp: np.ndarray, groups: Sequence[Sequence[str]]) -> np.ndarray:
    """For each group of texts (the ways of writing one value), the log-likelihood that the
    frames spell any one of them (``ctc_log_likelihoods``, summed over the group)."""
    flat = ctc_log_likelihoods(logp, [text for group in groups for text in group])
    bounds = np.cumsum([0] + [len(group) for group in groups])
    return np.array([np.logaddexp.reduce(flat[a:b]) for a, b in zip(bounds, bounds[1:])])


def readers() -> list[Path | None]:
    """The installed readers, as ``log_probs`` names them: the first network (None), then the
    second when it is installed."""
    return [None] + ([SECOND_FILE] if SECOND_FILE.exists() else [])


def vocabulary_scores(crop: np.ndarray, vocabulary: Sequence[str]
                      ) -> tuple[list[float], float] | None:
    """How well each entry of a closed list explains the ink of ``crop``: (log-likelihood of
    each entry, over every CTC alignment, written in capitals or title case; log-likelihood of
    the network's own best single path, the "open reading" to compare them with). None for a
    crop with no ink."""
    x = prepare(crop)
    if x is None:
        return None
    logp = log_probs([x])[0]
    forms = [sorted({entry, entry.upper(), entry.title()}) for entry in vocabulary]
    return grouped_log_likelihoods(logp, forms).tolist(), float(logp.max(axis=1).sum())


def read_from_vocabulary(crops: list[np.ndarray], vocabulary: Sequence[str]) -> list[Reading]:
    """Which of a closed list of texts (e.g. the children on a provider's PBF) each crop
    holds, the shares coming from ``vocabulary_scores`` (a closed vocabulary beats open
    reading). ``value`` is the entry, normalised as text; an empty crop or empty vocabulary
    reads as None."""
    readings = [Reading("", None, 0.0, []) for _ in crops]
    for i, crop in enumerate(crops):
        found = vocabulary_scores(crop, vocabulary)
        if found is None or not found[0] or not np.isfinite(max(found[0])):
            continue
        s = np.asarray(found[0])
        p = np.exp(s - s.max())
        p /= p.sum()
        order = np.argsort(-p)
        alternatives = [(normalise("text", vocabulary[k]) or "", float(p[k])) for k in order[:5]]
        best = int(order[0])
        readings[i] = Reading(vocabulary[best], alternatives[0][0], float(p[best]), alternatives)
    return readings


def read_handwriting(crops: list[np.ndarray], kind: str,
                     prior: Prior | Sequence[Prior | None] | None = None) -> list[Reading]:
    """Read every crop (one page's boxes of one kind) in one batched network run.

    ``prior`` is one ``Prior`` for all crops or one per crop. A crop without writing reads
    as value None with confidence 0, ``blank``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown handwriting kind {kind!r}; expected one of {KINDS}")
    priors = list(prior) if isinstance(prior, (list, tuple)) else [prior] * len(crops)
    if len(priors) != len(crops):
        raise ValueError("one prior per crop, or one for all")
    inputs = [prepare(c) for c in crops]
    present = [i for i, x in enumerate(inputs) if x is not None]
    outputs = log_probs([inputs[i] for i in present]) if present else []
    readings = [Reading("", None, 0.0, [], blank=True) for _ in crops]
    for i, logp in zip(present, outputs):
        readings[i] = decode(logp, kind, priors[i])
    return second_opinion(inputs, readings, kind, priors)
