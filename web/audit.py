"""Claims auditors' batch checks over the stored documents, from the command line and the browser.

Two checks:

``match``   attendance against billing across files: every DCC-97 of a billing month (one
            provider, or all) with every DCC-94E of the same provider whose week overlaps the
            month, wherever each arrived, through the validators' ``match.*`` rules
            (``validators.match.compare``). Gateways deliver a PBF and its weekly sheets in
            separate faxes, so only a check over the store sees them together.
``sample``  a random sample of one form's documents of a month for a manual audit. The seed is
            drawn when not given and always recorded, so the same sample can be drawn again
            from the same documents (they are taken in id order before sampling).

A run is saved as ``<CCAP_DATA_DIR>/audits/<run id>.json`` (who ran it, when, the parameters,
the seed, the rows) and can be read back as CSV (``ccap audit show ID --csv FILE``,
``/audit/ID.csv``), a printable page (``/audit/ID``; ``--html FILE``) or a PDF
(``/audit/ID.pdf``; ``--pdf FILE``) to file with the audit.
Runs are files rather than rows because they are reports: written once, never changed.

    ccap audit match --month 2022-05 [--provider 1234567] [--csv F] [--html F] [--pdf F]
    ccap audit sample --month 2022-05 --n 10 [--form DCC-97] [--seed 42] [--csv out.csv]
    ccap audit list
    ccap audit show RUN_ID [--csv FILE] [--html FILE]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import secrets
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from extractors.model import Extract
from intake.config import Config
from intake.history import model_document
from intake.store import Document, FieldRow

RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[a-z]+-[0-9a-f]{6}$")
SAMPLE_FORMS = ("DCC-97", "DCC-94E", "DCC-94")
# The field that places a document of each form in a month (a DCC-94 by when it was generated).
MONTH_FIELD = {"DCC-97": "billing_month", "DCC-94E": "week_of", "DCC-94": "date_generated"}
EXCLUDED_REVIEW_STATES = ("rejected",)
EXCLUDED_STATUSES = ("merged",)

MATCH_COLUMNS = ("run_id", "provider_number", "billing_month", "rule", "severity", "message",
                 "document_id", "form", "submission_id", "fields")
SAMPLE_COLUMNS = ("run_id", "seed", "document_id", "form", "provider_number", "reference",
                  "received_at", "review_state", "findings", "rules")


@dataclass
class AuditRun:
    id: str
    kind: str                        # "match" or "sample"
    params: dict
    created_at: str
    created_by: str
    seed: int | None = None
    summary: dict = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.columns, extrasaction="ignore")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({**row, "run_id": self.id, "seed": self.seed})
        return out.getvalue()


# -- gathering documents -----------------------------------------------------------------------

def parse_month(text: str) -> date:
    """``2022-05`` (or ``05/2022``) as the first day of the month."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})", text.strip())
    if not m:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return date(int(year), int(month), 1)


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _documents(s: Session, form: str, first: date, provider: str | None) -> list[Document]:
    """Documents of ``form`` that belong to the month starting ``first`` (in id order)."""
    last = month_end(first)
    name = MONTH_FIELD[form]
    if form == "DCC-97":
        lo, hi = first.strftime("%Y-%m"), first.strftime("%Y-%m")
    elif form == "DCC-94E":               # a week overlapping the month starts up to 6 days before
        lo, hi = (first - timedelta(days=6)).isoformat(), last.isoformat()
    else:
        lo, hi = first.isoformat(), last.isoformat()
    query = (select(Document).join(FieldRow, FieldRow.document_id == Document.id)
             .where(Document.form == form, FieldRow.name == name,
                    FieldRow.value >= lo, FieldRow.value <= hi,
                    Document.status.not_in(EXCLUDED_STATUSES),
                    Document.review_state.not_in(EXCLUDED_REVIEW_STATES))
             .options(selectinload(Document.fields), selectinload(Document.findings),
                      selectinload(Document.submission))
             .order_by(Document.id))
    docs = list(s.scalars(query).unique())
    if provider:
        docs = [d for d in docs if provider_number(d) == provider]
    return docs


def provider_number(doc: Document) -> str | None:
    if doc.provider_number:
        return doc.provider_number
    for name in ("provider_number", "provider.provider_number"):
        row = doc.field(name)
        if row is not None and row.value:
            return row.value
    return None


def _value(doc: Document, name: str) -> str | None:
    row = doc.field(name)
    return row.value if row is not None else None


# -- the checks --------------------------------------------------------------------------------

def _new_run(kind: str, params: dict, user: str, seed: int | None = None) -> AuditRun:
    now = datetime.now(timezone.utc)
    run_id = f"{now:%Y%m%dT%H%M%S}-{kind}-{secrets.token_hex(3)}"
    return AuditRun(run_id, kind, params, now.isoformat(timespec="seconds"), user, seed)


def match_check(s: Session, month: date, provider: str | None = None,
                user: str = "cli") -> AuditRun:
    """Attendance (DCC-94E) against billing (DCC-97) for one month, across all submissions."""
    from validators import FileOnly
    from validators.match import compare
    from validators.reading import Context, Reading

    pbfs = _documents(s, "DCC-97", month, provider)
    sheets = _documents(s, "DCC-94E", month, provider)
    readings = {doc.id: Reading(model_document(doc)) for doc in pbfs + sheets}
    stored = {id(readings[doc.id]): doc for doc in pbfs + sheets}
    extract = Extract("audit", None, [], [r.doc for r in readings.values()])
    hits = compare([readings[d.id] for d in pbfs], [readings[d.id] for d in sheets],
                   Context(extract, FileOnly()))
    run = _new_run("match", {"month": month.strftime("%Y-%m"), "provider": provider}, user)
    run.columns = list(MATCH_COLUMNS)
    for reading, finding in hits:
        doc = stored[id(reading)]
        run.rows.append({"provider_number": provider_number(doc),
                         "billing_month": month.strftime("%Y-%m"), "rule": finding.rule,
                         "severity": finding.severity, "message": finding.message,
                         "document_id": doc.id, "form": doc.form,
                         "submission_id": doc.submission_id, "fields": " ".join(finding.fields)})
    run.rows.sort(key=lambda r: (r["provider_number"] or "", r["document_id"], r["rule"]))
    paired_pbfs = {r["document_id"] for r in run.rows if r["form"] == "DCC-97"}
    run.summary = {
        "billing forms": len(pbfs), "attendance sheets": len(sheets),
        "providers": len({provider_number(d) for d in pbfs + sheets}),
        "findings": len(run.rows),
        "errors": sum(r["severity"] == "error" for r in run.rows),
        "billing forms with findings": len(paired_pbfs),
    }
    return run


def sample_check(s: Session, month: date, n: int, form: str = "DCC-97",
                 seed: int | None = None, user: str = "cli") -> AuditRun:
    """``n`` documents of ``form`` for the month, drawn at random with ``seed`` (recorded)."""
    if form not in SAMPLE_FORMS:
        raise ValueError(f"form must be one of {', '.join(SAMPLE_FORMS)}")
    if n < 1:
        raise ValueError("the sample size must be at least 1")
    seed = secrets.randbelow(2**31) if seed is None else seed
    population = _documents(s, form, month, None)
    picked = random.Random(seed).sample(population, min(n, len(population)))
    run = _new_run("sample", {"month": month.strftime("%Y-%m"), "n": n, "form": form}, user, seed)
    run.columns = list(SAMPLE_COLUMNS)
    for doc in sorted(picked, key=lambda d: d.id):
        open_findings = [f for f in doc.findings if not f.resolved]
        run.rows.append({"document_id": doc.id, "form": doc.form,
                         "provider_number": provider_number(doc),
                         "reference": _value(doc, MONTH_FIELD[form]),
                         "received_at": doc.submission.received_at,
                         "review_state": doc.review_state, "findings": len(open_findings),
                         "rules": " ".join(sorted({f.rule for f in open_findings}))})
    run.summary = {"population": len(population), "sampled": len(picked), "seed": seed}
    return run


# -- saved runs --------------------------------------------------------------------------------

def audits_dir(cfg: Config) -> Path:
    return cfg.data_dir / "audits"


def save(cfg: Config, run: AuditRun) -> Path:
    folder = audits_dir(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.id}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".run-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(run), out, indent=1)
    os.chmod(tmp, 0o600)          # personal data: not for other local users
    os.replace(tmp, path)
    return path


def load(cfg: Config, run_id: str) -> AuditRun | None:
    if not RUN_ID.match(run_id):
        return None
    path = audits_dir(cfg) / f"{run_id}.json"
    if not path.is_file():
        return None
    return AuditRun(**json.loads(path.read_text(encoding="utf-8")))


def list_runs(cfg: Config, limit: int = 100) -> list[AuditRun]:
    folder = audits_dir(cfg)
    if not folder.is_dir():
        return []
    names = sorted((p.stem for p in folder.glob("*.json") if RUN_ID.match(p.stem)), reverse=True)
    return [run for run in (load(cfg, name) for name in names[:limit]) if run is not None]


def render_html(run: AuditRun, links: dict | None = None) -> str:
    """The printable report (the same template the browser shows), outside a request."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                      autoescape=select_autoescape())
    css = Path(__file__).with_name("static").joinpath("app.css").read_text()
    return env.get_template("audit_report.html").render(run=run, links=links or {},
                                                        inline_css=css)


def pdf_bytes(run: AuditRun) -> bytes:
    """The report as a PDF to file (reportlab; landscape Letter, the table repeats its header
    on every page)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    title = ("Attendance against billing" if run.kind == "match" else "Random sample for audit")
    facts = [("Run", run.id), ("Run by", f"{run.created_by} on {run.created_at} (UTC)")]
    facts += [(k.capitalize(), str(v)) for k, v in run.params.items() if v is not None]
    if run.seed is not None:
        facts.append(("Seed", str(run.seed)))
    facts += [(k.capitalize(), str(v)) for k, v in run.summary.items() if k != "seed"]
    columns = [c for c in run.columns if c not in ("run_id", "seed")]
    body = [[Paragraph(c.replace("_", " "), small) for c in columns]]
    body += [[Paragraph(_escape("" if row.get(c) is None else str(row.get(c))), small)
              for c in columns] for row in run.rows]
    story = [Paragraph(title, styles["Title"]),
             Table(facts, hAlign="LEFT", style=[("FONTSIZE", (0, 0), (-1, -1), 9),
                                                 ("TEXTCOLOR", (0, 0), (0, -1), colors.grey)]),
             Spacer(1, 0.2 * inch)]
    if run.rows:
        widths = [3.2 * inch if c == "message" else None for c in columns]
        table = Table(body, repeatRows=1, colWidths=widths)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    else:
        story.append(Paragraph("No rows.", styles["BodyText"]))
    story += [Spacer(1, 0.2 * inch),
              Paragraph("Contains personal data: file and dispose of it as the Division's "
                        "records rules require.", small)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(letter), title=f"Audit {run.id}",
                      leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                      topMargin=0.5 * inch, bottomMargin=0.5 * inch).build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- command line ------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ccap audit", description="Claims auditors' batch checks.")
    sub = p.add_subparsers(dest="action", required=True)
    m = sub.add_parser("match", help="attendance (DCC-94E) against billing (DCC-97) for a month")
    m.add_argument("--month", required=True, help="billing month, YYYY-MM")
    m.add_argument("--provider", help="one provider number (default: every provider)")
    smp = sub.add_parser("sample", help="a random sample of a month's documents")
    smp.add_argument("--month", required=True, help="YYYY-MM")
    smp.add_argument("--n", type=int, default=10, help="sample size (default 10)")
    smp.add_argument("--form", default="DCC-97", choices=SAMPLE_FORMS)
    smp.add_argument("--seed", type=int, help="draw this sample again (default: a new seed, printed)")
    sub.add_parser("list", help="saved runs, newest first")
    show = sub.add_parser("show", help="a saved run")
    show.add_argument("run_id")
    for q in (m, smp, show):
        q.add_argument("--csv", help="write the report as CSV to this file ('-' for stdout)")
        q.add_argument("--html", help="write the printable report to this file")
        q.add_argument("--pdf", help="write the report as PDF to this file")
    for q in (m, smp):
        q.add_argument("--by", default=os.environ.get("USER", "cli"),
                       help="who runs the check (recorded in the report)")
    return p


def run_cli(argv: list[str] | None = None, cfg: Config | None = None) -> int:
    """``ccap audit ...``; returns the exit code (0 done, 2 bad arguments or unknown run)."""
    from intake import config as intake_config
    from intake.store import Store

    parser = _parser()
    args = parser.parse_args(argv)
    cfg = cfg or intake_config.load()
    # with the CSV on stdout, what we say about the run goes to stderr
    say = sys.stderr if getattr(args, "csv", None) == "-" else sys.stdout
    if args.action == "list":
        for run in list_runs(cfg):
            print(f"{run.id}\t{run.kind}\t{json.dumps(run.params)}\tseed={run.seed}\t"
                  f"rows={len(run.rows)}\tby={run.created_by}")
        return 0
    if args.action == "show":
        run = load(cfg, args.run_id)
        if run is None:
            print(f"ccap audit: no saved run {args.run_id!r}", file=sys.stderr)
            return 2
    else:
        try:
            month = parse_month(args.month)
        except ValueError as exc:
            print(f"ccap audit: {exc}", file=sys.stderr)
            return 2
        store = Store.open(cfg)
        try:
            with store.session() as s:
                if args.action == "match":
                    run = match_check(s, month, args.provider, user=args.by)
                else:
                    try:
                        run = sample_check(s, month, args.n, args.form, args.seed, user=args.by)
                    except ValueError as exc:
                        print(f"ccap audit: {exc}", file=sys.stderr)
                        return 2
        finally:
            store.dispose()
        path = save(cfg, run)
        print(f"run {run.id} saved to {path}", file=say)
    print(f"{run.kind} {json.dumps(run.params)}" + (f" seed={run.seed}" if run.seed is not None else ""),
          file=say)
    for key, value in run.summary.items():
        print(f"  {key}: {value}", file=say)
    if args.csv:
        text = run.csv_text()
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            Path(args.csv).write_text(text, encoding="utf-8")
            print(f"CSV written to {args.csv}", file=say)
    if args.html:
        Path(args.html).write_text(render_html(run), encoding="utf-8")
        print(f"printable report written to {args.html}", file=say)
    if args.pdf:
        Path(args.pdf).write_bytes(pdf_bytes(run))
        print(f"PDF written to {args.pdf}", file=say)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli())
