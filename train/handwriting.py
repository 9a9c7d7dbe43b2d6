"""Train the handwriting reader and export it to ONNX (a developer command, not run by CI).

    python -m train.handwriting                 # data + training + export, about 25 minutes
    python -m train.handwriting --minutes 5     # a quicker, weaker model

Needs the dev-only packages of ``requirements-train.txt`` (torch, onnx). Writes
``extractors/models/handwriting.onnx`` and ``handwriting.json`` (alphabet, input height,
stride, calibration table), which are committed so that neither CI nor the service trains.

Data: crops synthesised by ``train.synth`` from the ``train`` pool of generator hands, minus
two font families kept apart for calibration and model choice (``CALIBRATION_FONTS``): a
confidence calibrated on fonts the network has never seen says what it will do on new hands.
The ``heldout`` pool is never used here; ``bench/handwriting.py`` measures on it.

Real handwriting: in ``MNIST_SHARE`` of the crops (most of them hold digits) the digits are
real MNIST digits (``train.mnist``, its ``train`` part) drawn through the same box and channel
damage (``synth.write_mnist``); the other characters stay in the crop's font. Calibration
crops do the same with the ``calib`` part, digits the network never saw. The ``heldback``
part is left to ``bench/handwriting.py``.

Hollow strokes: ``HOLLOW_SHARE`` (or ``--hollow``) of the crops can have their strokes drawn
as their outline (``synth.outline``), as bubble lettering or a dried-out felt pen leave them.
The first model reads such digits about 6 % of the time; see ``HOLLOW_SHARE``.

The second opinion (``extractors/models/handwriting2.onnx``, ``hw.second_opinion``): a wider
network (``--size second``, 0.78 M weights) trained from scratch on its own crops, a tenth of
them hollow. Alone it is no better than the first on the calibration fonts; asked where the
first is unsure and pooled with it, it is (``--calibrate-pair`` fits the pooled confidence):

    python -m train.handwriting --size second --dataset train6 --hollow 0.1 --seed 4 \
        --n 100000 --minutes 100 --out var/handwriting/run10
    cp var/handwriting/run10/handwriting.onnx extractors/models/handwriting2.onnx
    python -m train.handwriting --calibrate-pair

To re-run after a change to the data recipe, continuing from the last weights (a new recipe
must get a new ``DATASET`` name, since datasets are cached in ``var/handwriting/`` by name,
size and seed):

    python -m train.handwriting --init var/handwriting/model.pt --threads 1 --jobs 1 \
        --minutes 45 --lr 1e-3 --n 80000

The network: five 3x3 convolution blocks (32 rows -> 2, columns / 4), a bidirectional LSTM
across the columns, a per-column softmax over the blank + ``ALPHABET``, trained with CTC.
About 0.33 M weights (1.3 MB; the second opinion 0.78 M, 3.1 MB), under 2 ms per crop on one
CPU core (the beam search after it takes about 2.5 ms).
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import pickle
import random
import time
from pathlib import Path

import cv2
import numpy as np

from extractors.readers import handwriting as hw
from sample_scans.hand import HandBook, pool

from . import mnist, synth, webfonts

CALIBRATION_FONTS = ("Rufscript", "SteveHand")
# Web hands (train.webfonts) kept apart with them: calibrating on more kinds of unseen hand
# makes "0.95" mean the same on the next unseen one.
WEB_CALIBRATION = ("gochi-hand", "kalam", "nothing-you-could-do", "shadows-into-light-two",
                   "edu-vic-wa-nt-beginner")
MIX = {"code": 0.30, "time": 0.26, "date": 0.21, "number": 0.12, "text": 0.08, "empty": 0.03}
# Plain typefaces drawn by the same wobbly "hands": more shapes of each digit than the ten
# handwriting fonts alone (an open or closed 4, a 7 with or without a bar, serif 1s), which
# helps on hands never seen. A quarter of the crops use one of them.
PRINT_FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
               "DejaVuSansCondensed.ttf", "DejaVuSans-Oblique.ttf", "LiberationSans-Regular.ttf",
               "LiberationSerif-Italic.ttf", "LiberationMono-Regular.ttf",
               "LiberationSansNarrow-Regular.ttf", "LiberationSans-Bold.ttf"]
PRINT_SHARE = 0.25
MNIST_SHARE = 0.45             # crops whose digits are real MNIST handwriting (train.mnist)
# Crops whose strokes are drawn as outlines (synth.outline). 0 in the first model's recipe:
# 50 minutes of training from it with 0.1 (run 7) read a held-out outline hand 6 -> 32 % but a
# thin script hand 72 -> 60 %, and fewer readings reached 0.95 (times 63 -> 52 %); not adopted.
HOLLOW_SHARE = 0.0
DATASET = "train4"             # cache name of the training crops; change it with the recipe
DATA = Path("var/handwriting")
STRIDE = 4


def training_fonts() -> list[str]:
    """The generator's ``train`` hands and the web hands, minus the calibration ones."""
    web = [f for f in webfonts.fetch() if Path(f).stem not in WEB_CALIBRATION]
    return [f for f in pool("train") if f not in CALIBRATION_FONTS] + web


def calibration_fonts() -> list[str]:
    return list(CALIBRATION_FONTS) + [f for f in webfonts.fetch()
                                      if Path(f).stem in WEB_CALIBRATION]


# -- data ----------------------------------------------------------------------------------------

def _shard(args: tuple) -> list[tuple[np.ndarray, str, str]]:
    seed, n, fonts, share, part, hollow = args
    r = random.Random(seed)
    hands = HandBook(seed, fonts=fonts)
    printed = HandBook(seed, fonts=PRINT_FONTS)
    digits = mnist.Digits(part) if share else None
    kinds, weights = zip(*MIX.items())
    out = []
    while len(out) < n:
        kind = r.choices(kinds, weights)[0]
        empty = kind == "empty"
        book = printed if r.random() < PRINT_SHARE and fonts is not PRINT_FONTS else hands
        real = digits if share and r.random() < share else None
        sample = synth.make(r.choice(hw.KINDS) if empty else kind, r, book, empty=empty,
                            digits=real, hollow=hollow)
        x = hw.prepare(sample.crop)
        if x is None:
            if sample.text:
                continue                                   # nothing survived: skip
            x = np.zeros((hw.HEIGHT, hw.MIN_WIDTH), np.float32)
        out.append(((x * 255).astype(np.uint8), sample.text, sample.kind))
    return out


def synthesise(n: int, seed: int, fonts: list[str], jobs: int = 2, chunk: int = 500,
               share: float = 0.0, part: str = "train",
               hollow: float = HOLLOW_SHARE) -> list[tuple[np.ndarray, str, str]]:
    """``n`` prepared crops; in ``share`` of them the digits come from MNIST's ``part``, in
    ``hollow`` of them the strokes are outlines."""
    if share:
        mnist.Digits(part)                                 # fetch before forking
    tasks = [(seed * 100_003 + i, min(chunk, n - i * chunk), fonts, share, part, hollow)
             for i in range(math.ceil(n / chunk))]
    with multiprocessing.get_context("fork").Pool(jobs) as p:
        parts = p.map(_shard, tasks)
    return [s for part in parts for s in part]


def cached(name: str, n: int, seed: int, fonts: list[str], jobs: int,
           share: float = 0.0, hollow: float = HOLLOW_SHARE) -> list:
    path = DATA / f"{name}-{n}-{seed}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    t = time.time()
    data = synthesise(n, seed, fonts, jobs, share=share, hollow=hollow)
    DATA.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data))
    print(f"{name}: {len(data)} crops in {time.time() - t:.0f} s", flush=True)
    return data


# -- model ---------------------------------------------------------------------------------------

# (convolution channels, projection, LSTM units): the first reader, and the wider second
# opinion (``extractors/models/handwriting2.onnx``, about 0.78 M weights)
SIZES = {"first": ((16, 32, 64, 64, 96), 128, 96),
         "second": ((32, 64, 96, 128, 160), 192, 128)}


def build_model(classes: int, size: str = "first"):
    import torch
    from torch import nn

    (c1, c2, c3, c4, c5), proj, units = SIZES[size]

    def block(i: int, o: int) -> list:
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]

    class CRNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cnn = nn.Sequential(
                *block(1, c1), nn.MaxPool2d(2, 2),               # 16 x W/2
                *block(c1, c2), nn.MaxPool2d(2, 2),              # 8 x W/4
                *block(c2, c3), *block(c3, c4), nn.MaxPool2d((2, 1)),   # 4
                *block(c4, c5), nn.MaxPool2d((2, 1)),            # 2
            )
            self.proj = nn.Linear(c5 * 2, proj)
            self.rnn = nn.LSTM(proj, units, bidirectional=True, batch_first=True)
            self.drop = nn.Dropout(0.15)
            self.out = nn.Linear(2 * units, classes)

        def forward(self, x):                                   # (N, 1, 32, W)
            f = self.cnn(x)
            n, c, h, w = f.shape
            f = f.permute(0, 3, 1, 2).reshape(n, w, c * h)
            f = torch.relu(self.proj(f))
            f, _ = self.rnn(f)
            return self.out(self.drop(f)).log_softmax(-1)       # (N, T, classes)

    return CRNN()


def from_onnx(path: Path, size: str = "first"):
    """A torch model holding the weights of an exported reader (``export``), to continue
    training from a committed model when its ``model.pt`` is gone. The export folded each
    batch norm into its convolution, so the norms come back as identities (scale 1, shift
    the convolution's bias) and must stay frozen (``freeze_norms``); the LSTM's gates are
    stored in ONNX's order (input, output, forget, cell) and put back in torch's (input,
    forget, cell, output)."""
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    model = build_model(len(hw.ALPHABET) + 1, size)
    convs = [n for n in graph.node if n.op_type == "Conv"]
    norms = [m for m in model.cnn if isinstance(m, torch.nn.BatchNorm2d)]
    layers = [m for m in model.cnn if isinstance(m, torch.nn.Conv2d)]
    matmul = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    lstm = next(n for n in graph.node if n.op_type == "LSTM")
    w, r, b = (weights[name] for name in lstm.input[1:4])
    units = w.shape[1] // 4

    def torch_gates(a: np.ndarray) -> np.ndarray:               # i o f c -> i f c o
        i, o, f, c = np.split(a, 4, axis=0)
        return np.concatenate([i, f, c, o], axis=0)

    with torch.no_grad():
        for node, conv, norm in zip(convs, layers, norms):
            conv.weight.copy_(torch.tensor(weights[node.input[1]]))
            norm.weight.fill_(1.0)
            norm.bias.copy_(torch.tensor(weights[node.input[2]]))
            norm.running_mean.zero_()
            norm.running_var.fill_(1.0 - norm.eps)
        model.proj.weight.copy_(torch.tensor(weights[matmul[0].input[1]].T))
        model.proj.bias.copy_(torch.tensor(weights["proj.bias"]))
        model.out.weight.copy_(torch.tensor(weights[matmul[-1].input[1]].T))
        model.out.bias.copy_(torch.tensor(weights["out.bias"]))
        for d, suffix in enumerate(("", "_reverse")):
            getattr(model.rnn, f"weight_ih_l0{suffix}").copy_(torch.tensor(torch_gates(w[d])))
            getattr(model.rnn, f"weight_hh_l0{suffix}").copy_(torch.tensor(torch_gates(r[d])))
            getattr(model.rnn, f"bias_ih_l0{suffix}").copy_(
                torch.tensor(torch_gates(b[d, :4 * units])))
            getattr(model.rnn, f"bias_hh_l0{suffix}").copy_(
                torch.tensor(torch_gates(b[d, 4 * units:])))
    return model


def freeze_norms(model) -> None:
    """Batch norms keep their statistics and scales (for fine-tuning on a few crops)."""
    import torch

    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()
            m.weight.requires_grad_(False)


def encode(text: str) -> list[int]:
    return [hw.ALPHABET.index(c) + 1 for c in text]


def augment(x: np.ndarray, r: random.Random) -> np.ndarray:
    """Cheap variety on top of the synthesised crops: width, slant, a small elastic warp,
    stroke thickness, position."""
    x = x.astype(np.float32) / 255
    if r.random() < 0.5:
        w = max(hw.MIN_WIDTH, min(hw.MAX_WIDTH, round(x.shape[1] * r.uniform(0.8, 1.2))))
        x = cv2.resize(x, (w, hw.HEIGHT), interpolation=cv2.INTER_AREA)
    h, w = x.shape
    if r.random() < 0.5:                                   # shear and a slight turn
        shear, turn = r.uniform(-0.25, 0.25), r.uniform(-0.05, 0.05)
        m = np.float32([[1, shear + turn, -(shear + turn) * h / 2], [-turn, 1, turn * w / 2]])
        x = cv2.warpAffine(x, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    if r.random() < 0.4:                                   # elastic: a wobblier pen
        g = np.random.default_rng(r.getrandbits(32))
        alpha = r.uniform(0.8, 2.0)
        dx = cv2.GaussianBlur(g.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), 3) * alpha * 6
        dy = cv2.GaussianBlur(g.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), 3) * alpha * 6
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        x = cv2.remap(x, xx + dx, yy + dy, cv2.INTER_LINEAR, borderValue=0)
    if r.random() < 0.15:
        x = cv2.dilate(x, np.ones((2, 2), np.uint8))
    elif r.random() < 0.1:
        x = cv2.erode(x, np.ones((2, 1), np.uint8))
    if r.random() < 0.3:
        x = np.roll(x, r.choice([-2, -1, 1, 2]), axis=0)
    return x


def batches(data: list, size: int, r: random.Random, train: bool):
    order = sorted(range(len(data)), key=lambda i: data[i][0].shape[1] + (r.random() * 24 if train else 0))
    groups = [order[i:i + size] for i in range(0, len(order), size)]
    if train:
        r.shuffle(groups)
    for g in groups:
        xs = [augment(data[i][0], r) if train else data[i][0].astype(np.float32) / 255 for i in g]
        width = max(x.shape[1] for x in xs)
        width += (-width) % STRIDE
        batch = np.zeros((len(xs), 1, hw.HEIGHT, width), np.float32)
        for k, x in enumerate(xs):
            batch[k, 0, :, :x.shape[1]] = x
        lengths = [math.ceil(x.shape[1] / STRIDE) for x in xs]
        yield g, batch, lengths


def train(model, data: list, val: list, minutes: float, seed: int, batch_size: int = 32,
          peak: float = 2e-3, frozen_norms: bool = False):
    """Train for ``minutes`` of wall time. The learning rate follows the elapsed share of the
    budget (warm-up, then a cosine to zero), so a machine busy with other work gets a shorter
    but complete schedule instead of one cut off half-way."""
    import torch

    r = random.Random(seed)
    if frozen_norms:
        freeze_norms(model)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=peak,
                                  weight_decay=1e-4)
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    start = time.time()
    budget = minutes * 60
    step, epoch, done = 0, 0, False
    while not done:
        model.train()
        if frozen_norms:
            freeze_norms(model)
        losses = []
        for g, x, lengths in batches(data, batch_size, r, train=True):
            progress = (time.time() - start) / budget
            if progress >= 1:
                done = True
                break
            lr = peak * min(1.0, progress / 0.04) * 0.5 * (1 + math.cos(math.pi * progress))
            for group in optimiser.param_groups:
                group["lr"] = lr
            targets = [encode(data[i][1]) for i in g]
            flat = torch.tensor([c for t in targets for c in t], dtype=torch.long)
            logp = model(torch.from_numpy(x))                        # N, T, C
            loss = ctc(logp.permute(1, 0, 2), flat, torch.tensor(lengths),
                       torch.tensor([len(t) for t in targets]))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            step += 1
            losses.append(loss.item())
            if step % 200 == 0:
                print(f"step {step} loss {np.mean(losses[-200:]):.3f} lr {lr:.5f} "
                      f"({(time.time() - start) / 60:.1f} min)", flush=True)
        epoch += 1
        acc = evaluate(model, val)
        print(f"epoch {epoch} step {step} val greedy exact {acc:.3f} "
              f"({(time.time() - start) / 60:.1f} min)", flush=True)
    return model


def greedy(logp: np.ndarray) -> str:
    best = logp.argmax(-1)
    out, prev = [], 0
    for c in best:
        if c and c != prev:
            out.append(hw.ALPHABET[c - 1])
        prev = c
    return "".join(out)


def evaluate(model, val: list) -> float:
    import torch

    model.eval()
    right = 0
    with torch.no_grad():
        for g, x, lengths in batches(val, 128, random.Random(0), train=False):
            y = model(torch.from_numpy(x)).numpy()
            for k, i in enumerate(g):
                right += greedy(y[k, :lengths[k]]) == val[i][1]
    return right / max(1, len(val))


def export(model, path: Path) -> None:
    import torch

    model.eval()
    dummy = torch.zeros(2, 1, hw.HEIGHT, 64)
    torch.onnx.export(model, dummy, str(path), input_names=["image"], output_names=["logp"],
                      dynamic_axes={"image": {0: "n", 3: "w"}, "logp": {0: "n", 1: "t"}},
                      opset_version=17, dynamo=False)


# -- calibration ---------------------------------------------------------------------------------

def calibration_table(shares: list[float], right: list[bool], kind: str) -> list[list[float]]:
    """A monotone map from a value's beam share to the rate of being right, from crops in
    fonts the network never saw (pool-adjacent violators over share-sorted bins)."""
    if not shares:
        return []
    order = np.argsort(shares)
    s = np.asarray(shares)[order]
    y = np.asarray(right, float)[order]
    # isotonic regression (pool adjacent violators)
    blocks = [[y[i], 1.0, s[i], s[i]] for i in range(len(y))]     # mean, weight, lo, hi
    merged: list[list[float]] = []
    for b in blocks:
        merged.append(b)
        while len(merged) > 1 and merged[-2][0] >= merged[-1][0]:
            a, c = merged[-2], merged.pop()
            w = a[1] + c[1]
            merged[-1] = [(a[0] * a[1] + c[0] * c[1]) / w, w, a[2], c[3]]
    # be conservative: shrink each block's rate towards the lower edge of a Wilson interval
    table = [[0.0, 0.0]]
    for mean, w, lo, hi in merged:
        z = 1.64
        denom = 1 + z * z / w
        centre = (mean + z * z / (2 * w)) / denom
        half = z * math.sqrt(mean * (1 - mean) / w + z * z / (4 * w * w)) / denom
        rate = max(0.0, centre - half)
        table.append([float((lo + hi) / 2), float(rate)])
    table.append([1.0, table[-1][1]])
    # keep it monotone after the shrinking
    for i in range(1, len(table)):
        table[i][1] = max(table[i][1], table[i - 1][1]) if table[i][0] > table[i - 1][0] else table[i][1]
    return [[round(a, 5), round(b, 4)] for a, b in table]


def _calibration_inputs(kind: str, k: int, n: int, seed: int, hollow: float):
    """Prepared inputs of ``n`` fresh crops of ``kind`` in the calibration fonts, with their
    true values. As in training, ``MNIST_SHARE`` of them have real digits, from MNIST's
    ``calib`` part (writers' digits no network saw)."""
    digits = mnist.Digits("calib") if MNIST_SHARE else None
    r = random.Random(seed + k)
    book = HandBook(seed + k, fonts=calibration_fonts())
    samples = [synth.make(kind, r, book, digits=digits if r.random() < MNIST_SHARE else None,
                          hollow=hollow)
               for _ in range(n)]
    inputs = [hw.prepare(s.crop) for s in samples]
    keep = [i for i, x in enumerate(inputs) if x is not None]
    return [inputs[i] for i in keep], [hw.valid_value(kind, samples[i].text) for i in keep]


def calibrate(n_per_kind: int, seed: int, jobs: int, hollow: float = HOLLOW_SHARE) -> dict:
    """Read fresh crops in the calibration fonts with the exported model; fit each kind's map."""
    hw._meta.cache_clear()
    hw._session.cache_clear()
    tables = {}
    for k, kind in enumerate(hw.KINDS):
        inputs, truths = _calibration_inputs(kind, k, n_per_kind, seed, hollow)
        readings = [hw.decode(logp, kind) for logp in hw.log_probs(inputs)]
        right = [r.value == t for r, t in zip(readings, truths)]
        tables[kind] = calibration_table([hw.raw_share(r) for r in readings], right, kind)
        print(f"calibration {kind}: {np.mean(right):.3f} right on {len(right)} crops of "
              f"unseen fonts", flush=True)
    return tables


PAIR_KINDS = ("code", "time", "date", "number")


def calibrate_pair(n_per_kind: int, seed: int) -> dict:
    """The pooled share of the first and second readers (``hw.second_opinion``) fitted to the
    rate of being right, on the crops the first reader alone is not sure of."""
    hw._meta.cache_clear()
    hw._session.cache_clear()
    tables = {}
    for k, kind in enumerate(PAIR_KINDS):
        inputs, truths = _calibration_inputs(kind, k, n_per_kind, seed, HOLLOW_SHARE)
        first = [hw.decode(logp, kind) for logp in hw.log_probs(inputs)]
        pooled = hw.ask_second(inputs, first, kind, [None] * len(inputs))
        right = [r.value == truths[i] for i, r in pooled.items()]
        alone = np.mean([first[i].value == truths[i] for i in pooled]) if pooled else 0.0
        tables[kind] = calibration_table([hw.raw_share(r) for r in pooled.values()], right, kind)
        print(f"pair calibration {kind}: {len(pooled)} of {len(inputs)} crops asked again; "
              f"right {alone:.3f} by the first alone, {np.mean(right):.3f} pooled", flush=True)
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60000, help="training crops")
    parser.add_argument("--minutes", type=float, default=18, help="training time budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--calibration-crops", type=int, default=600)
    parser.add_argument("--out", type=Path, default=hw.MODEL_DIR)
    parser.add_argument("--threads", type=int, default=2, help="torch threads; 1 is faster "
                        "when other work shares the cores (OpenMP threads wait on each other)")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    parser.add_argument("--init", type=Path, help="start from these torch weights "
                        "(var/handwriting/model.pt of an earlier run)")
    parser.add_argument("--calibrate-only", action="store_true", help="re-fit the calibration "
                        "table of the model in --out (after a change to decoding)")
    parser.add_argument("--calibrate-pair", action="store_true", help="fit the calibration of "
                        "the first and second readers together (after either changes)")
    parser.add_argument("--size", choices=sorted(SIZES), default="first",
                        help="network size: the first reader, or the wider second opinion")
    parser.add_argument("--dataset", default=DATASET, help="cache name of the training crops "
                        "(a new recipe needs a new name)")
    parser.add_argument("--hollow", type=float, default=HOLLOW_SHARE,
                        help="share of training crops drawn with outline strokes")
    parser.add_argument("--from-onnx", type=Path, help="start from this exported reader "
                        "(batch norms then stay frozen: from_onnx)")
    parser.add_argument("--real", type=Path, action="append", default=[],
                        help="crops cut by the pipeline from generated pages (train.real), "
                        "added to the synthesised ones; may be given more than once")
    parser.add_argument("--real-repeat", type=int, default=1,
                        help="each real crop counts this many times")
    args = parser.parse_args(argv)
    if args.calibrate_only:
        return recalibrate(args.out, args.calibration_crops, args.seed + 2000, args.jobs)
    if args.calibrate_pair:
        return recalibrate_pair(args.out, args.calibration_crops, args.seed + 3000)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    fonts = training_fonts()
    data = cached(args.dataset, args.n, args.seed, fonts, args.jobs, share=MNIST_SHARE,
                  hollow=args.hollow)
    val = cached("val3", 1500, args.seed + 1000, fonts, args.jobs)
    real = [c for path in args.real for c in pickle.loads(path.read_bytes())]
    data = data + real * args.real_repeat
    model = (from_onnx(args.from_onnx, args.size) if args.from_onnx
             else build_model(len(hw.ALPHABET) + 1, args.size))
    print(f"{sum(p.numel() for p in model.parameters())} weights, {len(data)} crops", flush=True)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    t = time.time()
    train(model, data, val, args.minutes, args.seed, peak=args.lr,
          frozen_norms=args.from_onnx is not None)
    torch.save(model.state_dict(), DATA / "model.pt")          # for --init next time
    args.out.mkdir(parents=True, exist_ok=True)
    hw.MODEL_FILE, hw.META_FILE = args.out / "handwriting.onnx", args.out / "handwriting.json"
    export(model, args.out / "handwriting.onnx")
    meta = {"alphabet": hw.ALPHABET, "height": hw.HEIGHT, "stride": STRIDE,
            "training_minutes": round((time.time() - t) / 60, 1),
            "training_crops": len(data), "training_fonts": [Path(f).stem for f in fonts],
            "mnist_share": MNIST_SHARE, "hollow_share": args.hollow, "dataset": args.dataset,
            "size": args.size, "seed": args.seed, "peak_lr": args.lr,
            "continued_from": str(args.init or args.from_onnx or "") or None,
            "real_crops": len(real), "real_sets": [str(p) for p in args.real],
            "real_repeat": args.real_repeat,
            "calibration_fonts": [Path(f).stem for f in calibration_fonts()], "calibration": {}}
    (args.out / "handwriting.json").write_text(json.dumps(meta, indent=1) + "\n")
    meta["calibration"] = calibrate(args.calibration_crops, args.seed + 2000, args.jobs,
                                    args.hollow)
    (args.out / "handwriting.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {args.out / 'handwriting.onnx'}", flush=True)
    return 0


def recalibrate(out: Path, crops: int, seed: int, jobs: int) -> int:
    """The calibration table of the model in ``out`` measured again with today's decoding."""
    hw.MODEL_FILE, hw.META_FILE = out / "handwriting.onnx", out / "handwriting.json"
    meta = json.loads(hw.META_FILE.read_text())
    meta["calibration_fonts"] = [Path(f).stem for f in calibration_fonts()]
    meta["calibration"] = calibrate(crops, seed, jobs)
    hw.META_FILE.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"recalibrated {hw.META_FILE}", flush=True)
    return 0


def recalibrate_pair(out: Path, crops: int, seed: int) -> int:
    """The pair calibration of the first model in ``out`` with the installed second opinion,
    written into the first model's metadata."""
    hw.MODEL_FILE, hw.META_FILE = out / "handwriting.onnx", out / "handwriting.json"
    meta = json.loads(hw.META_FILE.read_text())
    meta["second_opinion"] = {"file": hw.SECOND_FILE.name, "asked_below": hw.SECOND_BELOW}
    meta["pair_calibration"] = calibrate_pair(crops, seed)
    hw.META_FILE.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote the pair calibration into {hw.META_FILE}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
