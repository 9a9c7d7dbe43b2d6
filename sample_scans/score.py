"""Score extracts against ground truth: the figures the benchmarks print.

``Score`` accumulates any number of (extract, truth) pairs of the same file, both in the extract
schema's JSON shape, and reports: page classification, field accuracy by type and by who filled
the field (non-empty truth values; empty boxes read as something are counted separately), the
signature confusion matrix, confidence calibration, findings precision/recall per rule id, and
routing (false accepts, clean documents accepted).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from extractors.forms import load_form

EMPTY = (None, "absent", "blank", "unchecked")
CALIBRATION_BINS = (0.0, 0.5, 0.8, 0.9, 0.95, 1.0001)


def _layout_field(form: str, page: int | None, name: str):
    try:
        return load_form(form).page(page or 1).field(name)
    except KeyError:
        return None


def _match_documents(pred: list[dict], truth: list[dict]) -> list[tuple[dict, dict | None]]:
    """Pair each truth document with the predicted one of the same form sharing most pages."""
    pairs, used = [], set()
    for t in truth:
        best, overlap = None, 0
        for i, p in enumerate(pred):
            if i in used or p["form"] != t["form"]:
                continue
            shared = len(set(p["pages"]) & set(t["pages"]))
            if shared > overlap:
                best, overlap = i, shared
        if best is not None:
            used.add(best)
        pairs.append((t, pred[best] if best is not None else None))
    return pairs


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else float("nan")

    def __str__(self) -> str:
        return f"{100 * self.rate:6.2f} % ({self.right}/{self.total})"


@dataclass
class Score:
    pages: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_filler: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    handwritten: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # by type
    by_channel: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # printed
    empty_read: Tally = field(default_factory=Tally)        # empty boxes read as empty
    signatures: Counter = field(default_factory=Counter)    # (truth, predicted) -> n
    calibration: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    finding_tp: Counter = field(default_factory=Counter)
    finding_fp: Counter = field(default_factory=Counter)
    finding_fn: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)        # (truth route, predicted) -> n
    received_at: Tally = field(default_factory=Tally)
    misses: list[str] = field(default_factory=list)         # a few examples of wrong fields

    def add(self, pred: dict, truth: dict) -> None:
        self.received_at.add(pred.get("received_at") == truth.get("received_at"))
        for i, t in enumerate(truth["pages"]):
            p = pred["pages"][i] if i < len(pred["pages"]) else {}
            self.pages.add((p.get("form"), p.get("page")) == (t["form"], t["page"]))
        for t_doc, p_doc in _match_documents(pred["documents"], truth["documents"]):
            self._add_document(t_doc, p_doc, truth)

    def _add_document(self, t_doc: dict, p_doc: dict | None, truth: dict) -> None:
        p_fields = p_doc["fields"] if p_doc else {}
        for name, t_field in t_doc["fields"].items():
            page = truth["pages"][t_field["page"]]["page"]
            layout = _layout_field(t_doc["form"], page, name)
            kind = t_field.get("type") or (layout.type if layout else "text")
            filler = layout.filled_by if layout else "?"
            got = p_fields.get(name, {})
            value, want = got.get("value"), t_field["value"]
            ok = value == want
            if want in EMPTY:
                self.empty_read.add(value in EMPTY)
            else:
                self.by_type[kind].add(ok)
                self.by_filler[filler].add(ok)
                if filler in ("parent", "provider"):
                    self.handwritten[kind].add(ok)
                elif filler == "system":
                    self.by_channel[truth.get("channel", "?")].add(ok)
                if not ok and len(self.misses) < 40:
                    self.misses.append(f"{truth['source']} {name}: {value!r} != {want!r}")
            if kind == "signature":
                self.signatures[(want, value)] += 1
            if got:
                conf = got.get("confidence", 0.0)
                b = max(i for i, edge in enumerate(CALIBRATION_BINS[:-1]) if conf >= edge)
                self.calibration[b].add(ok)
        t_rules = Counter(f["rule"] for f in t_doc["findings"])
        p_rules = Counter(f["rule"] for f in (p_doc["findings"] if p_doc else []))
        for rule in set(t_rules) | set(p_rules):
            hit = rule in t_rules and rule in p_rules
            self.finding_tp[rule] += hit
            self.finding_fp[rule] += rule in p_rules and not hit
            self.finding_fn[rule] += rule in t_rules and not hit
        self.routes[(t_doc["route"], p_doc["route"] if p_doc else "missing")] += 1

    # --- figures -------------------------------------------------------------------------
    def findings_precision_recall(self) -> tuple[float, float]:
        tp, fp, fn = (sum(c.values()) for c in (self.finding_tp, self.finding_fp, self.finding_fn))
        return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)

    def false_accepts(self) -> int:
        return sum(n for (t, p), n in self.routes.items() if p == "accept" and t != "accept")

    def clean_accepted(self) -> Tally:
        clean = sum(n for (t, _), n in self.routes.items() if t == "accept")
        return Tally(self.routes[("accept", "accept")], clean)

    def report(self) -> str:
        out = [f"page classification   {self.pages}",
               f"received_at           {self.received_at}",
               "fields by type (non-empty truth):"]
        out += [f"  {k:<10} {v}" for k, v in sorted(self.by_type.items())]
        out += ["handwritten fields by type (filled by parent or provider):"]
        out += [f"  {k:<10} {v}" for k, v in sorted(self.handwritten.items())]
        out += ["system-printed fields by channel:"]
        out += [f"  {k:<14} {v}" for k, v in sorted(self.by_channel.items())]
        out += ["fields by filled_by (non-empty truth):"]
        out += [f"  {k:<10} {v}" for k, v in sorted(self.by_filler.items())]
        out += [f"empty boxes read as empty {self.empty_read}", "signature confusion (truth -> read):"]
        classes = ("wet", "electronic", "blank")
        out.append("  " + " " * 11 + "".join(f"{c:>11}" for c in classes + ("other",)))
        for t in classes:
            row = [self.signatures[(t, p)] for p in classes]
            other = sum(n for (tt, p), n in self.signatures.items() if tt == t and p not in classes)
            out.append(f"  {t:<11}" + "".join(f"{n:>11}" for n in row + [other]))
        out.append("confidence calibration (reported confidence -> share right):")
        for b, tally in sorted(self.calibration.items()):
            lo, hi = CALIBRATION_BINS[b], min(CALIBRATION_BINS[b + 1], 1.0)
            out.append(f"  [{lo:.2f}, {hi:.2f})  {tally}")
        precision, recall = self.findings_precision_recall()
        out.append(f"findings precision {precision:.3f} recall {recall:.3f}")
        wrong = sorted(r for r in set(self.finding_fp) | set(self.finding_fn)
                       if self.finding_fp[r] or self.finding_fn[r])
        if wrong:
            out.append("  extra / missed by rule: " + ", ".join(
                f"{r} +{self.finding_fp[r]}/-{self.finding_fn[r]}" for r in wrong))
        out.append(f"false accepts {self.false_accepts()}; clean documents accepted "
                   f"{self.clean_accepted()}")
        return "\n".join(out)
